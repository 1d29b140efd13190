"""No statement allows every action."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import (
    IDENTITY,
    KEY,
    POLICY_TYPES,
    RESOURCE,
    TRUST,
    Statement,
    is_full_wildcard,
)
from seccat.policies.rules._iam_rule import violations


def judge(s: Statement) -> str | None:
    if s.allows and any(is_full_wildcard(a) for a in s.actions):
        return "allows every action ('*' / '*:*')"
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {IDENTITY, TRUST, RESOURCE, KEY}, judge)


RULE = Rule(
    id="SECCAT-IAM-001",
    title="No '*:*' administrator statements",
    description=(
        "No policy document (role policies, managed policies, trust, secret, topic and key "
        "policies) may Allow Action '*' (AWS Config iam-policy-no-statements-with-admin-"
        "access / Security Hub IAM.1; CIS AWS 3.0 1.16; Checkov CKV_AWS_1/CKV_AWS_62)."
    ),
    severity="critical",
    enforcement="mandatory",
    scope="resource",
    resource_types=POLICY_TYPES,
    controls=(
        "cis-aws-3.0:1.16",
        "nist-800-53-r5:AC-6",
        "soc2:CC6.1",
        "soc2:CC6.2",
        "soc2:CC6.3",
    ),
    remediation="List the exact actions the principal needs.",
    check=check,
)
