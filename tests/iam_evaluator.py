"""A small, pure IAM policy evaluator: AWS's documented evaluation logic for one account.

moto enforces no resource policy of Secrets Manager (its access control says so:
"TODO add support for resource-based policies"), so tests that must know whether a request
is allowed evaluate the generated documents here. Deliberately small and strict; every rule
is AWS's documented one, and tests/aws/test_iam_evaluator.py holds a case for each:

* evaluation logic
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
  an explicit Deny in any applicable policy wins; otherwise, within one account, an Allow in
  an identity policy or in the resource policy allows; otherwise the request is implicitly
  denied. A resource policy that names only the account (``arn:aws:iam::<id>:root`` or the
  id) delegates to the account's identity policies and grants nothing by itself;
* condition operators
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
  a key missing from the request makes a condition false, except a negated operator
  (``StringNotEquals``, ``ArnNotEquals``...), which is then true, and ``...IfExists``, which is
  true; ``Null`` tests presence;
* several operators, several keys: AND; several values for one key: OR, and NOR for a negated
  operator
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html);
* actions match case-insensitively with ``*``/``?``; ARNs (``Resource``, ``Arn*`` operators)
  match each of their six colon-separated parts separately, case-sensitively.

Set operators: ``ForAnyValue:``/``ForAllValues:`` with the positive String/Arn operators.
Out of scope, and refused (``Unsupported``) rather than guessed, so that no test can pass on a
silently ignored element: cross-account requests, ``NotPrincipal``, ``{"AWS": "*"}``,
negated set operators, numeric/date/IP operators, policy variables. SCPs, permission
boundaries and session policies are not modelled.

No fixtures, no pytest: any test may import it (``from iam_evaluator import ...``).
"""

from __future__ import annotations

import enum
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class Unsupported(ValueError):
    """A policy element this evaluator does not model: the test must not rely on it."""


class Decision(enum.Enum):
    ALLOW = "allow"
    EXPLICIT_DENY = "explicit deny"
    IMPLICIT_DENY = "implicit deny"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOW


@dataclass(frozen=True)
class Principal:
    """Who makes the request: an IAM role (``arn``, the role behind any session, which is
    what ``aws:PrincipalArn`` holds) or an AWS service principal acting as itself."""

    arn: str | None = None
    service: str | None = None

    def __post_init__(self) -> None:
        if (self.arn is None) == (self.service is None):
            raise ValueError("a principal is either an IAM role ARN or a service principal")

    @property
    def account(self) -> str | None:
        return self.arn.split(":")[4] if self.arn else None


def role(account: str, name: str) -> Principal:
    return Principal(arn=f"arn:aws:iam::{account}:role/{name}")


def service(name: str) -> Principal:
    return Principal(service=name)


@dataclass(frozen=True)
class Request:
    principal: Principal
    action: str
    resource: str
    #: Further context keys (``aws:SecureTransport`` defaults to "true": SDKs use TLS); a
    #: tuple is a multivalued key.
    context: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)

    def keys(self) -> dict[str, str | tuple[str, ...]]:
        """The request context, keys lower-cased (condition keys are case-insensitive)."""
        found: dict[str, str | tuple[str, ...]] = {"aws:securetransport": "true"}
        p = self.principal
        if p.arn is not None:
            found["aws:principalarn"] = p.arn
            found["aws:principalaccount"] = p.account or ""
            found["aws:principalisawsservice"] = "false"
        else:
            found["aws:principalisawsservice"] = "true"
            found["aws:principalservicename"] = p.service or ""
        found |= {k.lower(): v for k, v in self.context.items()}
        return found


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [_scalar(v) for v in value]
    return [_scalar(value)]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str):
        raise Unsupported(f"non-string policy value {value!r}")
    if "${" in value:
        raise Unsupported(f"policy variables are not modelled: {value!r}")
    return value


def action_matches(pattern: str, action: str) -> bool:
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


def arn_matches(pattern: str, arn: str) -> bool:
    """``*`` alone matches anything; otherwise each of the six parts matches on its own."""
    if pattern == "*":
        return True
    wanted, actual = pattern.split(":", 5), arn.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(fnmatch.fnmatchcase(a, w) for w, a in zip(wanted, actual, strict=True))


def _value_matches(base: str, pattern: str, value: str) -> bool:
    if base in ("StringEquals", "StringNotEquals"):
        return pattern == value
    if base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
        return pattern.lower() == value.lower()
    if base in ("StringLike", "StringNotLike"):
        return fnmatch.fnmatchcase(value, pattern)
    if base in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"):
        return arn_matches(pattern, value)
    if base == "Bool":
        return pattern.lower() == value.lower()
    raise Unsupported(f"condition operator {base}")


_NEGATED = frozenset(
    {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}
)
_KNOWN = frozenset(
    {
        *_NEGATED,
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "Bool",
        "Null",
    }
)


def condition_holds(operator: str, block: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    """One operator block (``{"ArnNotEquals": {...}}``'s value): every key must hold."""
    qualifier, _, operator = operator.rpartition(":")
    if qualifier:
        return _set_condition_holds(qualifier, operator, block, context)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if base not in _KNOWN or (if_exists and base == "Null"):
        raise Unsupported(f"condition operator {operator}")
    return all([_key_holds(base, if_exists, key, raw, context) for key, raw in block.items()])


def _set_condition_holds(
    qualifier: str, operator: str, block: Mapping[str, Any], context: Mapping[str, Any]
) -> bool:
    """``ForAnyValue:``/``ForAllValues:`` over a multivalued key (only the positive operators):
    ForAnyValue holds when some request value matches some policy value, and never for a
    missing key; ForAllValues holds when every request value matches, and for a missing key
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html)."""
    if qualifier not in ("ForAnyValue", "ForAllValues") or operator not in (
        "StringEquals",
        "StringLike",
        "ArnEquals",
        "ArnLike",
    ):
        raise Unsupported(f"set operator {qualifier}:{operator}")
    results = []
    for key, raw in block.items():
        wanted = _strings(raw)
        found = context.get(key.lower())
        values = [] if found is None else [found] if isinstance(found, str) else list(found)
        hits = [any(_value_matches(operator, w, v) for w in wanted) for v in values]
        results.append(any(hits) if qualifier == "ForAnyValue" else all(hits))
    return all(results)


def _key_holds(base: str, if_exists: bool, key: str, raw: Any, context: Mapping[str, str]) -> bool:
    wanted = _strings(raw)
    present = key.lower() in context
    if base == "Null":
        if not all(w in ("true", "false") for w in wanted):
            raise Unsupported(f"Null takes true or false, not {wanted}")
        return any((w == "true") == (not present) for w in wanted)
    if not present:
        return if_exists or base in _NEGATED
    value = context[key.lower()]
    if not isinstance(value, str):
        raise Unsupported(f"{base} on the multivalued key {key}: use ForAnyValue/ForAllValues")
    matched = any(_value_matches(base, w, value) for w in wanted)
    return matched != (base in _NEGATED)


def _principal_matches(element: Any, principal: Principal) -> tuple[bool, bool]:
    """(matches, grants on its own). Naming the account matches but only delegates to the
    account's identity policies, so an Allow through it grants nothing by itself."""
    if element == "*":
        return True, True
    if not isinstance(element, Mapping):
        raise Unsupported(f"principal element {element!r}")
    matched, direct = False, False
    for kind, raw in element.items():
        for value in _strings(raw):
            if kind == "Service":
                if principal.service == value:
                    matched, direct = True, True
            elif kind == "AWS":
                if value == "*":
                    raise Unsupported('{"AWS": "*"}')
                if principal.arn is None:
                    continue
                if value == principal.arn:
                    matched, direct = True, True
                elif value in (principal.account, f"arn:aws:iam::{principal.account}:root"):
                    matched = True
            else:
                raise Unsupported(f"principal kind {kind}")
    return matched, direct


def _statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = policy.get("Statement")
    return [raw] if isinstance(raw, Mapping) else list(raw or [])


def _applies(
    stmt: Mapping[str, Any], request: Request, context: Mapping[str, Any], resource_based: bool
) -> tuple[bool, bool]:
    """(applies, grants on its own) for one statement. Every element is evaluated, so an
    element outside this evaluator's scope raises even where another one does not match."""
    if "NotPrincipal" in stmt:
        raise Unsupported("NotPrincipal")
    if resource_based:
        if "Principal" not in stmt:
            raise Unsupported("a resource policy statement without Principal")
        principal, direct = _principal_matches(stmt["Principal"], request.principal)
    elif "Principal" in stmt:
        raise Unsupported("Principal in an identity policy")
    else:
        principal, direct = True, True
    if "NotAction" in stmt:
        action = not any(action_matches(p, request.action) for p in _strings(stmt["NotAction"]))
    else:
        action = any(action_matches(p, request.action) for p in _strings(stmt.get("Action")))
    if "NotResource" in stmt:
        resource = not any(arn_matches(p, request.resource) for p in _strings(stmt["NotResource"]))
    else:
        resource = any(arn_matches(p, request.resource) for p in _strings(stmt.get("Resource")))
    conditions = stmt.get("Condition") or {}
    holds = [condition_holds(op, block, context) for op, block in conditions.items()]
    applies = principal and action and resource and all(holds)
    return applies, applies and direct


def evaluate(
    request: Request,
    identity_policies: Iterable[Mapping[str, Any]] = (),
    resource_policy: Mapping[str, Any] | None = None,
) -> Decision:
    """The decision for one same-account request. Identity policies apply to IAM
    principals only (a service principal has none)."""
    resource_account = request.resource.split(":")[4] if request.resource != "*" else None
    account = request.principal.account
    if account is not None and resource_account and resource_account != account:
        raise Unsupported("cross-account requests are not modelled")
    context = request.keys()
    documents: list[tuple[Mapping[str, Any], bool]] = []
    if request.principal.arn is not None:
        documents += [(p, False) for p in identity_policies]
    if resource_policy is not None:
        documents.append((resource_policy, True))
    allowed = denied = False
    # Every statement is evaluated, even after a Deny: an element this evaluator cannot
    # model must raise wherever it is, never hide behind an earlier decision.
    for policy, resource_based in documents:
        for stmt in _statements(policy):
            effect = stmt.get("Effect")
            if effect not in ("Allow", "Deny"):
                raise Unsupported(f"effect {effect!r}")
            applies, direct = _applies(stmt, request, context, resource_based)
            if applies and effect == "Deny":
                denied = True
            elif applies:
                allowed = allowed or direct
    if denied:
        return Decision.EXPLICIT_DENY
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def decide(
    principal: Principal,
    action: str,
    resource: str,
    identity_policies: Sequence[Mapping[str, Any]] = (),
    resource_policy: Mapping[str, Any] | None = None,
    **context: str | tuple[str, ...],
) -> Decision:
    """Shorthand: ``decide(role(...), "secretsmanager:PutSecretValue", arn, [...], doc)``;
    keyword context keys use ``__`` for ``:`` (``aws__SecureTransport="false"``)."""
    extra = {k.replace("__", ":"): v for k, v in context.items()}
    return evaluate(Request(principal, action, resource, extra), identity_policies, resource_policy)
