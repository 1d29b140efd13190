"""A small IAM policy evaluator for the isolation proof: AWS's documented evaluation logic for
the policy types and condition operators seccat generates, and nothing more.

Why not a library: moto's access control (moto.iam.access_control) evaluates identity
policies only, knows StringEquals alone and treats every other condition operator as
satisfied, has no resource policies, Service or Federated principals, or '?' wildcards;
principalmapper (AGPL, last release 2022) simulates an account snapshot graph and no web
identity trust; policyuniverse, parliament and cloudsplaining parse or lint policies but do
not decide requests. tests/iam_evaluator.py (the secret policies' evaluator) is deliberately
same-account only and refuses cross-account requests, trust and key policies and web
identities, which the isolation matrix needs; it is also not built for millions of
decisions (this one compiles each document once). What is decided here follows
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
(and the linked pages on cross-account evaluation, condition operators and KMS key policies),
each rule tested with a case and its negative in test_policy_evaluation.py (which also
checks that tests/iam_evaluator.py, written separately for same-account requests, decides
every same-account request of the isolation matrix alike):

1. An explicit Deny in any applicable policy (identity or resource) wins.
2. Within one account, an Allow in the identity policies *or* in the resource policy allows
   (a resource policy naming the principal's ARN grants on its own); a resource policy that
   names only the principal's *account* delegates to IAM, so the identity policy must allow.
3. Across accounts, both must allow: the identity policy in the principal's account and the
   resource policy in the resource's account.
4. Where the resource's own policy is required (a KMS key policy, a role's trust policy), an
   identity policy alone never allows.
5. Otherwise the request is implicitly denied.

Not modelled, because seccat emits none of them (an unsupported element or operator raises
instead of being guessed): NotPrincipal, NotAction, NotResource, policy variables,
permissions boundaries, session policies, SCPs and RCPs, numeric/date/IP operators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

Decision = Literal["allow", "explicit-deny", "implicit-deny"]


class UnsupportedPolicy(ValueError):
    """A policy element or operator this evaluator does not model: fail, never guess."""


@dataclass(frozen=True)
class Principal:
    """Who makes a request.

    ``AWS``: an IAM role (by role ARN: a session of the role matches its role ARN);
    ``Service``: an AWS service principal acting for resources of ``account``;
    ``Federated``: a web identity (an OIDC provider ARN), which can only be exchanged for a
    role session with sts:AssumeRoleWithWebIdentity.
    """

    kind: Literal["AWS", "Service", "Federated"]
    id: str
    account: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    #: The account owning the resource (for "same account or not").
    resource_account: str
    #: Request context keys; every value is a tuple (multi-valued keys have several).
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def evaluate(
    request: Request,
    identity_policies: Sequence[Mapping[str, Any]] = (),
    resource_policy: Mapping[str, Any] | None = None,
    *,
    resource_policy_required: bool = False,
) -> Decision:
    """The decision AWS documents for ``request``.

    ``identity_policies``: the policies attached to the principal (AWS principals only).
    ``resource_policy``: the policy of the resource (secret policy, key policy, trust).
    ``resource_policy_required``: KMS keys and role trust: identity policies alone never
    allow (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html).
    """
    return decide(
        request.principal,
        request.action,
        request.resource,
        request.resource_account,
        _context(request.context),
        [compile_policy(p) for p in identity_policies],
        compile_policy(resource_policy) if resource_policy is not None else None,
        resource_policy_required=resource_policy_required,
    )


def decide(
    principal: Principal,
    action: str,
    resource_arn: str,
    resource_account: str,
    context: Mapping[str, tuple[str, ...]],
    identity: Sequence[tuple[Statement, ...]],
    resource: tuple[Statement, ...] | None,
    *,
    resource_policy_required: bool = False,
) -> Decision:
    """``evaluate`` on compiled policies and a context whose keys are lower case (the
    isolation matrices build both once and decide millions of requests)."""
    if principal.kind != "AWS" and identity:
        raise UnsupportedPolicy("only IAM principals have identity policies")

    identity_allow = False
    for policy in identity:
        for statement in policy:
            if statement.principals is not None:
                raise UnsupportedPolicy("an identity policy statement has no Principal")
            if not statement.applies(action, resource_arn, context):
                continue
            if statement.effect == "Deny":
                return "explicit-deny"
            identity_allow = True

    resource_allow: Literal["principal", "account"] | None = None
    if resource is not None:
        for statement in resource:
            if statement.principals is None:
                raise UnsupportedPolicy("a resource policy statement needs a Principal")
            match = statement.principal_match(principal)
            if match is None or not statement.applies(action, resource_arn, context):
                continue
            if statement.effect == "Deny":
                return "explicit-deny"
            if resource_allow != "principal":
                resource_allow = match

    same_account = principal.account == resource_account
    if principal.kind != "AWS":
        # Services and web identities have no identity policies: only the resource policy
        # can grant them anything.
        return "allow" if resource_allow is not None else "implicit-deny"
    if resource_allow == "principal" and same_account:
        return "allow"
    if resource_allow is not None and identity_allow:
        return "allow"
    if identity_allow and same_account and not resource_policy_required:
        return "allow"
    return "implicit-deny"


def lowered(context: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """A request context as ``decide`` takes it."""
    return _context(context)


# -- compiled statements --------------------------------------------------------------------


def _listed(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    raise UnsupportedPolicy(f"expected a string or a list of strings, got {value!r}")


def _glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM wildcards: '*' any run of characters (also none), '?' exactly one."""
    if "${" in pattern:
        raise UnsupportedPolicy(f"policy variables are not modelled: {pattern!r}")
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _globs(patterns: Iterable[str], *, ignore_case: bool = False) -> re.Pattern[str]:
    return re.compile(
        "|".join(f"(?:{_glob(p, ignore_case=ignore_case).pattern})" for p in patterns),
        re.DOTALL | (re.IGNORECASE if ignore_case else 0),
    )


def _arn_parts(pattern: str) -> tuple[re.Pattern[str], ...] | None:
    parts = pattern.split(":", 5)
    return tuple(_glob(p) for p in parts) if len(parts) == 6 else None


def _arn_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """ArnLike/ArnEquals: the six colon-separated parts match one by one, each with
    wildcards (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN)."""
    compiled = [c for c in (_arn_parts(p) for p in patterns) if c is not None]

    def match(value: str) -> bool:
        parts = value.split(":", 5)
        if len(parts) != 6:
            return False
        return any(
            all(p.fullmatch(v) is not None for p, v in zip(c, parts, strict=True)) for c in compiled
        )

    return match


def _matcher(base: str, values: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether one context value matches any of the policy's values."""
    if base in ("StringEquals", "StringNotEquals"):
        exact = frozenset(values)
        return exact.__contains__
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        folded = frozenset(v.lower() for v in values)
        return lambda value: value.lower() in folded
    if base in ("StringLike", "StringNotLike"):
        pattern = _globs(values)
        return lambda value: pattern.fullmatch(value) is not None
    if base in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        return _arn_matcher(values)
    if base == "Bool":
        folded = frozenset(v.lower() for v in values)
        return lambda value: value.lower() in folded
    raise UnsupportedPolicy(f"condition operator {base} is not modelled")


#: Base operators and whether they are negated. ArnEquals is documented to behave as ArnLike.
_NEGATED = {
    "StringEquals": False,
    "StringNotEquals": True,
    "StringEqualsIgnoreCase": False,
    "StringNotEqualsIgnoreCase": True,
    "StringLike": False,
    "StringNotLike": True,
    "ArnEquals": False,
    "ArnLike": False,
    "ArnNotEquals": True,
    "ArnNotLike": True,
    "Bool": False,
}


class Condition:
    """One condition key under one operator, compiled once."""

    def __init__(self, operator: str, key: str, values: tuple[str, ...]) -> None:
        self.operator, self.key, self.values = operator, key, values
        self.lookup = key.lower()
        op, self.qualifier = operator, None
        if ":" in op:
            self.qualifier, op = op.split(":", 1)
            if self.qualifier not in ("ForAnyValue", "ForAllValues"):
                raise UnsupportedPolicy(f"unknown set operator {self.qualifier}")
        self.null: bool | None = None
        if op == "Null":
            if self.qualifier:
                raise UnsupportedPolicy("Null takes no set operator")
            self.null = values[0].lower() == "true"
            return
        self.if_exists = op.endswith("IfExists")
        base = op.removesuffix("IfExists")
        if base not in _NEGATED:
            raise UnsupportedPolicy(f"condition operator {operator} is not modelled")
        self.negated = _NEGATED[base]
        self.match = _matcher(base, values)

    def holds(self, context: Mapping[str, tuple[str, ...]]) -> bool:
        present = context.get(self.lookup)
        if self.null is not None:
            return (present is None) == self.null
        if present is None:
            # Missing key: IfExists holds; ForAnyValue fails, ForAllValues holds; a negated
            # operator holds, a positive one fails (condition operators page, "...IfExists"
            # and "Condition keys that are not present").
            if self.if_exists:
                return True
            if self.qualifier == "ForAnyValue":
                return False
            if self.qualifier == "ForAllValues":
                return True
            return self.negated
        negated, match = self.negated, self.match
        if self.qualifier == "ForAnyValue":
            return any(match(v) != negated for v in present)
        if self.qualifier == "ForAllValues":
            return all(match(v) != negated for v in present)
        if len(present) != 1:
            raise UnsupportedPolicy(
                f"{self.key} has several values: the policy needs ForAnyValue or ForAllValues"
            )
        return match(present[0]) != negated


@dataclass(frozen=True)
class Statement:
    effect: Literal["Allow", "Deny"]
    actions: re.Pattern[str]
    #: None: no Resource element (a trust policy); applies to any resource.
    resources: re.Pattern[str] | None
    #: None: an identity policy statement (no Principal element).
    principals: Mapping[str, tuple[str, ...]] | None
    conditions: tuple[Condition, ...]

    def applies(self, action: str, resource: str, context: Mapping[str, tuple[str, ...]]) -> bool:
        if self.actions.fullmatch(action) is None:
            return False
        if self.resources is not None and self.resources.fullmatch(resource) is None:
            return False
        return all(c.holds(context) for c in self.conditions)

    def principal_match(self, principal: Principal) -> Literal["principal", "account"] | None:
        """How the Principal element names ``principal``: itself, its account, or not."""
        assert self.principals is not None
        if "*" in self.principals:
            return "principal"
        named = self.principals.get(principal.kind, ())
        if "*" in named or principal.id in named:
            return "principal"
        if principal.kind == "AWS" and (
            principal.account in named or f"arn:aws:iam::{principal.account}:root" in named
        ):
            return "account"
        return None


def _principals(value: Any) -> Mapping[str, tuple[str, ...]]:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict):
        raise UnsupportedPolicy(f"unexpected Principal {value!r}")
    unknown = set(value) - {"AWS", "Service", "Federated"}
    if unknown:
        raise UnsupportedPolicy(f"principal types {sorted(unknown)} are not modelled")
    out = {kind: _listed(v) for kind, v in value.items()}
    for kind, names in out.items():
        for name in names:
            if name != "*" and ("*" in name or "?" in name):
                raise UnsupportedPolicy(f"a {kind} principal cannot hold wildcards: {name}")
    return out


_KNOWN_ELEMENTS = {"Sid", "Effect", "Action", "Resource", "Principal", "Condition"}


def _statement(raw: Mapping[str, Any]) -> Statement:
    unknown = set(raw) - _KNOWN_ELEMENTS
    if unknown:
        raise UnsupportedPolicy(f"statement elements {sorted(unknown)} are not modelled")
    effect = raw["Effect"]
    if effect not in ("Allow", "Deny"):
        raise UnsupportedPolicy(f"unknown Effect {effect!r}")
    conditions = tuple(
        Condition(operator, key, _listed(values))
        for operator, block in (raw.get("Condition") or {}).items()
        for key, values in block.items()
    )
    return Statement(
        effect=effect,
        # Action names ignore case; resources (ARNs) do not.
        actions=_globs(_listed(raw["Action"]), ignore_case=True),
        resources=_globs(_listed(raw["Resource"])) if "Resource" in raw else None,
        principals=_principals(raw["Principal"]) if "Principal" in raw else None,
        conditions=conditions,
    )


def compile_policy(policy: Mapping[str, Any]) -> tuple[Statement, ...]:
    """A policy document's statements, compiled (cached by the document's identity)."""
    return _compiled(_Frozen(policy))


class _Frozen:
    """Hashes a document by identity, so a document compiles once however often it is used."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frozen) and other.document is self.document


@lru_cache(maxsize=100_000)
def _compiled(frozen: _Frozen) -> tuple[Statement, ...]:
    policy = frozen.document
    if policy.get("Version") != "2012-10-17":
        raise UnsupportedPolicy("policies must use Version 2012-10-17 (wildcards, conditions)")
    statements = policy["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    return tuple(_statement(s) for s in statements)


def _context(context: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Condition keys are case-insensitive."""
    out: dict[str, tuple[str, ...]] = {}
    for key, values in context.items():
        if isinstance(values, str):
            raise TypeError(f"context values are tuples: {key}={values!r}")
        out[key.lower()] = tuple(values)
    return out
