"""`seccat rotate` on the operations world, as an operator runs it in an incident.

moto cannot invoke a Lambda without Docker, so the operations moto server runs each rotation
function's deployed zip and layers in a fresh Python process, as its execution role, when
Secrets Manager invokes it (servers/moto_ops.py): `seccat rotate` calls the real
RotateSecret, and the real rotation handlers change real PostgreSQL logins, as in
tests/rotation/ but driven by Secrets Manager's own call.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from operations.conftest import ACCOUNT, ENV, ORDERS_ADMIN, OWNER_ROLE, World
from operations.helpers import (
    cli,
    db_login,
    enforce_resource_policies,
    kv_value,
    kv_version,
    logs_in,
    seccat,
    tags,
    version_with,
)
from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview
from seccat.operations.clients import VaultConnection
from seccat.operations.rotate import Rotator, plan_rotation
from seccat.operations.rotation_log import attempts, read_log_group
from seccat.operations.targets import build_targets


def snapshot(world: World) -> dict[str, object]:
    """Every secret's current version (AWS, KV) and every static role's last rotation."""
    out: dict[str, object] = {}
    client = world.root_vault()
    for target in world.targets().secrets.values():
        if target.aws is not None:
            out[target.id] = version_with(world, target.id, "AWSCURRENT")
        elif target.vault is not None and target.vault.kind == "kv":
            out[target.id] = kv_version(world, target.id)
        elif target.vault is not None and target.vault.kind == "static":
            out[target.id] = client.read(target.vault.config_path)["data"]["last_vault_rotation"]
    return out


def function_attempts(world: World, secret_id: str) -> list:
    group = world.targets().secrets[secret_id].aws.log_group  # type: ignore[union-attr]
    return attempts(read_log_group(world.aws().client("logs"), group))


def test_dry_run_prints_the_ordered_plan_and_changes_nothing(ops_world: World) -> None:
    before = snapshot(ops_world)
    done = cli(ops_world, "rotate", "--service", "db-migrator", "--stack", ENV, "--dry-run")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode() == (
        f"rotation plan for {ENV}: everything service db-migrator can read (3 secret(s), 2 "
        "wave(s))\n"
        "  wave 1:\n"
        f"    {ENV}/data/warehouse-etl  vault-rotate-role: database-{ENV}/rotate-role/"
        "data.warehouse-etl\n"
        f"    {ENV}/shop/orders-admin  aws-rotate: RotateSecret with seccat-{ENV}-rotate-"
        "shop_orders-admin\n"
        "  wave 2:\n"
        f"    {ENV}/shop/orders-app  aws-rotate: RotateSecret with seccat-{ENV}-rotate-"
        "shop_orders-app; after shop/orders-admin, the superuser its function logs in with\n"
        "dry run: nothing was changed\n"
    )
    plan = json.loads(
        cli(
            ops_world, "rotate", "--service", "checkout", "--stack", ENV, "--dry-run", "-f", "json"
        ).stdout
    )
    steps = {(s["secret"], s["action"], s["wave"]) for s in plan["plans"][0]["steps"]}
    assert steps == {
        ("shop/api-key", "aws-rotate", 1),
        ("shop/orders-app", "aws-rotate", 1),  # its superuser is not in this blast radius
        ("shop/partner-cert", "manual", 1),
        ("shop/session-key", "kv-rotate", 1),
        ("shop/ldap-password", "kv-rotate", 1),
    }
    assert snapshot(ops_world) == before


def test_a_services_blast_radius_rotates_exactly_that_set_in_order(ops_world: World) -> None:
    before = snapshot(ops_world)
    admin_user, admin_old = db_login(ops_world, "shop/orders-admin")
    app_user, app_old = db_login(ops_world, "shop/orders-app")
    etl = ops_world.root_vault().read(f"database-{ENV}/static-creds/data.warehouse-etl")["data"]

    done = seccat(
        ops_world,
        "rotate",
        "--service",
        "db-migrator",
        "--stack",
        ENV,
        "--incident",
        "INC-7",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    report = json.loads(done.stdout)
    outcomes = {o["secret"]: o for o in report["outcomes"]}
    assert set(outcomes) == {"shop/orders-admin", "shop/orders-app", "data/warehouse-etl"}
    assert {o["status"] for o in outcomes.values()} == {"rotated"}
    assert (
        outcomes["shop/orders-app"]["proof"] == "testSecret passed (function log), AWSCURRENT moved"
    )

    # exactly that set changed
    after = snapshot(ops_world)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"shop/orders-admin", "shop/orders-app", "data/warehouse-etl"}

    # in order: the superuser's rotation finished before the application login's started
    admin_done = function_attempts(ops_world, "shop/orders-admin")[-1]
    app_started = function_attempts(ops_world, "shop/orders-app")[-1]
    assert admin_done.token == outcomes["shop/orders-admin"]["after"]
    assert app_started.token == outcomes["shop/orders-app"]["after"]
    assert admin_done.finished is not None and admin_done.finished <= app_started.started

    # the new logins work on PostgreSQL, and the old ones as each strategy says
    admin_user2, admin_new = db_login(ops_world, "shop/orders-admin")
    assert admin_user2 == admin_user == ORDERS_ADMIN
    assert logs_in(ops_world, admin_user, admin_new)
    assert not logs_in(ops_world, admin_user, admin_old), "single-user: the old password is gone"
    app_user2, app_new = db_login(ops_world, "shop/orders-app")
    assert app_user2 != app_user, "alternating users: the other login is current now"
    assert logs_in(ops_world, app_user2, app_new)
    assert logs_in(ops_world, app_user, app_old), "the previous login still works"
    etl_new = ops_world.root_vault().read(f"database-{ENV}/static-creds/data.warehouse-etl")["data"]
    assert etl_new["password"] != etl["password"]
    assert logs_in(ops_world, etl_new["username"], etl_new["password"], "opswarehouse")
    assert not logs_in(ops_world, etl["username"], etl["password"], "opswarehouse")
    ops_world.values |= {admin_new, app_new, etl_new["password"], etl["password"]}

    # the incident is recorded, and a rerun skips everything
    assert tags(ops_world, "shop/orders-admin")["seccat:incident"] == "INC-7"
    again = cli(
        ops_world,
        "rotate",
        "--service",
        "db-migrator",
        "--stack",
        ENV,
        "--incident",
        "INC-7",
        "--format",
        "json",
    )
    assert again.returncode == 0, again.stderr.decode()
    assert {o["status"] for o in json.loads(again.stdout)["outcomes"]} == {"skipped"}
    assert snapshot(ops_world) == after
    ops_world.assert_no_value_in(done.stdout, done.stderr, again.stdout, again.stderr)
    # nor in any log: the functions' CloudWatch logs, moto's and OpenBao's (its audit device
    # writes to its stdout: values only as HMACs)
    ops_world.assert_no_value_in(*ops_world.log_texts())


def test_kv_generated_and_external_secrets(ops_world: World) -> None:
    before = snapshot(ops_world)
    old_session = kv_value(ops_world, "shop/session-key")
    done = cli(ops_world, "rotate", "--service", "checkout", "--stack", ENV)
    # partner-cert is issued by the bank: listed for its owner, so the run is not done
    assert done.returncode == 1, done.stderr.decode()
    text = done.stdout.decode().splitlines()
    assert text[-1] == "seccat rotate FAILED: 1 manual, 4 rotated"
    assert any(
        line.startswith(f"{ENV}/shop/partner-cert: manual: issued outside seccat (certificate)")
        for line in text
    )
    after = snapshot(ops_world)
    assert after["shop/session-key"] == before["shop/session-key"] + 1  # type: ignore[operator]
    assert after["shop/ldap-password"] == before["shop/ldap-password"] + 1  # type: ignore[operator]
    assert after["shop/partner-cert"] == before["shop/partner-cert"]
    assert after["shop/webhook-key"] == before["shop/webhook-key"]
    new_session = kv_value(ops_world, "shop/session-key")
    assert new_session != old_session and len(new_session) == 32
    ops_world.values.add(new_session)
    ops_world.assert_no_value_in(done.stdout, done.stderr)


def test_a_team_rotates_its_static_role_and_revokes_its_dynamic_logins(ops_world: World) -> None:
    """--team data: the static role's password changes in PostgreSQL, and every login the
    dynamic role issued is revoked (the database refuses it afterwards)."""
    client = ops_world.root_vault()
    issued = [client.read(f"database-{ENV}/creds/data.warehouse-reader")["data"] for _ in range(2)]
    ops_world.values |= {c["password"] for c in issued}
    for creds in issued:
        assert logs_in(ops_world, creds["username"], creds["password"], "opswarehouse")
    etl = client.read(f"database-{ENV}/static-creds/data.warehouse-etl")["data"]

    plan = cli(ops_world, "rotate", "--team", "data", "--stack", ENV, "--dry-run")
    assert plan.stdout.decode() == (
        f"rotation plan for {ENV}: every secret of team data (2 secret(s), 1 wave(s))\n"
        "  wave 1:\n"
        f"    {ENV}/data/warehouse-etl  vault-rotate-role: database-{ENV}/rotate-role/"
        "data.warehouse-etl\n"
        f"    {ENV}/data/warehouse-reader  vault-revoke-leases: revoke every login issued by "
        f"database-{ENV}/creds/data.warehouse-reader; consumers read new ones\n"
        "dry run: nothing was changed\n"
    )
    done = cli(
        ops_world, "rotate", "--team", "data", "--stack", ENV, "--concurrency", "1", "-f", "json"
    )
    assert done.returncode == 0, done.stderr.decode() + done.stdout.decode()
    outcomes = {o["secret"]: o for o in json.loads(done.stdout)["outcomes"]}
    assert outcomes["data/warehouse-etl"]["status"] == "rotated"
    reader = outcomes["data/warehouse-reader"]
    assert (reader["status"], reader["before"], reader["after"]) == ("revoked", "2", "0")
    assert reader["proof"] == "no lease of the role is left"
    for creds in issued:
        assert not logs_in(ops_world, creds["username"], creds["password"], "opswarehouse")
    etl_new = client.read(f"database-{ENV}/static-creds/data.warehouse-etl")["data"]
    ops_world.values.add(etl_new["password"])
    assert logs_in(ops_world, etl_new["username"], etl_new["password"], "opswarehouse")
    assert not logs_in(ops_world, etl["username"], etl["password"], "opswarehouse")
    ops_world.assert_no_value_in(plan.stdout, done.stdout, done.stderr)


def test_a_failing_rotation_is_reported_with_the_functions_error(ops_world: World) -> None:
    lam = ops_world.aws().client("lambda")
    name = f"seccat-{ENV}-rotate-shop_orders-app"
    original = lam.get_function_configuration(FunctionName=name)["Environment"]
    broken = {**original["Variables"], "SECCAT_DB_PORT": "1"}
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": broken})
    current = version_with(ops_world, "shop/orders-app", "AWSCURRENT")
    incident = ("--incident", "INC-9")
    try:
        done = cli(ops_world, "rotate", "shop/orders-app", "--stack", ENV, "-f", "json", *incident)
    finally:
        lam.update_function_configuration(FunctionName=name, Environment=original)
    assert done.returncode == 1
    (outcome,) = json.loads(done.stdout)["outcomes"]
    assert outcome["status"] == "failed"
    assert outcome["detail"].startswith("the rotation function failed on version ")
    assert f"AWSCURRENT stays on {current}" in outcome["detail"]
    assert version_with(ops_world, "shop/orders-app", "AWSCURRENT") == current
    pending = version_with(ops_world, "shop/orders-app", "AWSPENDING")
    assert pending is not None and pending != current
    assert f"version {pending}:" in outcome["detail"]
    # a rerun of the same incident joins the rotation it started (same request token) and
    # reports how it ended; any other run refuses a rotation in flight rather than race it
    resumed = cli(ops_world, "rotate", "shop/orders-app", "--stack", ENV, "-f", "json", *incident)
    (joined,) = json.loads(resumed.stdout)["outcomes"]
    assert joined["detail"].startswith(f"the rotation function failed on version {pending}:")
    again = cli(ops_world, "rotate", "shop/orders-app", "--stack", ENV)
    assert again.returncode == 1
    assert (
        f"a rotation is already in flight (AWSPENDING on version {pending})"
        in again.stdout.decode()
    )
    assert "seccat:incident" not in tags(ops_world, "shop/orders-app") or (
        tags(ops_world, "shop/orders-app")["seccat:incident"] != "INC-9"
    ), "a failed rotation is not recorded as done"
    ops_world.sm().update_secret_version_stage(
        SecretId=f"{ENV}/shop/orders-app", VersionStage="AWSPENDING", RemoveFromVersionId=pending
    )


def test_only_the_owner_role_may_rotate_under_the_generated_policy(ops_world: World) -> None:
    """moto enforces no resource policy: the team's IAM evaluator decides each call under
    the secret's live generated policy (an identity policy allowing secretsmanager:* on
    everything, so only the resource policy can refuse)."""
    targets = ops_world.targets()
    plan = plan_rotation(targets, secret="shop/api-key")
    admin = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
    conn = ops_world.aws()
    decisions = enforce_resource_policies(ops_world, conn.client("secretsmanager"), admin)
    (refused,) = Rotator(conn, None).run(plan)
    assert refused.status == "failed"
    assert refused.detail == (
        "RotateSecret: AccessDeniedException: the secret's resource policy lets only its "
        "rotation role, its declared writers and the owning team's owner role "
        f"({OWNER_ROLE}) rotate it, move its stages or tag it; run this command with that "
        "owner role's credentials (docs/operations.md#permissions)"
    )
    assert "secretsmanager:RotateSecret explicit deny" in decisions
    owner_conn = ops_world.aws()
    owner_decisions = enforce_resource_policies(
        ops_world, owner_conn.client("secretsmanager"), OWNER_ROLE
    )
    (rotated,) = Rotator(owner_conn, None, incident="INC-8").run(plan)
    assert rotated.status == "rotated", rotated.detail
    assert "secretsmanager:RotateSecret allow" in owner_decisions
    assert "secretsmanager:TagResource allow" in owner_decisions


@pytest.mark.parametrize("incident", ["", "x" * 65, "INC 1", "../etc"])
def test_bad_incident_ids_are_usage_errors(ops_world: World, incident: str) -> None:
    done = cli(ops_world, "rotate", "shop/api-key", "--stack", ENV, "--incident", incident)
    assert done.returncode == 2
    assert b"--incident" in done.stderr


class _QueueRace:
    """An hvac client whose rotate-role fails as Vault's does when its periodic check put
    the role back on the rotation queue meanwhile ("duplicate item"), after (``rotates``) or
    without changing the password."""

    def __init__(self, rotates: bool) -> None:
        self.rotations = ["2026-12-01T00:00:00Z"]
        self.rotates = rotates
        self.adapter = self

    def read(self, path: str) -> dict[str, object]:
        return {"data": {"last_vault_rotation": self.rotations[-1]}}

    def post(self, url: str) -> None:
        import hvac.exceptions

        if self.rotates:
            self.rotations.append("2026-12-01T00:05:00Z")
        raise hvac.exceptions.InternalServerError("1 error occurred:\n\t* duplicate item\n")


@pytest.mark.parametrize("rotates", [True, False])
def test_a_static_role_rotation_is_decided_by_last_vault_rotation(
    example_catalog: Catalog, example_preview: Callable[[str], Preview], rotates: bool
) -> None:
    targets = build_targets(example_catalog, "prod", example_preview("prod"))
    plan = plan_rotation(targets, secret="data/warehouse-etl")
    client = _QueueRace(rotates)
    (outcome,) = Rotator(None, VaultConnection(client, "http://127.0.0.1:1", "token")).run(plan)
    if rotates:
        assert (outcome.status, outcome.before, outcome.after) == (
            "rotated",
            "2026-12-01T00:00:00Z",
            "2026-12-01T00:05:00Z",
        )
    else:
        assert (outcome.status, outcome.detail) == ("failed", "rotate-role: InternalServerError")
