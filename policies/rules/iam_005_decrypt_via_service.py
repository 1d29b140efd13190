"""kms:Decrypt is only granted through a named AWS service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import IDENTITY, POLICY_TYPES, Statement, grants_any
from seccat.policies.rules._iam_rule import violations


def judge(s: Statement) -> str | None:
    if not s.allows or not grants_any(s, ("kms:Decrypt",)):
        return None
    if "kms:viaservice" not in s.condition_keys():
        return "allows kms:Decrypt without a kms:ViaService condition"
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {IDENTITY}, judge)


RULE = Rule(
    id="SECCAT-IAM-005",
    title="kms:Decrypt only with a kms:ViaService condition",
    description=(
        "An identity policy that allows kms:Decrypt (directly or via 'kms:*'/'kms:De*') must "
        "condition it on kms:ViaService (for example secretsmanager.<region>.amazonaws.com), "
        "so the key decrypts only through Secrets Manager (Security Hub KMS.1/KMS.2 on "
        "kms:Decrypt: NIST AC-6; PCI DSS 4.0.1 3.6.1 via Prowler)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=POLICY_TYPES,
    controls=("nist-800-53-r5:AC-6", "pci-dss-4.0.1:3.6.1"),
    remediation=(
        'Add "Condition": {"StringEquals": {"kms:ViaService": '
        '"secretsmanager.<region>.amazonaws.com"}} to the statement.'
    ),
    check=check,
)
