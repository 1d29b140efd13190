"""IAM and resource-policy documents, read the way AWS evaluates them.

Shared by the IAM, KMS and Secrets Manager rules. Wildcards are judged as AWS matches them:
``*`` and ``service:*`` are wildcards, and so are ``NotAction``/``NotResource`` in an Allow
(they grant everything except a list) and ``NotPrincipal`` in an Allow.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from seccat.catalog.iam_globs import matches
from seccat.policies.props import strings

#: Actions that read or decrypt secret material, or manage it: never on ``Resource: "*"``.
DATA_ACTION_PATTERNS: tuple[str, ...] = (
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:DeleteSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:RotateSecret",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:Encrypt",
    "kms:CreateGrant",
    "kms:ScheduleKeyDeletion",
    "kms:PutKeyPolicy",
)

#: ``secretsmanager:GetRandomPassword`` supports only ``Resource: "*"`` (AWS service
#: authorization reference), so it is the one secretsmanager action allowed there.
RESOURCE_STAR_ONLY_ACTIONS: frozenset[str] = frozenset({"secretsmanager:getrandompassword"})


class Statement(NamedTuple):
    """One statement, normalised (a tuple: thousands are built per large stack)."""

    index: int
    sid: str
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principals: Mapping[str, tuple[str, ...]] | None
    not_principal: bool
    conditions: Mapping[str, Any]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def condition_keys(self) -> set[str]:
        """Condition keys in lower case (IAM condition keys are case-insensitive)."""
        keys: set[str] = set()
        for block in self.conditions.values():
            if isinstance(block, Mapping):
                keys.update(str(k).lower() for k in block)
        return keys

    def condition_values(self, key: str) -> list[str]:
        out: list[str] = []
        for block in self.conditions.values():
            if isinstance(block, Mapping):
                for k, v in block.items():
                    if str(k).lower() == key.lower():
                        out.extend(strings(v))
        return out


def statements(doc: Any) -> Iterator[Statement]:
    """Each statement of a policy document; a single statement object counts as a list."""
    if not isinstance(doc, Mapping):
        return
    raw = doc.get("Statement")
    items = [raw] if isinstance(raw, Mapping) else list(raw or [])
    for i, s in enumerate(items):
        if not isinstance(s, Mapping):
            continue
        principal = s.get("Principal")
        not_principal = s.get("NotPrincipal")
        yield Statement(
            index=i,
            sid=str(s.get("Sid") or ""),
            effect=str(s.get("Effect") or ""),
            actions=tuple(strings(s.get("Action"))),
            not_actions=tuple(strings(s.get("NotAction"))),
            resources=tuple(strings(s.get("Resource"))),
            not_resources=tuple(strings(s.get("NotResource"))),
            principals=_principals(principal if principal is not None else not_principal),
            not_principal=not_principal is not None,
            conditions=s.get("Condition") if isinstance(s.get("Condition"), Mapping) else {},
        )


def _principals(value: Any) -> Mapping[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"*": (value,)}
    if isinstance(value, Mapping):
        return {str(k): tuple(strings(v)) for k, v in value.items()}
    return {"*": tuple(strings(value))}


def is_full_wildcard(action: str) -> bool:
    return action.strip() in ("*", "*:*")


def service_wildcard(action: str) -> bool:
    """``secretsmanager:*`` (or ``secretsmanager:*Secret*``-free forms like ``kms:*``): every
    action of a service. Narrow patterns such as ``kms:GenerateDataKey*`` are not."""
    service, _, name = action.partition(":")
    return bool(service) and name == "*"


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` and ``?`` globs (``[`` is a letter, not
    fnmatch's character class: ``kms:[D]ecrypt`` grants nothing)."""
    return matches(pattern.lower(), action.lower())


def grants_any(statement: Statement, wanted: tuple[str, ...]) -> list[str]:
    """The wanted actions an Allow statement grants (NotAction grants all not excluded)."""
    if statement.not_actions:
        return [a for a in wanted if not any(action_matches(p, a) for p in statement.not_actions)]
    return [a for a in wanted if any(action_matches(p, a) for p in statement.actions)]


def open_principal(statement: Statement) -> bool:
    """True when anyone may use the statement: ``*`` as the principal (or an AWS principal of
    ``*``), or NotPrincipal in an Allow (everyone except a list)."""
    if statement.principals is None:
        return False
    if statement.not_principal:
        return statement.allows
    return any(v.strip() == "*" for values in statement.principals.values() for v in values)


def resource_is_star(statement: Statement) -> bool:
    return statement.not_resources != () or any(r.strip() == "*" for r in statement.resources)


IDENTITY = "identity"
TRUST = "trust"
RESOURCE = "resource"
KEY = "key"

#: Where each type keeps its policy documents: (prop, kind).
DOCUMENT_PROPS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "aws:iam/rolePolicy:RolePolicy": (("policy", IDENTITY),),
    "aws:iam/policy:Policy": (("policy", IDENTITY),),
    "aws:iam/role:Role": (("assumeRolePolicy", TRUST),),
    "aws:secretsmanager/secretPolicy:SecretPolicy": (("policy", RESOURCE),),
    "aws:secretsmanager/secret:Secret": (("policy", RESOURCE),),
    "aws:sns/topicPolicy:TopicPolicy": (("policy", RESOURCE),),
    "aws:kms/key:Key": (("policy", KEY),),
}
POLICY_TYPES: tuple[str, ...] = tuple(DOCUMENT_PROPS)


class Unparsable:
    """Marks a document that is not JSON, so rules can say so instead of crashing."""


UNPARSABLE = Unparsable()


@lru_cache(maxsize=8192)
def _statements_of_text(text: str) -> tuple[Statement, ...] | Unparsable:
    """Parsed once per distinct document: several rules read each one."""
    try:
        return tuple(statements(json.loads(text)))
    except ValueError:
        return UNPARSABLE


def parsed(props: Mapping[str, Any], key: str) -> tuple[Statement, ...] | Unparsable | None:
    """The statements of the JSON policy document in ``props[key]`` (a string, as pulumi-aws
    takes it, or an object); None when absent, UNPARSABLE when not JSON."""
    from seccat.policies.props import get, plain

    raw = get(props, key)
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        return _statements_of_text(raw)
    return tuple(statements(plain(raw)))


_MEMO = threading.local()


def documents(
    resource_type: str, props: Mapping[str, Any]
) -> list[tuple[str, str, tuple[Statement, ...] | Unparsable]]:
    """(kind, label, statements or UNPARSABLE) for each policy document of a resource,
    including the deprecated Role.inlinePolicies. Both runners evaluate every rule on one
    resource before the next, so the last resource's documents are remembered (per thread:
    the pack's server analyzes on several)."""
    last = getattr(_MEMO, "last", None)
    if last is not None and last[0] is props and last[1] == resource_type:
        return last[2]
    found = list(_documents(resource_type, props))
    _MEMO.last = (props, resource_type, found)
    return found


def _documents(
    resource_type: str, props: Mapping[str, Any]
) -> Iterator[tuple[str, str, tuple[Statement, ...] | Unparsable]]:
    from seccat.policies.props import get

    for prop, kind in DOCUMENT_PROPS.get(resource_type, ()):
        found = parsed(props, prop)
        if found is not None:
            yield kind, prop, found
    if resource_type == "aws:iam/role:Role":
        inline = get(props, "inlinePolicies")
        for i in range(len(inline) if inline is not None and not isinstance(inline, str) else 0):
            found = parsed(inline[i], "policy")
            if found is not None:
                yield IDENTITY, f"inlinePolicies[{i}]", found
