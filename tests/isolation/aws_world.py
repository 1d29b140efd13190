"""The AWS side of a catalog as deployed: every role with its trust and inline policies, every
secret with its resource policy, every environment key with its key policy, read from what
the offline preview records (the very documents `pulumi up` would send), and every principal
outside seccat that a trust policy admits.

Principals outside seccat are modelled at their worst: a trusted IAM role may hold any
permission in its own account (an ``Allow *`` identity policy), and an existing role seccat
only attaches the read policy to may hold any other permission too. A service principal acts
for the resources of one account (the environment's), and takes a role only from that account:
"You can only use the PassRole permission to pass an IAM role to a service that shares the
same AWS account" (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html).
A web identity (OIDC) can do nothing but ``sts:AssumeRoleWithWebIdentity``, once per subject
the trust admits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from isolation.policy_evaluation import Principal, Statement, compile_policy, lowered

from seccat.catalog.model import Catalog
from seccat.documents import logical_names as logical
from seccat.engine.preview import Preview

#: Worst case for identities seccat does not manage.
ADMIN: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass
class Actor:
    """A principal of one environment, with what it presents when it makes a request."""

    env: str
    principal: Principal
    label: str
    #: Identity policies (IAM principals only).
    policies: list[dict[str, Any]] = field(default_factory=list)
    #: Context keys it brings to its requests (lower-case keys).
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The role ARN, for roles seccat creates (they can be assumed).
    trust: dict[str, Any] | None = None
    #: seccat manages this principal (a role it creates or attaches a policy to).
    managed: bool = True

    @property
    def compiled(self) -> list[tuple[Statement, ...]]:
        """Identity policies, compiled (none for services and web identities)."""
        return [compile_policy(p) for p in self.policies]


@dataclass
class SecretDoc:
    env: str
    secret_id: str
    arn: str
    account: str
    region: str
    policy: dict[str, Any]


@dataclass
class KeyDoc:
    env: str
    arn: str
    account: str
    region: str
    alias: str
    policy: dict[str, Any]


@dataclass
class EnvDocs:
    name: str
    account: str
    region: str
    roles: dict[str, Actor] = field(default_factory=dict)  # by role ARN
    externals: list[Actor] = field(default_factory=list)
    secrets: dict[str, SecretDoc] = field(default_factory=dict)  # by catalog id
    key: KeyDoc | None = None

    @property
    def actors(self) -> list[Actor]:
        return [*self.roles.values(), *self.externals]


def role_context(principal: Principal) -> dict[str, tuple[str, ...]]:
    """What a role session brings to every request (global condition keys)."""
    return lowered(
        {
            "aws:PrincipalArn": (principal.id,),
            "aws:PrincipalAccount": (principal.account,),
            "aws:PrincipalType": ("AssumedRole",),
            "aws:PrincipalIsAWSService": ("false",),
            "aws:SecureTransport": ("true",),
        }
    )


def environment_docs(catalog: Catalog, env_name: str, preview: Preview) -> EnvDocs:
    env = catalog.environments[env_name]
    assert env.aws is not None
    docs = EnvDocs(env_name, env.aws.account_id, env.aws.region)
    account, region = docs.account, docs.region

    def role_arn(name: str) -> str:
        return f"arn:aws:iam::{account}:role/{name}"

    for r in preview.of_type("aws:iam/role:Role"):
        principal = Principal("AWS", role_arn(r.inputs["name"]), account)
        docs.roles[principal.id] = Actor(
            env_name,
            principal,
            f"role {r.inputs['name']}@{env_name}",
            context=role_context(principal),
            trust=json.loads(r.inputs["assumeRolePolicy"]),
        )
    for r in preview.of_type("aws:iam/rolePolicy:RolePolicy"):
        arn = role_arn(r.inputs["role"])
        actor = docs.roles.get(arn)
        if actor is None:  # a role seccat does not create: worst case besides its policy
            principal = Principal("AWS", arn, account)
            actor = docs.roles[arn] = Actor(
                env_name,
                principal,
                f"existing role {r.inputs['role']}@{env_name}",
                policies=[ADMIN],
                context=role_context(principal),
                managed=True,
            )
        actor.policies.append(json.loads(r.inputs["policy"]))

    for r in preview.of_type("aws:secretsmanager/secretPolicy:SecretPolicy"):
        arn = r.inputs["secretArn"]
        name = arn.split(":secret:", 1)[1].rsplit("-", 1)[0]
        secret_id = name.split("/", 1)[1]
        docs.secrets[secret_id] = SecretDoc(
            env_name, secret_id, arn, account, region, json.loads(r.inputs["policy"])
        )
    if docs.secrets:
        key = preview.named(logical.kms_key(env_name))
        alias = preview.named(logical.kms_alias(env_name))
        docs.key = KeyDoc(
            env_name,
            f"arn:aws:kms:{region}:{account}:key/{alias.inputs['targetKeyId']}",
            account,
            region,
            alias.inputs["name"],
            json.loads(key.inputs["policy"]),
        )
    docs.externals = list(_externals(docs)) + list(_owner_roles(catalog, docs))
    return docs


def _owner_roles(catalog: Catalog, docs: EnvDocs) -> Iterator[Actor]:
    """Each team's owner (break-glass) role in the environment's account, at its worst:
    it manages the team's secrets, and may hold any other permission."""
    owners = {catalog.secrets[s].owner for s in docs.secrets}
    for team in sorted(owners):
        role = catalog.teams[team].owner_role
        if role is None:
            continue
        principal = Principal("AWS", f"arn:aws:iam::{docs.account}:role/{role}", docs.account)
        if principal.id in docs.roles:
            continue
        yield Actor(
            docs.name,
            principal,
            f"owner role {role} of {team}@{docs.name}",
            policies=[ADMIN],
            context=role_context(principal),
            managed=False,
        )


def _statements(policy: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = policy["Statement"]
    return [statements] if isinstance(statements, dict) else list(statements)


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _instance(pattern: str) -> str:
    """A concrete value a wildcard pattern admits."""
    return pattern.replace("*", "x").replace("?", "x")


def _admitted_contexts(statement: dict[str, Any]) -> Iterator[dict[str, tuple[str, ...]]]:
    """Contexts satisfying a trust statement's conditions: one per listed value of the
    key that lists several (one workload per OIDC subject)."""
    fixed: dict[str, tuple[str, ...]] = {}
    varying: list[tuple[str, list[str]]] = []
    for operator, block in (statement.get("Condition") or {}).items():
        if "Not" in operator:
            raise AssertionError(f"no admitted instance for a negated trust condition {operator}")
        for key, values in block.items():
            values = [_instance(v) for v in _listed(values)]
            if operator.startswith("ForAnyValue:") or len(values) == 1:
                fixed[key] = (values[0],)
            else:
                varying.append((key, values))
    if not varying:
        yield fixed
        return
    assert len(varying) == 1, "one multi-valued trust condition per statement"
    key, values = varying[0]
    for value in values:
        yield {**fixed, key: (value,)}


def _externals(docs: EnvDocs) -> Iterator[Actor]:
    seen: set[tuple[Principal, tuple[tuple[str, tuple[str, ...]], ...]]] = set()
    for role in list(docs.roles.values()):
        if role.trust is None:
            continue
        for statement in _statements(role.trust):
            if statement["Effect"] != "Allow":
                continue
            principal = statement["Principal"]
            assert principal != "*", f"{role.label} trusts everyone"
            for kind, ids in principal.items():
                for pid in _listed(ids):
                    for admitted in _admitted_contexts(statement):
                        actor = _external(docs, kind, pid, admitted)
                        key = (actor.principal, tuple(sorted(actor.context.items())))
                        if key not in seen:
                            seen.add(key)
                            yield actor


def _external(docs: EnvDocs, kind: str, pid: str, admitted: dict[str, tuple[str, ...]]) -> Actor:
    env = docs.name
    if kind == "AWS":
        principal = Principal("AWS", pid, pid.split(":")[4])
        return Actor(
            env,
            principal,
            f"trusted role {pid}@{env}",
            policies=[ADMIN],
            context=role_context(principal),
            managed=False,
        )
    if kind == "Service":
        principal = Principal("Service", pid, docs.account)
        context = {
            "aws:SourceAccount": (docs.account,),
            "aws:SourceArn": (f"arn:aws:{pid.split('.')[0]}:{docs.region}:{docs.account}:x",),
            **admitted,
            "aws:PrincipalIsAWSService": ("true",),
            "aws:PrincipalServiceName": (pid,),
            "aws:SecureTransport": ("true",),
        }
        label = f"service {pid} for {docs.account}@{env}"
        return Actor(env, principal, label, context=lowered(context), managed=False)
    if kind == "Federated":
        principal = Principal("Federated", pid, pid.split(":")[4])
        subject = next((v[0] for k, v in admitted.items() if k.endswith(":sub")), "?")
        label = f"web identity {subject} of {pid}@{env}"
        return Actor(env, principal, label, context=lowered(admitted), managed=False)
    raise AssertionError(f"unknown principal type {kind}")


def world(catalog: Catalog, previews: Mapping[str, Preview]) -> dict[str, EnvDocs]:
    return {env: environment_docs(catalog, env, p) for env, p in previews.items()}
