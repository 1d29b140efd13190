"""No statement allows every action of a service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import IDENTITY, POLICY_TYPES, RESOURCE, Statement, service_wildcard
from seccat.policies.rules._iam_rule import violations


def judge(s: Statement) -> str | None:
    wild = [a for a in s.actions if service_wildcard(a)]
    if s.allows and wild:
        return f"allows a whole service: {', '.join(wild)}"
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {IDENTITY, RESOURCE}, judge)


RULE = Rule(
    id="SECCAT-IAM-002",
    title="No service-wide wildcard actions",
    description=(
        "Identity policies and secret/topic resource policies must not Allow 'service:*' "
        "(for example 'secretsmanager:*') (AWS Config iam-policy-no-statements-with-full-"
        "access / Security Hub IAM.21). Key policies are governed by SECCAT-KMS-002: their "
        "account-root 'kms:*' statement is AWS's default delegation to IAM."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=POLICY_TYPES,
    # IAM.21 has no framework mapping in the sources; baseline only.
    controls=(),
    remediation="Replace 'service:*' with the specific actions needed.",
    check=check,
)
