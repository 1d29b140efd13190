"""PCI-scope secrets live in stores encrypted with customer-managed keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    allowed = set(config["cmkStores"])
    for sid, secret in catalog.secrets.items():
        if "pci-dss" in secret.compliance and secret.store not in allowed:
            yield CatalogViolation(
                f"PCI-scope secret {sid!r} is kept in {secret.store}, which seccat does not "
                f"encrypt with a customer-managed key (allowed: {', '.join(sorted(allowed))})",
                ("secrets", sid, "store"),
                sid,
            )


RULE = Rule(
    id="SECCAT-CAT-003",
    title="PCI-scope secrets use stores with customer-managed keys",
    description=(
        "Secrets in PCI DSS scope must live in a store whose encryption key the organisation "
        "manages (aws-secretsmanager with the environment's CMK); Vault's barrier key is not "
        "a customer-managed KMS key seccat controls (PCI DSS 4.0.1 3.6.1 key protection, as "
        "mapped by Prowler; AWS Config secretsmanager-using-cmk)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    controls=("pci-dss-4.0.1:3.6.1",),
    remediation="Move the secret to store: aws-secretsmanager.",
    check=check,
    config_schema={
        "cmkStores": {
            "type": "array",
            "items": {"type": "string"},
            "default": ["aws-secretsmanager"],
        }
    },
)
