"""A consumer the catalog lets only read gets no write capability in Vault."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.documents import vault_layout as layout
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule
from seccat.policies.rules._types import VAULT_POLICY
from seccat.policies.vault_hcl import parse_policy

WRITE_CAPABILITIES = frozenset({"create", "update", "patch", "delete", "sudo"})


def _read_only_paths(catalog: Catalog, env_name: str) -> dict[str, dict[str, tuple[str, str]]]:
    """Service -> path -> (secret id, consumer index) for every secret it may only read;
    one pass over the catalog, so the rule stays linear."""
    env = catalog.environments[env_name]
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for secret in catalog.secrets_in(env_name):
        if secret.store not in ("vault-kv", "vault-database"):
            continue
        for i, consumer in enumerate(secret.consumers):
            if consumer.access != "read" or env_name not in consumer.environments:
                continue
            if secret.store == "vault-kv":
                paths = [
                    layout.kv_data_path(env, secret.id),
                    layout.kv_metadata_path(env, secret.id),
                ]
            else:
                paths = [layout.database_creds_path(env, secret)]
            for p in paths:
                out.setdefault(consumer.service, {})[p] = (secret.id, str(i))
    return out


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    env_name = ctx.environment
    if env_name is None or env_name not in catalog.environments:
        return
    env = catalog.environments[env_name]
    by_name = {layout.service_policy_name(env, s): s for s in catalog.services}
    read_only: dict[str, dict[str, tuple[str, str]]] | None = None
    for resource in ctx.resources:
        if resource.type != VAULT_POLICY:
            continue
        service = by_name.get(str(resource.inputs.get("name")))
        text = resource.inputs.get("policy")
        if service is None or not isinstance(text, str):
            continue
        try:
            rules = parse_policy(text)
        except ValueError:
            continue  # SECCAT-VLT-004 reports unparsable policies
        if read_only is None:
            read_only = _read_only_paths(catalog, env_name)
        mine = read_only.get(service, {})
        for rule in rules:
            granted = sorted(WRITE_CAPABILITIES.intersection(rule.capabilities))
            owner = mine.get(rule.path)
            if granted and owner is not None:
                secret_id, index = owner
                yield CatalogViolation(
                    f"Vault policy for read-only consumer {service!r} grants "
                    f"{', '.join(granted)} on {rule.path}",
                    ("secrets", secret_id, "consumers", index),
                    service,
                )


RULE = Rule(
    id="SECCAT-VLT-005",
    title="Read-only consumers get no write capability in Vault",
    description=(
        "For every service whose catalog consumer entry says access: read, the deployed "
        "Vault policy (from the offline engine's vault.Policy resources) grants no create, "
        "update, patch, delete or sudo on that secret's paths (least privilege, issue 4). "
        "Runs in `seccat check`, which knows the catalog's intent."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    resource_types=(VAULT_POLICY,),
    controls=(),
    remediation="Regenerate the policy from the catalog; change access in the catalog if needed.",
    check=check,
)
