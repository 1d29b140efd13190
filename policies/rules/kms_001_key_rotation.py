"""Customer-managed keys rotate at least yearly."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import KMS_KEY

#: AWS rotates yearly when no period is given (API_EnableKeyRotation).
AWS_DEFAULT_PERIOD_DAYS = 365.0


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    props = args.props
    spec = get(props, "customerMasterKeySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return  # AWS rotates symmetric encryption keys only
    if get(props, "enableKeyRotation") is not True:
        yield "enableKeyRotation is not true"
        return
    raw = get(props, "rotationPeriodInDays")
    period = AWS_DEFAULT_PERIOD_DAYS if raw is None else number(raw)
    if period is None:
        yield f"rotationPeriodInDays {raw!r} is not a number"
    elif period > float(config["maxPeriodDays"]):
        yield f"rotationPeriodInDays is {period:g}, above {config['maxPeriodDays']}"


RULE = Rule(
    id="SECCAT-KMS-001",
    title="KMS key rotation enabled, period at most 365 days",
    description=(
        "Symmetric customer-managed keys must set enableKeyRotation with a "
        "rotationPeriodInDays of at most 365 (AWS Config cmk-backing-key-rotation-enabled / "
        "Security Hub KMS.4; CIS AWS 3.0 3.6; Checkov CKV_AWS_7; Trivy AWS-0065; AWS's "
        "default period is 365 days)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(KMS_KEY,),
    controls=(
        "nist-800-53-r5:SC-12",
        "nist-800-53-r5:SC-12(2)",
        "nist-800-53-r5:SC-28(3)",
        "pci-dss-4.0.1:3.7.4",
        "pci-dss-4.0.1:3.7.5",
        "cis-aws-3.0:3.6",
        "soc2:PI1.5",
    ),
    remediation="Set enable_key_rotation=True and rotation_period_in_days<=365.",
    check=check,
    config_schema={
        "maxPeriodDays": {"type": "integer", "minimum": 90, "maximum": 2560, "default": 365}
    },
)
