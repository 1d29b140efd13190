"""Segregation of duties on every generated secret policy, evaluated as AWS would.

moto does not enforce Secrets Manager resource policies, so each request is decided by
tests/iam_evaluator.py (tested on its own against AWS's documented rules) from the very
documents the preview attaches: the secret's resource policy and, for seccat's roles, their
generated identity policies. Issue 8's cases are here: the CI deploy role and an account
administrator, whatever their identity policies allow, can neither put a value nor strip the
policy; only the owner role manages the secret, only rotation (and declared writers) change
its value, only readers read it.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from iam_evaluator import Decision, Principal, decide, role, service

from seccat.documents import iam

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    from parliament import iam_definition

ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ALL_SECRETSMANAGER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
}
READ_METADATA = "secretsmanager:DescribeSecret"
GET = "secretsmanager:GetSecretValue"
PUT = "secretsmanager:PutSecretValue"
STAGE = "secretsmanager:UpdateSecretVersionStage"


@dataclass(frozen=True)
class Deployed:
    """One secret as a preview deploys it: its real ARN, policy and who is who."""

    stack: str
    secret_id: str
    arn: str
    policy: dict[str, Any]
    owner: str
    rotator: str | None
    readers: tuple[str, ...]
    writers: tuple[str, ...]


def deployed(preview, catalog) -> Iterator[Deployed]:
    from seccat.documents.aws_plan import AwsPlan

    plan = AwsPlan(catalog, catalog.environments[preview.stack])
    for secret_id, sp in plan.secrets.items():
        resource = preview.named(f"{preview.stack}/{secret_id}/policy")
        yield Deployed(
            preview.stack,
            secret_id,
            resource.inputs["secretArn"],
            json.loads(resource.inputs["policy"]),
            sp.owner_role_arn,
            sp.rotator.role_arn if sp.rotator else None,
            sp.readers,
            sp.writers,
        )


def identity_policies(preview) -> dict[str, list[dict[str, Any]]]:
    """Role name -> the inline policies the preview attaches to it."""
    found: dict[str, list[dict[str, Any]]] = {}
    for r in preview.of_type("aws:iam/rolePolicy:RolePolicy"):
        found.setdefault(r.inputs["role"], []).append(json.loads(r.inputs["policy"]))
    return found


@pytest.fixture(scope="module")
def secrets(aws_preview, aws_catalog, example_preview, example_catalog) -> list[tuple]:
    out = []
    for preview, catalog in (
        (aws_preview("dev"), aws_catalog),
        (aws_preview("prod"), aws_catalog),
        (example_preview("dev"), example_catalog),
        (example_preview("staging"), example_catalog),
        (example_preview("prod"), example_catalog),
    ):
        policies = identity_policies(preview)
        out += [(d, policies) for d in deployed(preview, catalog)]
    assert len(out) >= 20
    return out


def by_arn(arn: str) -> Principal:
    return Principal(arn=arn)


def account_of(d: Deployed) -> str:
    return d.arn.split(":")[4]


GUARDED = iam.GUARDED_ACTIONS
CHANGES = (*iam.PUT_VALUE_ACTIONS, *iam.STAGE_ACTIONS, *iam.OWNER_ONLY_ACTIONS)


def test_deploy_role_and_admin_can_neither_read_put_nor_strip_the_policy(secrets) -> None:
    for d, _ in secrets:
        for name, policy in (("ci-deploy", ALL_SECRETSMANAGER), ("Admin", ALLOW_ALL)):
            who = role(account_of(d), name)
            for action in GUARDED:
                assert decide(who, action, d.arn, [policy], d.policy) is Decision.EXPLICIT_DENY, (
                    d.secret_id,
                    name,
                    action,
                )
            # Metadata stays readable: administrators are not locked out of describing it.
            assert decide(who, READ_METADATA, d.arn, [policy], d.policy) is Decision.ALLOW


def test_only_the_owner_role_manages_the_secret_and_it_cannot_read_the_value(secrets) -> None:
    for d, _ in secrets:
        owner = by_arn(d.owner)
        for action in CHANGES:
            assert decide(owner, action, d.arn, [ALL_SECRETSMANAGER], d.policy).allowed, action
        assert d.owner not in d.readers
        assert decide(owner, GET, d.arn, [ALL_SECRETSMANAGER], d.policy) is Decision.EXPLICIT_DENY


def test_rotation_changes_values_and_nothing_else_even_with_broad_grants(secrets) -> None:
    rotated = [(d, p) for d, p in secrets if d.rotator]
    assert len(rotated) >= 10
    for d, policies in rotated:
        rotator = by_arn(d.rotator)
        own = policies[d.rotator.rsplit("/", 1)[1]]
        # The four steps of the rotation protocol, with the role's own generated policy.
        for action in (READ_METADATA, GET, PUT, STAGE):
            assert decide(rotator, action, d.arn, own, d.policy) is Decision.ALLOW, action
        # Even if someone broadened the rotation role, the secret's policy holds.
        for action in iam.OWNER_ONLY_ACTIONS:
            decision = decide(rotator, action, d.arn, [*own, ALLOW_ALL], d.policy)
            assert decision is Decision.EXPLICIT_DENY, (d.secret_id, action)


def test_consumers_read_and_only_declared_writers_put(secrets) -> None:
    checked = 0
    for d, policies in secrets:
        for reader in d.readers:
            if reader == d.rotator or "-rotate-" in reader:
                continue
            checked += 1
            consumer = by_arn(reader)
            own = policies.get(reader.rsplit("/", 1)[1], [])
            assert decide(consumer, GET, d.arn, own, d.policy) is Decision.ALLOW
            put = decide(consumer, PUT, d.arn, [ALLOW_ALL], d.policy)
            assert put.allowed == (reader in d.writers), (d.secret_id, reader)
            for action in (*iam.STAGE_ACTIONS, *iam.OWNER_ONLY_ACTIONS):
                assert decide(consumer, action, d.arn, [ALLOW_ALL], d.policy) is (
                    Decision.EXPLICIT_DENY
                )
    assert checked >= 10


def test_the_denies_hold_on_replicas_and_without_tls(secrets) -> None:
    for d, _ in secrets:
        admin = role(account_of(d), "Admin")
        replica = d.arn.replace(":eu-west-1:", ":eu-central-1:")
        for action in (GET, PUT, "secretsmanager:StopReplicationToReplica"):
            assert decide(admin, action, replica, [ALLOW_ALL], d.policy) is Decision.EXPLICIT_DENY
        owner = by_arn(d.owner)
        for action in (PUT, "secretsmanager:DeleteResourcePolicy"):
            plain = decide(
                owner, action, d.arn, [ALLOW_ALL], d.policy, aws__SecureTransport="false"
            )
            assert plain is Decision.EXPLICIT_DENY


def test_aws_services_acting_for_themselves_are_not_locked_out(secrets) -> None:
    """Secrets Manager's own rotation and replication run as its service principal."""
    for d, _ in secrets:
        svc = service("secretsmanager.amazonaws.com")
        for action in GUARDED:
            assert decide(svc, action, d.arn, [], d.policy) is not Decision.EXPLICIT_DENY


def test_the_old_policy_let_an_admin_overwrite_and_strip_it() -> None:
    """Negative control: issue 8's policy (only GetSecretValue denied) fails these checks."""
    arn = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/k-AbC123"
    reader = "arn:aws:iam::222222222222:role/seccat-prod-checkout-api"
    old = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": [reader]},
                "Action": [GET, READ_METADATA],
                "Resource": arn[:-6] + "??????",
            },
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": GET,
                "Resource": arn[:-6] + "??????",
                "Condition": {
                    "ArnNotEquals": {"aws:PrincipalArn": [reader]},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
                },
            },
        ],
    }
    admin = role("222222222222", "Admin")
    assert decide(admin, GET, arn, [ALLOW_ALL], old) is Decision.EXPLICIT_DENY
    for action in (PUT, STAGE, "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteSecret"):
        assert decide(admin, action, arn, [ALLOW_ALL], old) is Decision.ALLOW


def writes_and_policy_actions() -> set[str]:
    """Every Secrets Manager action on a secret that AWS classes as Write, Permissions
    management or Tagging, from parliament's copy of the service authorization reference."""
    sm = next(s for s in iam_definition if s["prefix"] == "secretsmanager")
    return {
        f"secretsmanager:{p['privilege']}"
        for p in sm["privileges"]
        if p["access_level"] in ("Write", "Permissions management", "Tagging")
        and any(r["resource_type"] == "Secret*" for r in p["resource_types"])
    }


#: Not a change to an existing secret: CreateSecret makes a new one (no resource policy can
#: exist yet), ValidateResourcePolicy only checks a draft and changes nothing.
NOT_ON_AN_EXISTING_SECRET = {"secretsmanager:CreateSecret", "secretsmanager:ValidateResourcePolicy"}


def denied_to_everyone_but_a_list(policy: dict[str, Any]) -> set[str]:
    return {
        a
        for s in policy["Statement"]
        if s["Effect"] == "Deny"
        and s["Principal"] == "*"
        and "aws:SecureTransport" not in json.dumps(s)
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }


def missing_denies(policy: dict[str, Any]) -> set[str]:
    return (
        writes_and_policy_actions() - NOT_ON_AN_EXISTING_SECRET
    ) - denied_to_everyone_but_a_list(policy)


def test_every_write_and_policy_action_on_a_secret_is_denied(secrets) -> None:
    reference = writes_and_policy_actions()
    # The reference is the one we think it is: it knows every action seccat lists.
    assert set(CHANGES) <= reference and reference >= NOT_ON_AN_EXISTING_SECRET
    assert len(reference) == len(CHANGES) + len(NOT_ON_AN_EXISTING_SECRET)
    for d, _ in secrets:
        assert missing_denies(d.policy) == set(), d.secret_id
        assert GET in denied_to_everyone_but_a_list(d.policy)


def test_the_completeness_check_finds_a_dropped_action(secrets) -> None:
    d, _ = secrets[0]
    broken = json.loads(json.dumps(d.policy))
    owner_only = next(s for s in broken["Statement"] if s["Sid"] == "DenyChangesExceptOwner")
    owner_only["Action"].remove("secretsmanager:StopReplicationToReplica")
    assert missing_denies(broken) == {"secretsmanager:StopReplicationToReplica"}


def test_a_declared_writer_puts_values_but_moves_no_stage() -> None:
    account = "222222222222"
    arn = f"arn:aws:secretsmanager:eu-west-1:{account}:secret:prod/data/k-AbC123"
    writer = f"arn:aws:iam::{account}:role/seccat-prod-ingest"
    policy = iam.secret_resource_policy(
        secret_name="prod/data/k",
        secret_arn=arn[:-6] + "??????",
        readers=[writer],
        owner=f"arn:aws:iam::{account}:role/data-owner",
        writers=[writer],
    )
    who = by_arn(writer)
    assert decide(who, PUT, arn, [ALLOW_ALL], policy) is Decision.ALLOW
    for action in (*iam.STAGE_ACTIONS, *iam.OWNER_ONLY_ACTIONS):
        assert decide(who, action, arn, [ALLOW_ALL], policy) is Decision.EXPLICIT_DENY
    other = role(account, "seccat-prod-reader")
    assert decide(other, PUT, arn, [ALLOW_ALL], policy) is Decision.EXPLICIT_DENY
