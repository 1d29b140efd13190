"""Every alarm notifies someone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import METRIC_ALARM


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    if get(args.props, "actionsEnabled") is False:
        yield "actionsEnabled is false, so the alarm never notifies"
    actions = get(args.props, "alarmActions")
    if not actions:
        yield "alarmActions is empty"
    if config["okActionRequired"] and not get(args.props, "okActions"):
        yield "okActions is empty, so recovery is never announced"


RULE = Rule(
    id="SECCAT-ALM-001",
    title="Every alarm has actions",
    description=(
        "A CloudWatch metric alarm must have actions enabled and at least one alarm action "
        "(AWS Config cloudwatch-alarm-action-check, alarmActionRequired=true; Checkov "
        "CKV_AWS_319); seccat also requires OK actions by default (issue 3). Alarms map to "
        "SOC 2 CC5.2 via Prowler."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(METRIC_ALARM,),
    controls=("soc2:CC5.2",),
    remediation="Set alarm_actions and ok_actions to the environment's alarm topic ARN.",
    check=check,
    config_schema={"okActionRequired": {"type": "boolean", "default": True}},
)
