"""Every owner, contact and consumer the catalog names exists."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    for name, team in catalog.teams.items():
        if not team.contact.strip():
            yield CatalogViolation(f"team {name!r} has no contact", ("teams", name), name)
    for name, service in catalog.services.items():
        if service.team not in catalog.teams:
            yield CatalogViolation(
                f"service {name!r} belongs to unknown team {service.team!r}",
                ("services", name, "team"),
                name,
            )
    for sid, secret in catalog.secrets.items():
        if secret.owner not in catalog.teams:
            yield CatalogViolation(
                f"secret {sid!r} is owned by unknown team {secret.owner!r}",
                ("secrets", sid, "owner"),
                sid,
            )
        for i, consumer in enumerate(secret.consumers):
            if consumer.service not in catalog.services:
                yield CatalogViolation(
                    f"secret {sid!r} names unknown consumer {consumer.service!r}",
                    ("secrets", sid, "consumers", str(i)),
                    sid,
                )


RULE = Rule(
    id="SECCAT-CAT-001",
    title="Owners, contacts and consumers exist",
    description=(
        "Every secret's owner is a team with a contact and every consumer is a declared "
        "service of a known team, so each secret has someone accountable and alarms reach a "
        "person (issue 2)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    controls=(),
    remediation="Declare the team (with contact) or service, or fix the reference.",
    check=check,
)
