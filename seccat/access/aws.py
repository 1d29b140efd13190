"""AWS access read off the generated documents: identity policies on roles, resource policies
on secrets, trust policies on roles.

An edge is what the documents together allow, as IAM evaluates one account: an action is
granted when an identity policy of the role or the secret's resource policy allows it, and
taken away by an explicit Deny that applies to that principal. A Deny applies when every
condition it carries is one this module can decide for a role calling through its own
session (``aws:PrincipalArn`` comparisons, ``aws:PrincipalIsAWSService``); a Deny on any
other condition (``aws:SecureTransport`` and the like) depends on the request, so it is not
applied, and the edge errs towards showing access rather than hiding it. Conditions on an
Allow narrow it but are not evaluated: the edge is reported. KMS is left out: reading a
secret's value also needs ``kms:Decrypt`` on its key through Secrets Manager, which every
consumer policy grants together with the secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seccat.access.model import AccessEdge, Principal, TrustEdge
from seccat.catalog.iam_globs import matches
from seccat.engine.recording import RecordedResource
from seccat.policies.iam import Statement, action_matches, statements
from seccat.policies.props import strings

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
MANAGED_POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
CATALOG_ID_TAG = "seccat:catalog-id"

#: Every Secrets Manager action that acts on one secret (AWS Service Authorization
#: Reference, "Actions defined by AWS Secrets Manager", resource type ``Secret``); a pattern
#: such as ``secretsmanager:*`` or ``*`` is expanded over this list.
SECRET_ACTIONS: tuple[str, ...] = (
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:PutSecretValue",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:ValidateResourcePolicy",
)

_ASSUME_ACTIONS = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
)


@dataclass(frozen=True)
class SecretTarget:
    """One Secrets Manager secret of the preview and the ARNs a statement may name it by."""

    secret_id: str
    name: str
    arns: tuple[str, ...]


def _arn_fields(arn: str) -> list[str] | None:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, Mapping) else None


def stack_account(resources: Sequence[RecordedResource]) -> str | None:
    """The account the stack deploys into, read off the ARNs its documents carry (the
    preview does not record the account it ran with)."""
    for r in resources:
        for key in ("secretArn", "kmsKeyId", "secretId"):
            value = r.inputs.get(key)
            if isinstance(value, str) and (fields := _arn_fields(value)) and fields[4]:
                return fields[4]
    return None


def _secret_name(arn: str) -> str | None:
    """The secret name inside a Secrets Manager ARN (its last 7 characters are '-' and the
    random suffix AWS appends)."""
    fields = _arn_fields(arn)
    if fields is None or fields[2] != "secretsmanager" or not fields[5].startswith("secret:"):
        return None
    return fields[5][len("secret:") : -7] or None


def _secret_targets(resources: Sequence[RecordedResource]) -> dict[str, SecretTarget]:
    """Secret resources by their name, with every ARN a statement could match."""
    concrete: dict[str, str] = {}
    for r in resources:
        if r.type in (SECRET_POLICY, ROTATION):
            arn = r.inputs.get("secretArn") or r.inputs.get("secretId")
            name = _secret_name(arn) if isinstance(arn, str) else None
            if name is not None:
                concrete.setdefault(name, arn)
    out: dict[str, SecretTarget] = {}
    for r in resources:
        if r.type != SECRET:
            continue
        tags = r.inputs.get("tags") if isinstance(r.inputs.get("tags"), Mapping) else {}
        secret_id = str(tags.get(CATALOG_ID_TAG) or "") or (
            r.catalog_ref[1] if r.catalog_ref and len(r.catalog_ref) >= 2 else ""
        )
        name = str(r.inputs.get("name") or r.name)
        arn = concrete.get(name)
        if arn is None:
            key = r.inputs.get("kmsKeyId")
            fields = _arn_fields(key) if isinstance(key, str) else None
            region, account = (fields[3], fields[4]) if fields else ("*", "*")
            # A stand-in suffix: '??????' patterns match it, an exact other ARN does not.
            arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-XXXXXX"
        fields = _arn_fields(arn)
        arns = [arn]
        replicas = r.inputs.get("replicas")
        if fields and isinstance(replicas, list):
            for replica in replicas:
                region = replica.get("region") if isinstance(replica, Mapping) else None
                if isinstance(region, str):
                    arns.append(":".join([*fields[:3], region, *fields[4:]]))
        if secret_id:
            out[name] = SecretTarget(secret_id, name, tuple(arns))
    return out


def _actions(statement: Statement) -> set[str]:
    """The secret actions a statement names (NotAction: every one it does not exclude)."""
    if statement.not_actions:
        return {
            a
            for a in SECRET_ACTIONS
            if not any(action_matches(p, a) for p in statement.not_actions)
        }
    return {a for a in SECRET_ACTIONS if any(action_matches(p, a) for p in statement.actions)}


def _resource_matches(statement: Statement, arns: Iterable[str]) -> bool:
    arns = list(arns)
    if statement.not_resources:
        return not all(any(matches(p, arn) for p in statement.not_resources) for arn in arns)
    if not statement.resources:  # a resource policy's statement may omit it
        return True
    return any(matches(p, arn) for p in statement.resources for arn in arns)


#: Condition operators on aws:PrincipalArn this module decides, and whether a match of the
#: listed values makes the condition true.
_ARN_OPERATORS: Mapping[str, tuple[bool, bool]] = {
    # operator -> (negated, glob)
    "arnequals": (False, False),
    "arnlike": (False, True),
    "stringequals": (False, False),
    "stringlike": (False, True),
    "arnnotequals": (True, False),
    "arnnotlike": (True, True),
    "stringnotequals": (True, False),
    "stringnotlike": (True, True),
}


def _deny_applies(statement: Statement, principal_arn: str) -> bool:
    """Whether an explicit Deny certainly applies to a role calling as ``principal_arn``."""
    for operator, block in statement.conditions.items():
        if not isinstance(block, Mapping):
            return False
        op = str(operator).lower()
        for key, raw in block.items():
            values = strings(raw)
            k = str(key).lower()
            if k == "aws:principalisawsservice" and op in ("bool", "boolifexists"):
                # A role's session is never an AWS service principal.
                if [v.lower() for v in values] != ["false"]:
                    return False
            elif k == "aws:principalarn" and op.removesuffix("ifexists") in _ARN_OPERATORS:
                negated, glob = _ARN_OPERATORS[op.removesuffix("ifexists")]
                hit = any(matches(v, principal_arn) if glob else principal_arn == v for v in values)
                if hit == negated:
                    return False
            else:
                return False
    return True


def _principal_applies(statement: Statement, principal_arn: str) -> bool:
    """Whether a resource-policy statement's Principal covers ``principal_arn``."""
    if statement.principals is None:
        return False
    named = [
        v for key, values in statement.principals.items() for v in values if key in ("AWS", "*")
    ]
    fields = _arn_fields(principal_arn)
    root = f"arn:aws:iam::{fields[4]}:root" if fields else None
    covered = any(v in ("*", principal_arn, root) for v in named)
    return not covered if statement.not_principal else covered


def _role_principals(
    resources: Sequence[RecordedResource], account: str | None
) -> dict[str, Principal]:
    """Local roles by name: created here (``aws:iam/role``) or given a policy here."""
    out: dict[str, Principal] = {}

    def arn(name: str, path: str = "/") -> str:
        return f"arn:aws:iam::{account or '*'}:role{path}{name}"

    for r in resources:
        if r.type == ROLE:
            name = str(r.inputs.get("name") or r.name)
            path = str(r.inputs.get("path") or "/")
            out[name] = Principal(arn(name, path), "aws-role", name, r.catalog_ref)
    for r in resources:
        if r.type in (ROLE_POLICY, ATTACHMENT):
            name = str(r.inputs.get("role") or "")
            if name and name not in out:
                # A role seccat does not manage (``aws.existing``): named, not created.
                out[name] = Principal(arn(name), "aws-role", name, r.catalog_ref)
    return out


def _identity_documents(
    resources: Sequence[RecordedResource],
) -> list[tuple[str, str, tuple[Statement, ...]]]:
    """(role name, source resource, statements) of every identity policy on a role."""
    managed = {
        str(r.inputs.get("name") or r.name): r for r in resources if r.type == MANAGED_POLICY
    }
    out: list[tuple[str, str, tuple[Statement, ...]]] = []
    for r in resources:
        if r.type == ROLE_POLICY:
            doc = _json(r.inputs.get("policy"))
            out.append((str(r.inputs.get("role") or ""), r.name, tuple(statements(doc))))
        elif r.type == ATTACHMENT:
            policy_arn = str(r.inputs.get("policyArn") or "")
            policy = managed.get(policy_arn.rsplit("/", 1)[-1])
            if policy is not None:
                doc = _json(policy.inputs.get("policy"))
                out.append((str(r.inputs.get("role") or ""), policy.name, tuple(statements(doc))))
    return out


#: principal id -> (principal, allowed actions, granting documents)
_Allowed = dict[str, tuple[Principal, set[str], set[str]]]


def _allow(allowed: _Allowed, principal: Principal, actions: set[str], source: str) -> None:
    entry = allowed.setdefault(principal.id, (principal, set(), set()))
    entry[1].update(actions)
    entry[2].add(source)


def access_edges(resources: Sequence[RecordedResource]) -> list[AccessEdge]:
    """Every (principal, Secrets Manager secret) pair the documents allow something on."""
    account = stack_account(resources)
    targets = _secret_targets(resources)
    roles = _role_principals(resources, account)
    identity = _identity_documents(resources)
    resource_policies: dict[str, list[tuple[str, tuple[Statement, ...]]]] = {}
    for r in resources:
        arn = r.inputs.get("secretArn") if r.type == SECRET_POLICY else None
        name = _secret_name(arn) if isinstance(arn, str) else None
        if name in targets:
            doc = _json(r.inputs.get("policy"))
            resource_policies.setdefault(name, []).append((r.name, tuple(statements(doc))))

    edges: list[AccessEdge] = []
    for name, target in targets.items():
        own = resource_policies.get(name, [])
        allowed: _Allowed = {}

        for role_name, source, stmts in identity:
            principal = roles.get(role_name)
            if principal is None:
                continue
            for s in stmts:
                if s.allows and _resource_matches(s, target.arns):
                    actions = _actions(s)
                    if actions:
                        _allow(allowed, principal, actions, source)
        for source, stmts in own:
            for s in stmts:
                if not s.allows or s.principals is None or not _resource_matches(s, target.arns):
                    continue
                actions = _actions(s)
                if not actions:
                    continue
                for key, values in s.principals.items():
                    for value in values:
                        principal = _named_principal(key, value, roles, account)
                        if principal is not None:
                            _allow(allowed, principal, actions, source)
        denies = [
            (s, stmts_source)
            for stmts_source, stmts in own
            for s in stmts
            if s.effect == "Deny" and _resource_matches(s, target.arns)
        ]
        identity_denies = [
            (role_name, s, source)
            for role_name, source, stmts in identity
            for s in stmts
            if s.effect == "Deny" and _resource_matches(s, target.arns)
        ]
        for principal, actions, sources in allowed.values():
            remaining = set(actions)
            for s, _ in denies:
                if _principal_applies(s, principal.id) and _deny_applies(s, principal.id):
                    remaining -= _actions(s)
            for role_name, s, _ in identity_denies:
                if roles.get(role_name) == principal and _deny_applies(s, principal.id):
                    remaining -= _actions(s)
            if remaining:
                edges.append(
                    AccessEdge(
                        principal,
                        target.secret_id,
                        "aws-secretsmanager",
                        frozenset(remaining),
                        tuple(sorted(sources)),
                    )
                )
    return edges


def _named_principal(
    key: str, value: str, roles: Mapping[str, Principal], account: str | None
) -> Principal | None:
    """The principal a resource policy names: a local role when the ARN is one of ours."""
    if key not in ("AWS", "*"):
        return None  # service principals act as themselves, not as an identity of ours
    if value == "*":
        return Principal("*", "aws-principal", "everyone")
    fields = _arn_fields(value)
    if fields and fields[2] == "iam" and fields[5].startswith("role/"):
        name = fields[5].rsplit("/", 1)[-1]
        local = roles.get(name)
        if local is not None and (account is None or fields[4] == account):
            return local
        return Principal(value, "aws-principal", name)
    if fields is None and value.isdigit():
        value = f"arn:aws:iam::{value}:root"
    name = value.rsplit(":", 1)[-1] if value.endswith(":root") else value
    return Principal(value, "aws-principal", name)


def _condition_texts(statement: Statement) -> tuple[str, ...]:
    out: list[str] = []
    for operator, block in statement.conditions.items():
        if isinstance(block, Mapping):
            for key, raw in block.items():
                out.append(f"{operator} {key}={','.join(sorted(strings(raw)))}")
    return tuple(sorted(out))


def trust_edges(resources: Sequence[RecordedResource]) -> list[TrustEdge]:
    """Who may assume each role the stack creates, per trust-policy statement principal."""
    roles = _role_principals(resources, stack_account(resources))
    out: list[TrustEdge] = []
    for r in resources:
        if r.type != ROLE:
            continue
        role = roles[str(r.inputs.get("name") or r.name)]
        for s in statements(_json(r.inputs.get("assumeRolePolicy"))):
            if not s.allows or s.principals is None:
                continue
            actions = sorted(
                a for a in _ASSUME_ACTIONS if any(action_matches(p, a) for p in s.actions)
            )
            if s.not_actions:
                actions = [
                    a
                    for a in _ASSUME_ACTIONS
                    if not any(action_matches(p, a) for p in s.not_actions)
                ]
            conditions = _condition_texts(s)
            for key, values in s.principals.items():
                kind = {"AWS": "aws", "Service": "service", "Federated": "federated"}.get(key, key)
                for value in values:
                    trusted = f"{'not ' if s.not_principal else ''}{kind.lower()}:{value}"
                    for action in actions:
                        out.append(TrustEdge(role, trusted, action, conditions, r.name))
    return out
