"""Vault rotates static database logins as often as the classification requires."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.documents import vault_layout as layout
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule
from seccat.policies.props import number
from seccat.policies.rules._types import VAULT_DB_STATIC_ROLE
from seccat.policies.schedules import longest_gap_days, vault_cron_to_aws
from seccat.policies.thresholds import DAY, ROTATION_CONFIG_SCHEMA, max_rotation_days


def _interval_days(inputs: Mapping[str, Any]) -> float | None:
    period = number(inputs.get("rotationPeriod"))
    if period:
        return period / DAY
    schedule = inputs.get("rotationSchedule")
    if isinstance(schedule, str) and schedule:
        return longest_gap_days(vault_cron_to_aws(schedule))
    return None


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    by_role = {
        layout.database_role_name(s.id): s
        for s in catalog.secrets.values()
        if s.store == "vault-database"
    }
    for resource in ctx.resources:
        if resource.type != VAULT_DB_STATIC_ROLE:
            continue
        secret = by_role.get(str(resource.inputs.get("name")))
        if secret is None:
            continue
        path = ("secrets", secret.id, "rotation")
        try:
            days = _interval_days(resource.inputs)
        except ValueError as exc:
            yield CatalogViolation(f"static role rotation_schedule: {exc}", path, secret.id)
            continue
        if days is None:
            yield CatalogViolation(
                f"static role {resource.inputs.get('name')!r} sets neither rotation_period "
                "nor rotation_schedule",
                path,
                secret.id,
            )
            continue
        pci = "pci-dss" in secret.compliance
        limit = max_rotation_days(dict(config), secret.classification, pci)
        if days > limit:
            yield CatalogViolation(
                f"Vault rotates {secret.id!r} every {days:g} days; the limit for "
                f"{secret.classification}{', PCI scope' if pci else ''} is {limit:g} days",
                path,
                secret.id,
            )


RULE = Rule(
    id="SECCAT-VLT-008",
    title="Database static-role rotation within the classification maximum",
    description=(
        "A Vault database static role's rotation_period (or the longest gap of its "
        "rotation_schedule) must not exceed the classification maximum: restricted 30 d, "
        "confidential 90 d, internal 180 d, PCI scope 90 d (PCI DSS 4.0.1 8.3.9 / 8.6.3 for "
        "application account credentials, as mapped for Secrets Manager by Security Hub "
        "SecretsManager.1). Reads the deployed role from the offline engine and the "
        "classification from the catalog."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    resource_types=(VAULT_DB_STATIC_ROLE,),
    controls=("pci-dss-4.0.1:8.6.3", "pci-dss-4.0.1:8.3.9"),
    remediation="Shorten rotation.every (strategy: static) in the catalog.",
    check=check,
    config_schema=ROTATION_CONFIG_SCHEMA,
)
