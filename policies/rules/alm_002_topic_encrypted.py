"""Alarm topics are encrypted with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import SNS_TOPIC


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    key = get(args.props, "kmsMasterKeyId")
    if not key:
        yield "kmsMasterKeyId is not set, so messages are stored unencrypted"
    elif "alias/aws/" in str(key):
        yield (
            f"kmsMasterKeyId {key!r} is an AWS managed key: EventBridge and CloudWatch cannot "
            "publish to it, so alarms would be lost"
        )


RULE = Rule(
    id="SECCAT-ALM-002",
    title="SNS topics are encrypted with a customer-managed key",
    description=(
        "SNS topics must set kmsMasterKeyId to a customer-managed key; the AWS managed "
        "alias/aws/sns key cannot be used by EventBridge or CloudWatch alarms, so alarm "
        "delivery would silently fail (issue 2)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SNS_TOPIC,),
    controls=(),
    remediation="Set kms_master_key_id to the environment's seccat key alias.",
    check=check,
)
