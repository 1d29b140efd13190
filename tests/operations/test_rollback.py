"""`seccat rollback`: the previous value comes back on AWS and Vault, what must not roll back
is refused with the reason, and nothing happens without a confirmation."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from operations.conftest import ACCOUNT, ENV, OWNER_ROLE, World
from operations.helpers import (
    cli,
    db_login,
    enforce_resource_policies,
    kv_value,
    kv_version,
    logs_in,
    on_a_terminal,
    seccat,
    stages,
    value,
    version_with,
)
from seccat.operations.errors import OperationError
from seccat.operations.rollback import apply_rollback, plan_rollback
from seccat.operations.rotate import Rotator, plan_rotation


def new_value(world: World, secret_id: str) -> str:
    """A new AWSCURRENT the way an owner or writer stores one (Secrets Manager moves
    AWSPREVIOUS to the replaced version); returns it."""
    fresh = f"value-{secrets.token_urlsafe(24)}"
    world.sm().put_secret_value(SecretId=f"{ENV}/{secret_id}", SecretString=fresh)
    world.values.add(fresh)
    return fresh


def rotate(world: World, secret_id: str) -> None:
    """One rotation through the library (what `seccat rotate SECRET` runs)."""
    (outcome,) = Rotator(world.aws(), world.vault()).run(
        plan_rotation(world.targets(), secret=secret_id)
    )
    assert outcome.status == "rotated", outcome.detail


def test_aws_rollback_restores_the_previous_value(ops_world: World) -> None:
    previous_value = new_value(ops_world, "shop/api-key")
    previous = version_with(ops_world, "shop/api-key", "AWSCURRENT")
    rotate(ops_world, "shop/api-key")  # the real rotation function makes the current one
    current = version_with(ops_world, "shop/api-key", "AWSCURRENT")
    assert value(ops_world, "shop/api-key") != previous_value

    done = seccat(ops_world, "rollback", "shop/api-key", "--stack", ENV, "--yes")
    assert done.returncode == 0, done.stderr.decode()
    lines = done.stdout.decode().splitlines()
    assert lines[0].startswith(
        f"{ENV}/shop/api-key: will roll back: move AWSCURRENT of {ENV}/shop/api-key from "
        f"version {current} (created "
    )
    assert f"back to the AWSPREVIOUS version {previous} (created " in lines[0]
    assert lines[0].endswith(
        f"Secrets Manager then labels {current} AWSPREVIOUS. Acting as "
        f"arn:aws:sts::{ACCOUNT}:assumed-role/shop-secrets-owner/operator"
    )
    assert lines[1:] == [
        f"{ENV}/shop/api-key: rolled back: AWSCURRENT is back on {previous}",
        "seccat rollback: 1 of 1 rolled back",
    ]
    assert value(ops_world, "shop/api-key") == previous_value
    assert stages(ops_world, "shop/api-key")[current] == ["AWSPREVIOUS"]
    ops_world.assert_no_value_in(done.stdout, done.stderr)


def test_nothing_happens_without_a_terminal_or_yes(ops_world: World) -> None:
    new_value(ops_world, "shop/api-key")
    before = stages(ops_world, "shop/api-key")
    done = cli(ops_world, "rollback", "shop/api-key", "--stack", ENV)
    assert done.returncode == 2
    assert done.stdout.decode().startswith(f"{ENV}/shop/api-key: will roll back: move AWSCURRENT")
    assert (
        b"seccat: error: refusing to roll back without a terminal to confirm: pass --yes"
        in done.stderr
    )
    assert stages(ops_world, "shop/api-key") == before


def test_a_person_at_a_terminal_confirms_or_declines(ops_world: World) -> None:
    """On a terminal the plan is shown, then a question; only "y" rolls back."""
    previous_value = new_value(ops_world, "shop/api-key")
    new_value(ops_world, "shop/api-key")
    before = stages(ops_world, "shop/api-key")
    code, stdout, terminal = on_a_terminal(
        ops_world, "rollback", "shop/api-key", "--stack", ENV, typed=b"n\n"
    )
    shown = terminal.decode("utf-8", "replace")
    assert code == 1, shown
    assert stdout.decode().startswith(f"{ENV}/shop/api-key: will roll back: move AWSCURRENT")
    assert "Roll back as shown? [y/N]:" in shown and "seccat rollback: nothing changed" in shown
    assert stages(ops_world, "shop/api-key") == before
    code, stdout, terminal = on_a_terminal(
        ops_world, "rollback", "shop/api-key", "--stack", ENV, typed=b"y\n"
    )
    assert code == 0, terminal.decode("utf-8", "replace")
    assert stdout.decode().splitlines()[-1] == "seccat rollback: 1 of 1 rolled back"
    assert value(ops_world, "shop/api-key") == previous_value
    ops_world.assert_no_value_in(stdout, terminal)


def test_refused_while_a_rotation_is_in_flight(ops_world: World) -> None:
    sm = ops_world.sm()
    pending = sm.put_secret_value(
        SecretId=f"{ENV}/shop/api-key",
        SecretString="a-rotation-in-progress-value",
        VersionStages=["AWSPENDING"],
    )["VersionId"]
    ops_world.values.add("a-rotation-in-progress-value")
    try:
        done = cli(ops_world, "rollback", "shop/api-key", "--stack", ENV, "--yes")
    finally:
        sm.update_secret_version_stage(
            SecretId=f"{ENV}/shop/api-key", VersionStage="AWSPENDING", RemoveFromVersionId=pending
        )
    assert done.returncode == 1
    assert done.stdout.decode().splitlines()[0] == (
        f"{ENV}/shop/api-key: cannot roll back: a rotation of {ENV}/shop/api-key is in flight "
        f"(AWSPENDING on version {pending}): moving AWSCURRENT now would race its "
        "finishSecret. Wait until it finishes or fails (seccat status), then roll back"
    )


def test_a_single_user_login_is_refused_with_what_to_do(ops_world: World) -> None:
    current = version_with(ops_world, "shop/orders-admin", "AWSCURRENT")
    done = cli(ops_world, "rollback", "shop/orders-admin", "--stack", ENV, "--yes")
    assert done.returncode == 1
    assert (
        "is a single-user database login: its rotation changed the password in the database, "
        "so the previous value no longer logs in" in done.stdout.decode()
    )
    assert f"seccat rotate shop/orders-admin --stack {ENV}" in done.stdout.decode()
    assert version_with(ops_world, "shop/orders-admin", "AWSCURRENT") == current


def test_an_alternating_login_rolls_back_to_a_login_that_works(ops_world: World) -> None:
    previous_user, previous_password = db_login(ops_world, "shop/orders-app")
    rotate(ops_world, "shop/orders-app")
    assert db_login(ops_world, "shop/orders-app")[0] != previous_user
    done = cli(ops_world, "rollback", "shop/orders-app", "--stack", ENV, "--yes", "-f", "json")
    assert done.returncode == 0, done.stderr.decode()
    report = json.loads(done.stdout)
    (result,) = report["results"]
    assert result["done"] is True and report["passed"] is True
    assert "the previous login keeps its password until the next rotation" in result["explanation"]
    user, password = db_login(ops_world, "shop/orders-app")
    assert (user, password) == (previous_user, previous_password)
    assert logs_in(ops_world, user, password)
    ops_world.values.add(password)
    ops_world.assert_no_value_in(done.stdout, done.stderr)


def test_kv_rollback_writes_the_previous_data_with_check_and_set(ops_world: World) -> None:
    rotate(ops_world, "shop/session-key")
    previous = kv_version(ops_world, "shop/session-key")
    rotate(ops_world, "shop/session-key")
    current = kv_version(ops_world, "shop/session-key")
    done = cli(ops_world, "rollback", "shop/session-key", "--stack", ENV, "--yes")
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().splitlines() == [
        f"{ENV}/shop/session-key: will roll back: write the data of version {previous} of "
        f"kv-{ENV}/shop/session-key as version {current + 1}, with check-and-set on version "
        f"{current} (history stays append-only)",
        f"{ENV}/shop/session-key: rolled back: version {current + 1} holds the data of version "
        f"{previous} (check-and-set on {current})",
        "seccat rollback: 1 of 1 rolled back",
    ]
    assert kv_version(ops_world, "shop/session-key") == current + 1
    assert kv_value(ops_world, "shop/session-key") == kv_value(
        ops_world, "shop/session-key", previous
    )
    ops_world.values.add(kv_value(ops_world, "shop/session-key", current))
    ops_world.assert_no_value_in(done.stdout, done.stderr)


def test_kv_rollback_out_file_gets_the_text_and_stdout_nothing(
    ops_world: World, tmp_path: Path
) -> None:
    """Red-team finding: with --out, the plan went to stdout and plan + result to the file,
    where every other command writes to --out exactly what stdout would get."""
    rotate(ops_world, "shop/session-key")
    rotate(ops_world, "shop/session-key")
    out = tmp_path / "rollback.txt"
    done = cli(
        ops_world, "rollback", "shop/session-key", "--stack", ENV, "--yes", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == b""
    lines = out.read_text().splitlines()
    assert [line.split(": ", 2)[1] for line in lines[:2]] == ["will roll back", "rolled back"]
    assert lines[2:] == ["seccat rollback: 1 of 1 rolled back"]
    assert done.stderr.decode().splitlines() == [lines[0], lines[2]]
    ops_world.assert_no_value_in(done.stdout, done.stderr, out.read_bytes())


def test_kv_rollback_with_a_token_that_may_only_read_fails_with_the_reason(
    ops_world: World,
) -> None:
    """Red-team finding: the plan only reads, so a read-only token passed it and the write
    raised hvac's Forbidden out of `rollback --yes` as a traceback."""
    rotate(ops_world, "shop/session-key")
    rotate(ops_world, "shop/session-key")
    before = kv_version(ops_world, "shop/session-key")
    root = ops_world.root_vault()
    mount = f"kv-{ENV}"
    root.sys.create_or_update_acl_policy(
        name="redteam-read-only",
        policy=f'path "{mount}/data/*" {{ capabilities = ["read"] }}\n'
        f'path "{mount}/metadata/*" {{ capabilities = ["read", "list"] }}\n',
    )
    token = root.auth.token.create(policies=["redteam-read-only"], ttl="5m")["auth"]["client_token"]
    done = cli(
        ops_world, "rollback", "shop/session-key", "--stack", ENV, "--yes", VAULT_TOKEN=token
    )
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout.decode().splitlines()[1:] == [
        f"{ENV}/shop/session-key: not rolled back: Vault refused to read or write "
        f"{mount}/shop/session-key: the token needs update on its data path "
        "(docs/operations.md#permissions)",
        "seccat rollback: 0 of 1 rolled back",
    ]
    assert kv_version(ops_world, "shop/session-key") == before
    ops_world.assert_no_value_in(done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (
            "data/warehouse-etl",
            f"database-{ENV}/static-roles/data.warehouse-etl cannot roll back: Vault keeps no "
            "previous password",
        ),
        (
            "data/warehouse-reader",
            f"database-{ENV}/roles/data.warehouse-reader issues a new login for every lease, so "
            "there is nothing to roll back",
        ),
    ],
)
def test_database_roles_explain_why_they_cannot_roll_back(
    ops_world: World, secret: str, reason: str
) -> None:
    done = cli(ops_world, "rollback", secret, "--stack", ENV)
    assert done.returncode == 1, "refused without asking: nothing could be done"
    assert done.stdout.decode().startswith(f"{ENV}/{secret}: cannot roll back: {reason}")


def test_only_the_owner_role_may_move_stages_under_the_generated_policy(ops_world: World) -> None:
    new_value(ops_world, "shop/webhook-key")
    target = ops_world.targets().secrets["shop/webhook-key"]
    admin = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
    conn = ops_world.aws()
    decisions = enforce_resource_policies(ops_world, conn.client("secretsmanager"), admin)
    plan = plan_rollback(target, conn, None)
    assert plan.possible
    with pytest.raises(OperationError) as refused:
        apply_rollback(plan, conn, None)
    assert refused.value.message.startswith(
        "UpdateSecretVersionStage: AccessDeniedException: the secret's resource policy lets "
        f"only its rotation role, its declared writers and the owning team's owner role "
        f"({OWNER_ROLE})"
    )
    assert "secretsmanager:UpdateSecretVersionStage explicit deny" in decisions
    owner = ops_world.aws()
    allowed = enforce_resource_policies(ops_world, owner.client("secretsmanager"), OWNER_ROLE)
    result = apply_rollback(plan_rollback(target, owner, None), owner, None)
    assert result.done, result.detail
    assert "secretsmanager:UpdateSecretVersionStage allow" in allowed
