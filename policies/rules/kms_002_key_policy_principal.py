"""Key policies never grant a wildcard principal outside a Deny or a conditioned statement."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import Unparsable, open_principal, parsed
from seccat.policies.rules._types import KMS_KEY


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    found = parsed(args.props, "policy")
    if found is None:
        yield "the key has no explicit policy (AWS would apply its default key policy)"
        return
    if isinstance(found, Unparsable):
        yield "the key policy is not valid JSON"
        return
    for s in found:
        if s.allows and open_principal(s) and not s.conditions:
            yield f"{s.label} allows a wildcard principal without a condition"


RULE = Rule(
    id="SECCAT-KMS-002",
    title="KMS key policy has no unconditioned wildcard principal",
    description=(
        "A key policy must be explicit and must not Allow a '*' principal (or use "
        "NotPrincipal) except in a Deny or a statement with conditions (Checkov CKV_AWS_33 "
        "and CKV2_AWS_64; access to keys maps to Security Hub KMS.1/KMS.2: NIST AC-3, AC-6; "
        "PCI DSS 4.0.1 3.6.1 via Prowler)."
    ),
    severity="critical",
    enforcement="mandatory",
    scope="resource",
    resource_types=(KMS_KEY,),
    controls=("nist-800-53-r5:AC-3", "nist-800-53-r5:AC-6", "pci-dss-4.0.1:3.6.1"),
    remediation=(
        "Name the account root or specific roles/services as principals; condition any "
        "service statement (aws:SourceAccount, kms:ViaService)."
    ),
    check=check,
)
