"""A role trusting an AWS service requires the confused-deputy keys that service sets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.documents.service_principals import documented
from seccat.policies.framework import Rule
from seccat.policies.iam import TRUST, Statement
from seccat.policies.rules._iam_rule import violations
from seccat.policies.rules._types import IAM_ROLE

#: Condition operators that require a key to be present and to match (an ...IfExists
#: operator passes a request without the key, a negated one passes every other value).
_BINDING = frozenset({"stringequals", "stringlike", "arnequals", "arnlike"})
_SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid")


def _bound_keys(s: Statement) -> set[str]:
    """Source keys a statement requires, each with a concrete (not wildcard-only) value."""
    bound: set[str] = set()
    for operator, block in s.conditions.items():
        if str(operator).lower() not in _BINDING or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            values = value if isinstance(value, list) else [value]
            concrete = values and all(
                isinstance(v, str) and v.strip("*?") and not _account_wildcard(key, v)
                for v in values
            )
            if str(key).lower() in _SOURCE_KEYS and concrete:
                bound.add(str(key).lower())
    return bound


def _account_wildcard(key: str, value: str) -> bool:
    """A pattern in the account (aws:SourceAccount itself, or the account field of
    aws:SourceArn) lets other accounts' resources in."""
    key = str(key).lower()
    if key == "aws:sourcearn":
        fields = value.split(":")
        value = fields[4] if len(fields) > 5 else "*"
    elif key != "aws:sourceaccount":
        return False
    return not value or any(c in value for c in "*?")


def judge(s: Statement) -> str | None:
    if not s.allows or s.principals is None or s.not_principal:
        return None
    services = [p for k, values in s.principals.items() if k == "Service" for p in values]
    bound = _bound_keys(s)
    for service in services:
        entry = documented(service)
        if entry is None:
            if not bound:
                return (
                    f"trusts {service} with no aws:SourceAccount/aws:SourceArn condition "
                    "(confused deputy), and seccat knows no documentation saying the "
                    "service sets none"
                )
            continue
        missing = [k for k in entry.keys if k.lower() not in bound]
        if missing:
            return (
                f"trusts {service} without {' and '.join(missing)}, which the service sets "
                f"on role assumption ({entry.source}): it could assume the role for another "
                "account's resources"
            )
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {TRUST}, judge)


RULE = Rule(
    id="SECCAT-IAM-007",
    title="Service-principal trust requires the service's source keys",
    description=(
        "A role's assumeRolePolicy that lets an AWS service assume it must require the "
        "confused-deputy keys the service documents setting (aws:SourceAccount, and "
        "aws:SourceArn where the service supports it), with a concrete value (no wildcard "
        "in the account) and a binding operator (not ...IfExists, not negated), so the "
        "service cannot be made to assume the role for another account's resources (IAM "
        "User Guide, 'The confused deputy problem'; Prowler "
        "iam_role_cross_service_confused_deputy_prevention). A service "
        "outside seccat's cited table needs at least one source key; services documented "
        "to set none (Lambda execution roles) pass."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(IAM_ROLE,),
    # Prowler's check carries no framework mapping in the reference sources; baseline only.
    controls=(),
    remediation=(
        "Name the service in the catalog's aws.trust.service so seccat adds its conditions; "
        "for a service outside the table, waive this rule for the one service with the "
        "reason given in trust.without_source_keys."
    ),
    check=check,
)
