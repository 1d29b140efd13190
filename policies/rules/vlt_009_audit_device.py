"""Every Vault deployment has an audit device."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import StackValidationArgs

from seccat.policies.framework import Rule, StackViolation
from seccat.policies.rules._types import VAULT_AUDIT


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    uses_vault = False
    for resource in args.resources:
        if resource.resource_type == VAULT_AUDIT:
            return
        uses_vault = uses_vault or resource.resource_type.startswith("vault:")
    if uses_vault:
        yield StackViolation("the stack configures Vault but enables no audit device (vault.Audit)")


RULE = Rule(
    id="SECCAT-VLT-009",
    title="A Vault audit device exists",
    description=(
        "A stack that configures Vault must enable at least one audit device, so every "
        "request is logged with HMAC'd values (Vault production-hardening: enable audit "
        "devices; Vault audit docs)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="stack",
    resource_types=(VAULT_AUDIT,),
    controls=(),
    remediation="Keep the environment's vault.Audit (catalog environments.<env>.vault.audit).",
    check=check,
)
