"""No Allow statement uses NotAction or NotResource."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import IDENTITY, KEY, POLICY_TYPES, RESOURCE, TRUST, Statement
from seccat.policies.rules._iam_rule import violations


def judge(s: Statement) -> str | None:
    if not s.allows:
        return None
    used = [n for n, v in (("NotAction", s.not_actions), ("NotResource", s.not_resources)) if v]
    return f"Allow with {' and '.join(used)} grants everything not listed" if used else None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {IDENTITY, TRUST, RESOURCE, KEY}, judge)


RULE = Rule(
    id="SECCAT-IAM-003",
    title="No Allow with NotAction or NotResource",
    description=(
        "An Allow with NotAction or NotResource grants every action or resource except a "
        "list, including ones AWS adds later, so seccat treats it as a wildcard "
        "(cloudsplaining flags NotAction)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=POLICY_TYPES,
    # No source maps NotAction checks to a framework control; baseline only.
    controls=(),
    remediation="Use Action and Resource lists; express exceptions with a Deny statement.",
    check=check,
)
