"""Secret resource policies deny plain HTTP, are never public, block public policies, and keep
reading and changing the secret from everyone they do not name (segregation of duties)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.catalog.iam_globs import matches
from seccat.documents.iam import GUARDED_ACTIONS
from seccat.policies.framework import Rule
from seccat.policies.iam import Statement, Unparsable, action_matches, open_principal, parsed
from seccat.policies.props import get, strings
from seccat.policies.rules._types import SECRET, SECRET_POLICY

#: The only conditions a guarding Deny may carry: naming the principals it exempts, and
#: exempting AWS services acting as themselves. Any other key (a source IP, a tag, a time)
#: makes the deny conditional on something a caller may control or avoid.
_EXEMPTING_OPERATORS = frozenset({"arnnotequals", "arnnotlike", "stringnotequals", "stringnotlike"})
_SERVICE_OPERATORS = frozenset({"bool", "boolifexists"})


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


def _covers(patterns: tuple[str, ...], arn: str | None) -> bool:
    """Whether a statement's resources reach the secret (in every region, when its ARN is
    known: a replica has the same ARN in another region and carries the same policy)."""
    for pattern in patterns:
        if pattern.strip() == "*":
            return True
        if not pattern.startswith("arn:aws:secretsmanager:"):
            continue
        if arn is None:
            return True
        parts = arn.split(":", 5)
        everywhere = ":".join([*parts[:3], "any-region", *parts[4:]])
        if matches(pattern, arn) and matches(pattern, everywhere):
            return True
    return False


def _guard_problem(s: Statement) -> str | None:
    """Why a Deny with Principal "*" does not guard unconditionally, or None if it does."""
    for operator, block in s.conditions.items():
        op = str(operator).lower()
        if not isinstance(block, Mapping):
            return f"{s.label} has a malformed condition"
        for key, value in block.items():
            k = str(key).lower()
            if k == "aws:principalarn" and op in _EXEMPTING_OPERATORS:
                if any("*" in v or "?" in v for v in strings(value)):
                    return (
                        f"{s.label} exempts a wildcard of principals ({', '.join(strings(value))})"
                    )
                continue
            service_exemption = k == "aws:principalisawsservice" and op in _SERVICE_OPERATORS
            if service_exemption and [v.lower() for v in strings(value)] == ["false"]:
                continue
            return f"{s.label} only denies when {operator} {key} holds"
    return None


def _unguarded(found: tuple[Statement, ...], secret_arn: str | None) -> tuple[list[str], list[str]]:
    """(guarded actions no Deny keeps from unnamed principals, problems of would-be guards)."""
    guarded: set[str] = set()
    problems: list[str] = []
    for s in found:
        if s.effect != "Deny" or s.not_principal or not s.principals:
            continue
        if not open_principal_any(s.principals) or s.not_resources:
            continue
        if not _covers(s.resources, secret_arn):
            continue
        if s.not_actions:
            actions = [
                a for a in GUARDED_ACTIONS if not any(action_matches(p, a) for p in s.not_actions)
            ]
        else:
            actions = [a for a in GUARDED_ACTIONS if any(action_matches(p, a) for p in s.actions)]
        if not actions or "aws:securetransport" in s.condition_keys():
            continue
        problem = _guard_problem(s)
        if problem is None:
            guarded.update(actions)
        elif problem not in problems:
            problems.append(problem)
    return [a for a in GUARDED_ACTIONS if a not in guarded], problems


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
    arn = get(props, "secretArn") if args.resource_type == SECRET_POLICY else None
    missing, problems = _unguarded(found, arn if isinstance(arn, str) and arn else None)
    yield from problems
    if missing:
        yield (
            "no statement denies "
            + ", ".join(missing)
            + ' to every principal it does not name (Deny for Principal "*" on the secret in '
            "every region, with at most ArnNotEquals aws:PrincipalArn and BoolIfExists "
            "aws:PrincipalIsAWSService = false), "
            "so any identity policy that grants them, a deploy role's or an administrator's, "
            "can read, overwrite or strip the secret"
        )
    if not _denies_insecure_transport(found):
        yield (
            "no statement denies requests without TLS "
            '(Deny for Principal "*" with Bool aws:SecureTransport = false)'
        )
    if args.resource_type == SECRET_POLICY and get(props, "blockPublicPolicy") is not True:
        yield "blockPublicPolicy is not true, so a later policy could make the secret public"


RULE = Rule(
    id="SECCAT-AWS-005",
    title="Secret resource policy guards reading and changing the secret, TLS, no public access",
    description=(
        "A secret's resource policy must deny every request without TLS "
        "(aws:SecureTransport = false), must not allow a '*' principal or use NotPrincipal "
        "in an Allow, and SecretPolicy must set blockPublicPolicy (issue 3; Checkov "
        "CKV_AWS_61/CKV_AWS_60 apply the same principal test to other resource policies). "
        "It must also deny GetSecretValue and every value- or policy-changing action "
        "(PutSecretValue, UpdateSecretVersionStage, UpdateSecret, RotateSecret, "
        "CancelRotateSecret, DeleteSecret, RestoreSecret, Put/DeleteResourcePolicy, "
        "Tag/UntagResource, ReplicateSecretToRegions, RemoveRegionsFromReplication, "
        "StopReplicationToReplica) to every principal it does not name by aws:PrincipalArn, "
        "unconditionally but for AWS services acting as themselves (issue 8: segregation of "
        "duties; docs/threat-model.md)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SECRET, SECRET_POLICY),
    controls=(),
    remediation=(
        "Render the secret policy from the seccat template (seccat.documents.iam."
        "secret_resource_policy): Allow only the consumer and rotation role ARNs, deny reads "
        "to all others, value changes to all but the rotation role, declared writers and the "
        "team's owner role, every other change to all but the owner role, add a "
        "DenyInsecureTransport statement, set block_public_policy."
    ),
    check=check,
)
