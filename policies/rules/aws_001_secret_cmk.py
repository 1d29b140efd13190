"""Secrets Manager secrets are encrypted with a customer-managed KMS key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import SECRET


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    key = get(args.props, "kmsKeyId")
    if not key:
        yield "kmsKeyId is not set, so the secret uses the AWS managed key aws/secretsmanager"
    elif "alias/aws/" in str(key):
        yield f"kmsKeyId {key!r} is an AWS managed key, not a customer-managed key"


RULE = Rule(
    id="SECCAT-AWS-001",
    title="Secrets use a customer-managed KMS key",
    description=(
        "A Secrets Manager secret must set kmsKeyId to a customer-managed key, never the "
        "AWS managed aws/secretsmanager key, so key policy, rotation and deletion are under "
        "the owner's control (AWS Config secretsmanager-using-cmk; Checkov CKV_AWS_149; "
        "Trivy AWS-0098)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SECRET,),
    controls=(),
    remediation="Set kms_key_id to the environment's seccat key (alias/seccat/<env>).",
    check=check,
)
