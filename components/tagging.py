"""The tags every seccat resource carries, so ownership is visible in the AWS console and
cost and compliance reports can group by catalog entry."""

from __future__ import annotations

MANAGED_BY = "seccat"


def tags(catalog_id: str, owner: str, classification: str, environment: str) -> dict[str, str]:
    return {
        "seccat:catalog-id": catalog_id,
        "seccat:owner": owner,
        "seccat:classification": classification,
        "seccat:environment": environment,
        "seccat:managed-by": MANAGED_BY,
    }
