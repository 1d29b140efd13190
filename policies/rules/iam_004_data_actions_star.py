"""Secret and KMS data actions are scoped to resources, never '*'."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import (
    DATA_ACTION_PATTERNS,
    IDENTITY,
    POLICY_TYPES,
    Statement,
    grants_any,
    resource_is_star,
)
from seccat.policies.rules._iam_rule import violations


def judge(s: Statement) -> str | None:
    if not s.allows or not resource_is_star(s):
        return None
    granted = grants_any(s, DATA_ACTION_PATTERNS)
    if granted:
        shown = ", ".join(granted[:4]) + (", ..." if len(granted) > 4 else "")
        return f"allows {shown} on every resource"
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {IDENTITY}, judge)


RULE = Rule(
    id="SECCAT-IAM-004",
    title="No Resource '*' for secret or KMS data actions",
    description=(
        "Identity policies must not allow secret reads/writes or KMS cryptographic actions "
        "(GetSecretValue, PutSecretValue, kms:Decrypt, kms:ReEncrypt*, ...) on Resource '*' "
        "or NotResource (AWS Config iam-*-policy-blocked-kms-actions / Security Hub "
        "KMS.1/KMS.2: NIST AC-2, AC-3, AC-5, AC-6, AC-6(3); PCI DSS 4.0.1 3.6.1 via Prowler; "
        "Checkov CKV_AWS_355; cloudsplaining flags unrestricted GetSecretValue)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=POLICY_TYPES,
    controls=(
        "nist-800-53-r5:AC-3",
        "nist-800-53-r5:AC-6",
        "nist-800-53-r5:AC-6(3)",
        "pci-dss-4.0.1:3.6.1",
    ),
    remediation=(
        "Scope secret actions to arn:aws:secretsmanager:<region>:<account>:secret:<name>-?????? "
        "and KMS actions to the environment key ARN."
    ),
    check=check,
)
