"""Retired secrets have no consumers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    for sid, secret in catalog.secrets.items():
        if secret.lifecycle == "retired" and secret.consumers:
            names = ", ".join(sorted({c.service for c in secret.consumers}))
            yield CatalogViolation(
                f"retired secret {sid!r} still has consumers: {names}",
                ("secrets", sid, "consumers"),
                sid,
            )


RULE = Rule(
    id="SECCAT-CAT-005",
    title="Retired secrets have no consumers",
    description=(
        "A retired secret is about to be deleted; a consumer still listed would break, or "
        "keep a dead credential alive (issue 2)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    controls=(),
    remediation="Move the consumers to the replacement secret first.",
    check=check,
)
