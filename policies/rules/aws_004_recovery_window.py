"""Deleted secrets stay recoverable long enough to undo a mistake."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import SECRET

#: AWS's default when recoveryWindowInDays is not set (API_DeleteSecret).
AWS_DEFAULT_DAYS = 30.0


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    raw = get(args.props, "recoveryWindowInDays")
    days = AWS_DEFAULT_DAYS if raw is None else number(raw)
    if days is None:
        yield f"recoveryWindowInDays {raw!r} is not a number"
        return
    protected = bool(args.opts.protect) if args.opts is not None else False
    minimum = float(config["protectedMinDays"] if protected else config["minDays"])
    if days == 0:
        yield "recoveryWindowInDays is 0: a deletion would be immediate and unrecoverable"
    elif days < minimum:
        where = " in a protected environment" if protected else ""
        yield f"recoveryWindowInDays is {days:g}, below the minimum of {minimum:g}{where}"


RULE = Rule(
    id="SECCAT-AWS-004",
    title="Secret recovery window is long enough",
    description=(
        "A secret's recoveryWindowInDays must be at least 7 days (the shortest window AWS "
        "allows, API_DeleteSecret: 7-30, default 30), and at least 30 days where the "
        "environment protects data (resources carrying the protect option), so a deletion "
        "can be cancelled."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SECRET,),
    controls=(),
    remediation=(
        "Set recovery_window_in_days to 30 in protected environments and at least 7 elsewhere; "
        "never 0 (force delete)."
    ),
    check=check,
    config_schema={
        "minDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 7},
        "protectedMinDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 30},
    },
)
