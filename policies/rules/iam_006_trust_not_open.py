"""Role trust policies never let anyone assume the role."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import TRUST, Statement, open_principal
from seccat.policies.rules._iam_rule import violations
from seccat.policies.rules._types import IAM_ROLE


def judge(s: Statement) -> str | None:
    if s.allows and open_principal(s):
        return "trusts a wildcard principal ('*' or NotPrincipal)"
    return None


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    yield from violations(args, {TRUST}, judge)


RULE = Rule(
    id="SECCAT-IAM-006",
    title="Trust policies are never open to '*'",
    description=(
        "A role's assumeRolePolicy must name its principals (a service, a role ARN, an OIDC "
        "provider); a '*' principal or NotPrincipal in an Allow lets any AWS account assume "
        "it, whatever its conditions (Checkov CKV_AWS_60 / CKV_AWS_61)."
    ),
    severity="critical",
    enforcement="mandatory",
    scope="resource",
    resource_types=(IAM_ROLE,),
    # CKV_AWS_60/61 carry no framework mapping in the sources; baseline only.
    controls=(),
    remediation="Set the catalog's aws.trust to a service, role ARN or OIDC provider.",
    check=check,
)
