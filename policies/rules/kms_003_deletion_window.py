"""A scheduled key deletion can be cancelled for long enough."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import KMS_KEY

#: AWS's default waiting period (Security Hub KMS.3: default 30, minimum 7).
AWS_DEFAULT_DAYS = 30.0


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    raw = get(args.props, "deletionWindowInDays")
    days = AWS_DEFAULT_DAYS if raw is None else number(raw)
    if days is None:
        yield f"deletionWindowInDays {raw!r} is not a number"
        return
    protected = bool(args.opts.protect) if args.opts is not None else False
    minimum = float(config["protectedMinDays"] if protected else config["minDays"])
    if days < minimum:
        where = " in a protected environment" if protected else ""
        yield f"deletionWindowInDays is {days:g}, below {minimum:g}{where}"


RULE = Rule(
    id="SECCAT-KMS-003",
    title="KMS deletion window at least 30 days where data is protected",
    description=(
        "deletionWindowInDays must be at least 30 days on keys in protected environments "
        "(resources with the protect option) and at least 7 elsewhere (Security Hub KMS.3: "
        "waiting period default 30, minimum 7; kms-cmk-not-scheduled-for-deletion)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(KMS_KEY,),
    controls=(
        "nist-800-53-r5:SC-12",
        "nist-800-53-r5:SC-12(2)",
        "pci-dss-4.0.1:3.6.1",
        "soc2:CC6.1",
    ),
    remediation="Set deletion_window_in_days=30 for keys in protected environments.",
    check=check,
    config_schema={
        "minDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 7},
        "protectedMinDays": {"type": "integer", "minimum": 7, "maximum": 30, "default": 30},
    },
)
