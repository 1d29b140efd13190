"""Log groups keep logs long enough and encrypt them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import LOG_GROUP


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    retention = number(get(args.props, "retentionInDays"))
    if retention is None or retention == 0:
        yield "retentionInDays is not set (logs never expire and retention is unmanaged)"
    elif retention < float(config["minRetentionDays"]):
        yield f"retentionInDays is {retention:g}, below {config['minRetentionDays']}"
    if not get(args.props, "kmsKeyId"):
        yield "kmsKeyId is not set, so the log group is not encrypted with a customer key"


RULE = Rule(
    id="SECCAT-LMB-004",
    title="Log groups have retention and KMS encryption",
    description=(
        "Every log group (rotation functions' included) sets retentionInDays of at least "
        "365 (Checkov CKV_AWS_338: at least one year; CKV_AWS_66: retention set) and a "
        "customer-managed kmsKeyId (Checkov CKV_AWS_158; log encryption: NIST AU-9(3), "
        "PCI DSS 4.0.1 10.3.2 via Prowler)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(LOG_GROUP,),
    controls=("nist-800-53-r5:AU-9(3)", "pci-dss-4.0.1:10.3.2"),
    remediation="Set retention_in_days (365 or more) and kms_key_id to the environment key ARN.",
    check=check,
    config_schema={
        "minRetentionDays": {"type": "integer", "minimum": 1, "maximum": 3653, "default": 365}
    },
)
