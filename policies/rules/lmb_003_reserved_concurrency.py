"""Functions have reserved concurrency."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import LAMBDA_FUNCTION


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    raw = get(args.props, "reservedConcurrentExecutions")
    value = number(raw)
    if value is None or value < 0:
        yield (
            "reservedConcurrentExecutions is not set, so rotation competes for the "
            "account's concurrency"
        )
    elif value == 0:
        yield "reservedConcurrentExecutions is 0, which stops the function from running"


RULE = Rule(
    id="SECCAT-LMB-003",
    title="Rotation functions have reserved concurrency",
    description=(
        "reservedConcurrentExecutions must be at least 1 so a rotation can always run and "
        "can never exhaust the account's concurrency (Checkov CKV_AWS_115; issue 3)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(LAMBDA_FUNCTION,),
    controls=(),
    remediation="Set reserved_concurrent_executions (seccat uses a small number such as 2).",
    check=check,
)
