"""Restricted secrets are shared with few services."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    limit = int(config["maxConsumers"])
    for sid, secret in catalog.secrets.items():
        if secret.classification != "restricted":
            continue
        services = {c.service for c in secret.consumers}
        if len(services) > limit:
            yield CatalogViolation(
                f"restricted secret {sid!r} has {len(services)} consumers "
                f"({', '.join(sorted(services))}); at most {limit} allowed",
                ("secrets", sid, "consumers"),
                sid,
            )


RULE = Rule(
    id="SECCAT-CAT-002",
    title="Restricted secrets have few consumers",
    description=(
        "A restricted secret may be consumed by at most N services (default 3, configurable): "
        "every additional reader widens the blast radius of a leak (seccat default; issue 5)."
    ),
    severity="medium",
    enforcement="advisory",
    scope="catalog",
    controls=(),
    remediation="Split the secret per consumer, or lower its classification with a reason.",
    check=check,
    config_schema={"maxConsumers": {"type": "integer", "minimum": 1, "default": 3}},
)
