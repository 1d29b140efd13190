"""Deprecated secrets have a sunset date that has not passed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    for sid, secret in catalog.secrets.items():
        if secret.lifecycle != "deprecated":
            continue
        if not secret.sunset:
            yield CatalogViolation(
                f"deprecated secret {sid!r} has no sunset date", ("secrets", sid, "lifecycle"), sid
            )
        elif ctx.today and secret.sunset < ctx.today:
            yield CatalogViolation(
                f"deprecated secret {sid!r} passed its sunset date {secret.sunset}: retire it",
                ("secrets", sid, "sunset"),
                sid,
            )


RULE = Rule(
    id="SECCAT-CAT-004",
    title="Deprecated secrets have a sunset date",
    description=(
        "A deprecated secret must say when it goes away (sunset: YYYY-MM-DD), and once that "
        "date passes it must be retired, so unused credentials do not linger (AWS Config "
        "secretsmanager-secret-unused, 90 days; issue 5)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="catalog",
    controls=(),
    remediation="Add sunset: YYYY-MM-DD, or set lifecycle: retired once consumers moved.",
    check=check,
)
