"""The AWS isolation matrix: no principal of one environment reaches another's secrets.

For every environment A and every principal of A (each role seccat creates or attaches a
policy to, each principal A's trust policies admit: a role ARN, a service acting for A's
account, an OIDC subject), and every other environment B:

* it cannot become any role of B (trust policy and, for IAM principals, identity policy);
* it can neither read, write, re-point nor delete any secret of B, nor use B's key through
  Secrets Manager for it: the identity policies, the secret's resource policy and the key
  policy are evaluated together (tests/isolation/policy_evaluation.py).

Together these close the chain: what A's principals can become is A's roles only, and no
role of A reaches B. Positive controls prove the evaluator is not simply denying: every
grant the catalog makes in A (consumers read, writers write, rotators rotate, each trusted
principal becomes its role) is allowed, and, in catalog.yaml, nothing else in A is.

Environments that declare shares_identities_with are exempt between themselves (none here).
The documents are the ones the offline preview records, so whatever the generators emit
(today's or a later template) is what is evaluated.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
from isolation.aws_world import Actor, EnvDocs, KeyDoc, SecretDoc, world
from isolation.policy_evaluation import Decision, compile_policy, decide, lowered

from seccat.catalog.model import Catalog, ServiceIdentity, Trust
from seccat.documents.names import rotation_function_name
from seccat.engine.preview import Preview, run_preview

GET = "secretsmanager:GetSecretValue"
PUT = "secretsmanager:PutSecretValue"
#: Changing a value or its protection: the value-, policy- and lifecycle-changing actions.
SECRET_WRITES = (
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:TagResource",
)
SECRET_ACTIONS = (GET, *SECRET_WRITES)
#: What GetSecretValue and PutSecretValue need of the key, on the caller's behalf.
KMS_ACTIONS = {"kms:Decrypt": GET, "kms:GenerateDataKey": PUT}


def secret_decision(
    actor: Actor, action: str, secret: SecretDoc, identity: list | None = None
) -> Decision:
    return decide(
        actor.principal,
        action,
        secret.arn,
        secret.account,
        actor.context,
        actor.compiled if identity is None else identity,
        compile_policy(secret.policy),
    )


def kms_context(key: KeyDoc, secret: SecretDoc) -> dict[str, tuple[str, ...]]:
    """Secrets Manager calls KMS for the caller, with the secret's ARN as encryption
    context (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html)."""
    return lowered(
        {
            "kms:ViaService": (f"secretsmanager.{key.region}.amazonaws.com",),
            "kms:EncryptionContext:SecretARN": (secret.arn,),
            "kms:EncryptionContextKeys": ("SecretARN", "SecretVersionId"),
            "kms:ResourceAliases": (key.alias,),
        }
    )


def key_decision(
    actor: Actor,
    action: str,
    key: KeyDoc,
    secret: SecretDoc,
    identity: list | None = None,
    via: dict[str, tuple[str, ...]] | None = None,
) -> Decision:
    context = {
        **actor.context,
        **(via if via is not None else kms_context(key, secret)),
        "kms:calleraccount": (actor.principal.account,),
    }
    return decide(
        actor.principal,
        action,
        key.arn,
        key.account,
        context,
        actor.compiled if identity is None else identity,
        compile_policy(key.policy),
        resource_policy_required=True,
    )


def assume_decision(actor: Actor, role: Actor) -> str:
    """Whether ``actor`` can become ``role`` (its trust policy is required)."""
    assert role.trust is not None
    kind = actor.principal.kind
    action = "sts:AssumeRoleWithWebIdentity" if kind == "Federated" else "sts:AssumeRole"
    decision = decide(
        actor.principal,
        action,
        role.principal.id,
        role.principal.account,
        actor.context,
        actor.compiled if kind == "AWS" else [],
        compile_policy(role.trust),
        resource_policy_required=True,
    )
    if (
        decision == "allow"
        and kind == "Service"
        and actor.principal.account != (role.principal.account)
    ):
        return "pass-role-same-account-only"
    return decision


@dataclass
class Matrix:
    cells: int = 0
    pairs: int = 0
    reached: list[str] = field(default_factory=list)
    decisions: Counter[str] = field(default_factory=Counter)
    #: Principals that are one and the same in both environments by construction (a service
    #: acting for a shared account, a team's owner role in it): reported, not a leak.
    shared: list[str] = field(default_factory=list)
    #: Key use allowed where the matching secret action is refused: no path to a value
    #: (Secrets Manager never asks KMS for a caller it refused, and it hands out no
    #: ciphertext), but reported.
    key_only: list[str] = field(default_factory=list)


def shares(catalog: Catalog, a: str, b: str) -> bool:
    ea, eb = catalog.environments[a], catalog.environments[b]
    return b in ea.shares_identities_with or a in eb.shares_identities_with


def cross_environment_matrix(
    catalog: Catalog, envs: dict[str, EnvDocs], actions: tuple[str, ...]
) -> Matrix:
    m = Matrix()
    for a, docs_a in envs.items():
        for b, docs_b in envs.items():
            if a == b or shares(catalog, a, b):
                continue
            roles_b = [r for r in docs_b.roles.values() if r.trust is not None]
            in_b = {(x.principal, tuple(sorted(x.context.items()))) for x in docs_b.actors}
            key_b = docs_b.key
            via = (
                {s.secret_id: kms_context(key_b, s) for s in docs_b.secrets.values()}
                if key_b
                else {}
            )
            for actor in docs_a.actors:
                if (actor.principal, tuple(sorted(actor.context.items()))) in in_b and (
                    actor.principal.kind == "Service" or actor.label.startswith("owner role")
                ):
                    shared = actor.label.rsplit("@", 1)[0]
                    if shared not in m.shared:
                        m.shared.append(shared)
                    continue
                identity = actor.compiled
                for role in roles_b:
                    decision = assume_decision(actor, role)
                    m.cells += 1
                    m.decisions[f"assume {decision}"] += 1
                    if decision == "allow":
                        m.reached.append(f"{actor.label} can become {role.label}")
                if actor.principal.kind == "Federated":
                    continue  # a web identity can only be exchanged for a role session
                for secret in docs_b.secrets.values():
                    m.pairs += 1
                    allowed = set()
                    for action in actions:
                        decision = secret_decision(actor, action, secret, identity)
                        m.cells += 1
                        m.decisions[f"secret {decision}"] += 1
                        if decision == "allow":
                            allowed.add(action)
                            m.reached.append(f"{actor.label}: {action} on {secret.arn}")
                    assert key_b is not None
                    for action, needed_by in KMS_ACTIONS.items():
                        decision = key_decision(
                            actor, action, key_b, secret, identity, via[secret.secret_id]
                        )
                        m.cells += 1
                        m.decisions[f"kms {decision}"] += 1
                        if decision != "allow":
                            continue
                        found = f"{actor.label}: {action} for {secret.arn}"
                        if needed_by in allowed:
                            m.reached.append(found)
                        else:
                            m.key_only.append(found)
    return m


# -- the oracle: what the catalog grants inside one environment ------------------------------


def granted(catalog: Catalog, env: str, docs: EnvDocs) -> dict[tuple[str, str], set[str]]:
    """(role ARN, secret id) -> actions the catalog grants, derived from the catalog here
    (consumers, their access, rotation), not from seccat's plan."""
    grants: dict[tuple[str, str], set[str]] = {}

    def add(role: str, secret_id: str, *actions: str) -> None:
        grants.setdefault((f"arn:aws:iam::{docs.account}:role/{role}", secret_id), set()).update(
            actions
        )

    for secret in catalog.secrets_in(env):
        if secret.store != "aws-secretsmanager":
            continue
        for consumer in secret.consumers_in(env):
            service = catalog.service_in(consumer.service, env)
            assert service.aws is not None
            role = service.aws.role_name or f"seccat-{env}-{consumer.service}"
            add(role, secret.id, GET, "kms:Decrypt")
            if consumer.access == "write" and not service.aws.existing:
                add(role, secret.id, PUT, "kms:GenerateDataKey")
    # A generated secret's rotation function rotates it; a database login's rotator also
    # reads the database's superuser secret (README, "Generated types ... rotation").
    for secret in catalog.secrets_in(env):
        if (
            secret.store != "aws-secretsmanager"
            or not secret.generated
            or secret.rotation is None
            or secret.lifecycle == "retired"
        ):
            continue
        rotator = rotation_function_name(env, secret.id)
        add(rotator, secret.id, GET, PUT, "kms:Decrypt", "kms:GenerateDataKey")
        if secret.database is not None:
            admin = catalog.database_in(secret.database.database, env).admin_secret
            if admin and admin != secret.id:
                add(rotator, admin, GET, "kms:Decrypt")
    return grants


def positive_controls(catalog: Catalog, envs: dict[str, EnvDocs]) -> tuple[int, list[str]]:
    """Every grant of the catalog is allowed, and every trusted principal becomes its role."""
    checked, missing = 0, []
    for env, docs in envs.items():
        for (role_arn, secret_id), actions in granted(catalog, env, docs).items():
            actor, secret = docs.roles[role_arn], docs.secrets[secret_id]
            assert docs.key is not None
            for action in actions:
                checked += 1
                decision = (
                    key_decision(actor, action, docs.key, secret)
                    if action.startswith("kms:")
                    else secret_decision(actor, action, secret)
                )
                if decision != "allow":
                    missing.append(f"{actor.label}: {action} on {secret_id} is {decision}")
        # Owner roles manage their team's secrets but never read them (segregation of duties).
        for owner in (a for a in docs.externals if a.label.startswith("owner role")):
            team = owner.label.split(" of ", 1)[1].split("@", 1)[0]
            for secret_id, secret in docs.secrets.items():
                if catalog.secrets[secret_id].owner != team:
                    continue
                checked += 2
                if secret_decision(owner, "secretsmanager:UpdateSecret", secret) != "allow":
                    missing.append(f"{owner.label} cannot manage {secret_id}")
                if secret_decision(owner, GET, secret) == "allow":
                    missing.append(f"{owner.label} can read {secret_id}")
        for external in docs.externals:
            if external.label.startswith("owner role"):
                continue  # trusted by nothing seccat creates
            trusting = [
                r
                for r in docs.roles.values()
                if r.trust and assume_decision(external, r) == "allow"
            ]
            checked += 1
            if not trusting:
                missing.append(f"{external.label} cannot become the role that trusts it")
    return checked, missing


def within_environment_exactness(catalog: Catalog, envs: dict[str, EnvDocs]) -> tuple[int, list]:
    """Inside one environment, seccat's roles read exactly the secrets the catalog grants
    (the same-account half of the evaluation logic: identity OR resource policy)."""
    cells, wrong = 0, []
    for env, docs in envs.items():
        grants = granted(catalog, env, docs)
        assert docs.key is not None
        for actor in docs.roles.values():
            for secret_id, secret in docs.secrets.items():
                want = grants.get((actor.principal.id, secret_id), set())
                for action in (GET, "kms:Decrypt"):
                    cells += 1
                    decision = (
                        key_decision(actor, action, docs.key, secret)
                        if action.startswith("kms:")
                        else secret_decision(actor, action, secret)
                    )
                    if (decision == "allow") != (action in want):
                        wrong.append(f"{actor.label}: {action} on {secret_id} is {decision}")
    return cells, wrong


# -- the tests ------------------------------------------------------------------------------


def _report(name: str, envs: dict[str, EnvDocs], m: Matrix, seconds: float) -> None:
    actors = sum(len(d.actors) for d in envs.values())
    secrets = sum(len(d.secrets) for d in envs.values())
    print(
        f"\n{name}: {len(envs)} environments, {actors} principals, {secrets} secrets; "
        f"{m.pairs} cross-environment (principal, secret) pairs, {m.cells} decisions in "
        f"{seconds:.1f} s: {dict(sorted(m.decisions.items()))}"
    )


def test_example_catalog_isolation_matrix(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    envs = world(example_catalog, {e: example_preview(e) for e in example_catalog.environments})
    start = time.perf_counter()
    m = cross_environment_matrix(example_catalog, envs, SECRET_ACTIONS)
    _report("example catalog", envs, m, time.perf_counter() - start)
    assert m.reached == [] and m.shared == [] and m.key_only == []
    assert m.pairs >= 400 and m.cells >= 6_000
    # Every kind of principal is in the matrix.
    kinds = {a.principal.kind for d in envs.values() for a in d.externals}
    assert kinds == {"AWS", "Service", "Federated"}
    checked, missing = positive_controls(example_catalog, envs)
    assert missing == [] and checked >= 40
    cells, wrong = within_environment_exactness(example_catalog, envs)
    assert wrong == [] and cells >= 300


def test_generated_catalog_isolation_matrix(
    generated_catalog: Catalog, generated_preview: Callable[[str], Preview]
) -> None:
    envs = world(
        generated_catalog, {e: generated_preview(e) for e in generated_catalog.environments}
    )
    start = time.perf_counter()
    m = cross_environment_matrix(generated_catalog, envs, (GET, PUT))
    _report("1,000-secret catalog", envs, m, time.perf_counter() - start)
    assert m.reached == [] and m.shared == [] and m.key_only == []
    assert m.pairs >= 500_000
    checked, missing = positive_controls(generated_catalog, envs)
    assert missing == [] and checked >= 2_000


# -- negative controls: the matrix finds a leak when there is one -----------------------------


def test_a_secret_policy_naming_a_foreign_reader_is_found(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    envs = world(example_catalog, {e: example_preview(e) for e in example_catalog.environments})
    prod_secret = envs["prod"].secrets["payments/stripe-api-key"]
    dev_reader = envs["dev"].roles["arn:aws:iam::111111111111:role/seccat-dev-checkout-api"]
    # Broken document: the prod secret's policy also lets dev's checkout-api read it, and
    # dev's role policy names the prod secret (both halves of a cross-account grant).
    broken = json.loads(
        json.dumps(prod_secret.policy).replace(
            '"arn:aws:iam::222222222222:role/seccat-prod-checkout-api"',
            '"arn:aws:iam::222222222222:role/seccat-prod-checkout-api", '
            '"arn:aws:iam::111111111111:role/seccat-dev-checkout-api"',
        )
    )
    assert broken != prod_secret.policy
    prod_secret.policy = broken
    dev_reader.policies.append(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": GET, "Resource": prod_secret.arn}],
        }
    )
    m = cross_environment_matrix(example_catalog, envs, (GET,))
    assert m.reached == [f"role seccat-dev-checkout-api@dev: {GET} on {prod_secret.arn}"]


def test_a_trust_admitting_another_environments_principal_is_found(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    envs = world(example_catalog, {e: example_preview(e) for e in example_catalog.environments})
    prod_role = envs["prod"].roles["arn:aws:iam::222222222222:role/seccat-prod-etl-runner"]
    assert prod_role.trust is not None
    # Broken document: prod's OIDC trust admits the dev workflow's subject too.
    prod_role.trust = json.loads(
        json.dumps(prod_role.trust)
        .replace(
            '"repo:example/etl:environment:prod"',
            '"repo:example/etl:environment:prod", "repo:example/etl:environment:dev"',
        )
        .replace(
            "arn:aws:iam::222222222222:oidc-provider", "arn:aws:iam::111111111111:oidc-provider"
        )
    )
    m = cross_environment_matrix(example_catalog, envs, (GET,))
    assert any(
        r.startswith("web identity repo:example/etl:environment:dev")
        and "seccat-prod-etl-runner" in r
        for r in m.reached
    ), m.reached


@pytest.mark.parametrize("service", ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])
def test_service_principals_stay_in_their_account(
    service: str, example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    """Which defence holds for each service: ecs-tasks trusts pin aws:SourceAccount (the
    trust itself refuses another account); Lambda sets no source keys, so it is the
    same-account rule of iam:PassRole that keeps dev's functions off prod's roles."""
    envs = world(example_catalog, {e: example_preview(e) for e in example_catalog.environments})
    dev_service = next(a for a in envs["dev"].externals if a.principal.id == service)
    decisions = {
        assume_decision(dev_service, role)
        for role in envs["prod"].roles.values()
        if role.trust is not None
        and any(service in json.dumps(s.get("Principal", {})) for s in role.trust["Statement"])
    }
    expected = (
        {"pass-role-same-account-only"} if service == "lambda.amazonaws.com" else {"implicit-deny"}
    )
    assert decisions == expected


# -- two environments in one account ---------------------------------------------------------


def one_account_variant(catalog: Catalog, moved: str, into: str) -> Catalog:
    """catalog.yaml with environment ``moved`` in ``into``'s account: the case where
    isolation rests on the policies' names and conditions instead of the account boundary.
    ``moved``'s trusts become its own principals in that account (a service principal would
    be one principal for both environments, which validation refuses unless declared)."""
    account = catalog.environments[into].aws.account_id  # type: ignore[union-attr]
    env = catalog.environments[moved]
    assert env.aws is not None
    environments = {
        **catalog.environments,
        moved: replace(env, aws=replace(env.aws, account_id=account)),
    }
    services = {}
    for name, service in catalog.services.items():
        own = catalog.service_in(name, moved)
        aws = own.aws
        if aws is not None and aws.trust is not None:
            trust = aws.trust
            if trust.service is not None or trust.role_arn is not None:
                trust = Trust(role_arn=f"arn:aws:iam::{account}:role/{name}-{moved}-runner")
            elif trust.oidc is not None:
                provider = trust.oidc.provider_arn.split(":oidc-provider/", 1)[1]
                trust = Trust(
                    oidc=replace(
                        trust.oidc, provider_arn=f"arn:aws:iam::{account}:oidc-provider/{provider}"
                    )
                )
            aws = replace(aws, trust=trust)
        identity = ServiceIdentity(aws=aws, kubernetes=own.kubernetes)
        services[name] = replace(service, environments={**service.environments, moved: identity})
    return replace(catalog, environments=environments, services=services)


def test_two_environments_in_one_account_stay_isolated(example_catalog: Catalog) -> None:
    """The same matrix with staging in dev's account, where the names in the policies and
    their conditions (not the account boundary) keep environments apart. What stays shared
    is shared by construction and reported: the Lambda service principal (which rotation
    role a function gets is decided by whoever may pass it, iam:PassRole in that account)
    and each team's owner role (one per account). Nothing of dev reaches a staging value."""
    variant = one_account_variant(example_catalog, "staging", "dev")
    envs = world(variant, {e: run_preview(variant, e, "catalog.yaml") for e in ("dev", "staging")})
    m = cross_environment_matrix(variant, envs, SECRET_ACTIONS)
    _report("catalog.yaml, staging in dev's account", envs, m, 0.0)
    assert m.reached == []
    # In one account, a principal holding every permission there (the worst case assumed
    # for a trusted role) administers the account's keys, as the key policy delegates to
    # IAM: it may use staging's key, yet Secrets Manager refuses it every staging value.
    assert m.key_only and all(k.startswith("trusted role ") for k in m.key_only)
    assert sorted(m.shared) == [
        "owner role data-secrets-owner of data",
        "owner role payments-secrets-owner of payments",
        "service lambda.amazonaws.com for 111111111111",
    ]
    checked, missing = positive_controls(variant, envs)
    assert missing == [] and checked >= 30
    cells, wrong = within_environment_exactness(variant, envs)
    assert wrong == [] and cells >= 150
