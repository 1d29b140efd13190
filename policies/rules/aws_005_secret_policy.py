"""Secret resource policies deny plain HTTP, are never public, and block public policies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from policies.framework import Rule
from policies.iam import Statement, Unparsable, open_principal, parsed
from policies.props import get
from policies.rules._types import SECRET, SECRET_POLICY


def _denies_insecure_transport(found: tuple[Statement, ...]) -> bool:
    for s in found:
        if s.effect != "Deny" or not s.principals:
            continue
        if not open_principal_any(s.principals):
            continue
        values = [v.lower() for v in s.condition_values("aws:SecureTransport")]
        bool_block = any(
            str(k).lower() == "bool" and isinstance(v, Mapping) for k, v in s.conditions.items()
        )
        if "false" in values and bool_block:
            return True
    return False


def open_principal_any(principals: Mapping[str, tuple[str, ...]]) -> bool:
    return any(v.strip() == "*" for values in principals.values() for v in values)


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    props = args.props
    if args.resource_type == SECRET and get(props, "policy") in (None, ""):
        return  # the policy is attached by a SecretPolicy resource, checked there
    found = parsed(props, "policy")
    if found is None:
        yield "the secret has no resource policy"
        return
    if isinstance(found, Unparsable):
        yield "the resource policy is not valid JSON"
        return
    for s in found:
        if s.allows and open_principal(s):
            yield f"{s.label} allows a wildcard principal ('*' or NotPrincipal)"
    if not _denies_insecure_transport(found):
        yield (
            "no statement denies requests without TLS "
            '(Deny for Principal "*" with Bool aws:SecureTransport = false)'
        )
    if args.resource_type == SECRET_POLICY and get(props, "blockPublicPolicy") is not True:
        yield "blockPublicPolicy is not true, so a later policy could make the secret public"


RULE = Rule(
    id="SECCAT-AWS-005",
    title="Secret resource policy denies non-TLS access and has no wildcard principal",
    description=(
        "A secret's resource policy must deny every request without TLS "
        "(aws:SecureTransport = false), must not allow a '*' principal or use NotPrincipal "
        "in an Allow, and SecretPolicy must set blockPublicPolicy (issue 3; Checkov "
        "CKV_AWS_61/CKV_AWS_60 apply the same principal test to other resource policies)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SECRET, SECRET_POLICY),
    controls=(),
    remediation=(
        "Render the secret policy from the seccat template: Allow only the consumer and "
        "rotation role ARNs, add a DenyInsecureTransport statement, set block_public_policy."
    ),
    check=check,
)
