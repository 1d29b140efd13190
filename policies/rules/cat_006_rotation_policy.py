"""Every active secret declares a rotation within its classification's maximum."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule
from seccat.policies.schedules import longest_gap_days
from seccat.policies.thresholds import DAY, ROTATION_CONFIG_SCHEMA, max_rotation_days


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    for sid, secret in catalog.secrets.items():
        if secret.lifecycle == "retired":
            continue
        rotation = secret.rotation
        if rotation is None:
            yield CatalogViolation(f"secret {sid!r} declares no rotation", ("secrets", sid), sid)
            continue
        if rotation.strategy == "dynamic":
            continue  # a fresh login per lease: TTLs, not rotation, bound its life
        if rotation.every_seconds is not None:
            days = rotation.every_seconds / DAY
            path = ("secrets", sid, "rotation", "every")
        elif rotation.schedule:
            path = ("secrets", sid, "rotation", "schedule")
            try:
                days = longest_gap_days(rotation.schedule)
            except ValueError as exc:
                yield CatalogViolation(f"rotation schedule: {exc}", path, sid)
                continue
        else:
            yield CatalogViolation(
                f"secret {sid!r} rotation has neither every nor schedule",
                ("secrets", sid, "rotation"),
                sid,
            )
            continue
        pci = "pci-dss" in secret.compliance
        limit = max_rotation_days(dict(config), secret.classification, pci)
        if days > limit:
            yield CatalogViolation(
                f"secret {sid!r} may go {days:g} days between rotations; the limit for "
                f"{secret.classification}{', PCI scope' if pci else ''} is {limit:g} days",
                path,
                sid,
            )


RULE = Rule(
    id="SECCAT-CAT-006",
    title="Catalog rotation within the classification's maximum",
    description=(
        "Every secret that is not retired declares a rotation whose longest gap (every:, or "
        "the longest gap between firings of a cron()/rate() schedule) is at most the "
        "classification maximum: restricted 30 d, confidential 90 d, internal 180 d, and "
        "90 d for PCI scope (Security Hub SecretsManager.1/.4, 90-day default; PCI DSS 4.0.1 "
        "8.3.9, 8.6.3). Covers every store, located at the catalog line."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    controls=(
        "pci-dss-4.0.1:8.6.3",
        "pci-dss-4.0.1:8.3.9",
        "nist-800-53-r5:AC-2(1)",
        "soc2:CC6.1",
    ),
    remediation="Shorten rotation.every or rotation.schedule to the classification's maximum.",
    check=check,
    config_schema=ROTATION_CONFIG_SCHEMA,
)
