"""Lambda permissions name the calling resource and account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import LAMBDA_PERMISSION


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    principal = get(args.props, "principal")
    if not str(principal or "").endswith(".amazonaws.com"):
        return  # account and role principals are bounded by their own identity
    if not get(args.props, "sourceArn"):
        yield f"permission for {principal} has no sourceArn (confused deputy)"
    if not get(args.props, "sourceAccount"):
        yield f"permission for {principal} has no sourceAccount"


RULE = Rule(
    id="SECCAT-LMB-002",
    title="Lambda permissions carry a source ARN and source account",
    description=(
        "A permission letting an AWS service (secretsmanager.amazonaws.com, events, "
        "scheduler) invoke a function must set sourceArn and sourceAccount so no other "
        "account's resource can invoke it (Trivy AWS-0067, Critical; AWS Config "
        "lambda-function-public-access-prohibited; Checkov CKV_AWS_364)."
    ),
    severity="critical",
    enforcement="mandatory",
    scope="resource",
    resource_types=(LAMBDA_PERMISSION,),
    controls=(),
    remediation="Set source_arn to the invoking resource and source_account to the account id.",
    check=check,
)
