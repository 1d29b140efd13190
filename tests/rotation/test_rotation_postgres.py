"""The PostgreSQL rotation Lambda against a real PostgreSQL server (scram over TCP) and moto.

Every claim is checked by logging in with psycopg over TCP, where the server really verifies
the password: new passwords log in, old single-user passwords stop working, the previous
alternating login keeps working.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql
from rotation import postgres
from rotation.common import RotationError
from servers.postgres import PostgresServer

from tests.rotation.harness import SecretsManagerService

ADMIN = "orders_admin"


def logs_in(server: PostgresServer, user: str, password: str) -> bool:
    try:
        with server.connect(user, password) as conn:
            row = conn.execute("SELECT current_user").fetchone()
    except psycopg.OperationalError as exc:
        assert "password authentication failed" in str(exc), exc  # not some other failure
        return False
    assert row == (user,)
    return True


def creds(secret_json: str) -> tuple[str, str]:
    data = json.loads(secret_json)
    return data["username"], data["password"]


@pytest.fixture(scope="module")
def admin_password(postgres_server: PostgresServer) -> str:
    """An RDS-style admin: CREATEROLE, not a superuser (as the catalog's orders-db-admin)."""
    password = secrets.token_urlsafe(18)
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} WITH LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(ADMIN), sql.Literal(password)
            )
        )
    return password


@dataclass
class Db:
    server: PostgresServer
    sm: SecretsManagerService
    username: str
    admin_arn: str
    admin_password: str

    def create_login(self, username: str, password: str) -> None:
        with self.server.connect() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD {}").format(
                    sql.Identifier(username), sql.Literal(password)
                )
            )

    def secret_json(self, username: str, password: str, *, master: bool = True) -> str:
        data = {
            "engine": "postgres",
            "host": self.server.host,
            "port": self.server.port,
            "dbname": "postgres",
            "username": username,
            "password": password,
        }
        if master:
            data["masterarn"] = self.admin_arn
        return json.dumps(data)


@pytest.fixture
def db(
    postgres_server: PostgresServer,
    secretsmanager: SecretsManagerService,
    admin_password: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Db]:
    """Per test: a fresh login name, the admin secret in moto, the Lambda's environment."""
    username = f"app_{secrets.token_hex(4)}"
    admin_arn = secretsmanager.create(
        "payments/orders-db-admin",
        json.dumps(
            {
                "engine": "postgres",
                "host": postgres_server.host,
                "port": postgres_server.port,
                "dbname": "postgres",
                "username": ADMIN,
                "password": admin_password,
            }
        ),
    )
    env = {
        "SECCAT_DB_HOST": postgres_server.host,
        "SECCAT_DB_PORT": str(postgres_server.port),
        "SECCAT_DB_NAME": "postgres",
        "SECCAT_DB_USERNAME": username,
        "SECCAT_DB_MASTER_SECRET_ARN": admin_arn,
        "SECCAT_DB_SSLMODE": "disable",  # the throwaway cluster has no TLS; scram still applies
        "SECCAT_GENERATE_LENGTH": "32",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield Db(postgres_server, secretsmanager, username, admin_arn, admin_password)


def use_strategy(monkeypatch: pytest.MonkeyPatch, strategy: str, *, master: bool = True) -> None:
    monkeypatch.setenv("SECCAT_DB_STRATEGY", strategy)
    if not master:
        monkeypatch.delenv("SECCAT_DB_MASTER_SECRET_ARN")


# -- single-user ------------------------------------------------------------------------------


def test_single_user_new_password_logs_in_and_old_fails(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog's orders-db-admin case: no superuser, the login changes its own password."""
    use_strategy(monkeypatch, "single-user", master=False)
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first, master=False))
    for _ in range(2):
        old_user, old_password = creds(db.sm.value(arn))
        db.sm.rotate(postgres.handler, arn, repeat=2)  # every step twice
        user, password = creds(db.sm.value(arn))
        assert user == old_user == db.username
        assert password != old_password
        assert logs_in(db.server, user, password)
        assert not logs_in(db.server, old_user, old_password)
    assert "masterarn" not in json.loads(db.sm.value(arn))


def test_single_user_first_value_needs_a_superuser(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    use_strategy(monkeypatch, "single-user", master=False)
    arn = db.sm.create("payments/app")  # no value, as Pulumi creates it
    token = db.sm.begin_rotation(arn)
    with pytest.raises(RotationError, match="seed it"):
        db.sm.step(postgres.handler, arn, token, "createSecret")
    assert db.sm.stages(arn) == {}


def test_single_user_first_value_from_the_superuser(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_strategy(monkeypatch, "single-user")
    arn = db.sm.create("payments/app")
    db.sm.rotate(postgres.handler, arn)
    user, password = creds(db.sm.value(arn))
    assert user == db.username
    assert logs_in(db.server, user, password)
    assert json.loads(db.sm.value(arn))["masterarn"] == db.admin_arn


def test_single_user_rollback_then_rotation_recovers(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a rollback the restored password no longer works in single-user (the server
    holds the newer one); the next rotation logs in with AWSPREVIOUS and heals it."""
    use_strategy(monkeypatch, "single-user", master=False)
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first, master=False))
    db.sm.rotate(postgres.handler, arn)
    db.sm.roll_back(arn)
    assert creds(db.sm.value(arn))[1] == first
    assert not logs_in(db.server, db.username, first)
    db.sm.rotate(postgres.handler, arn)
    assert logs_in(db.server, *creds(db.sm.value(arn)))


def test_single_user_stale_pending_and_race(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed run already applied its password; a second run still completes (through the
    superuser) and only the final password works."""
    use_strategy(monkeypatch, "single-user")
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first))
    failed = db.sm.begin_rotation(arn)
    db.sm.step(postgres.handler, arn, failed, "createSecret")
    db.sm.step(postgres.handler, arn, failed, "setSecret")
    stale_password = creds(db.sm.value(arn, "AWSPENDING", failed))[1]
    assert logs_in(db.server, db.username, stale_password)  # applied, never finished
    token = db.sm.begin_rotation(arn)
    db.sm.step(postgres.handler, arn, token, "createSecret")
    with pytest.raises(RotationError, match="not AWSPENDING"):
        db.sm.step(postgres.handler, arn, failed, "testSecret")
    for step in ("setSecret", "testSecret", "finishSecret"):
        db.sm.step(postgres.handler, arn, token, step)
    assert db.sm.version_with(arn, "AWSCURRENT") == token
    assert not any("AWSPENDING" in s for s in db.sm.stages(arn).values())
    assert logs_in(db.server, *creds(db.sm.value(arn)))
    assert not logs_in(db.server, db.username, stale_password)
    assert not logs_in(db.server, db.username, first)


# -- alternating users ------------------------------------------------------------------------


def test_alternating_users_previous_login_keeps_working(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_strategy(monkeypatch, "alternating-users")
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    table = f"orders_{db.username}"
    with db.server.connect() as conn:
        conn.execute(sql.SQL("CREATE TABLE {} (id int)").format(sql.Identifier(table)))
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.Identifier(table), sql.Identifier(db.username)
            )
        )
    arn = db.sm.create("payments/app", db.secret_json(db.username, first))

    db.sm.rotate(postgres.handler, arn, repeat=2)
    user, password = creds(db.sm.value(arn))
    assert user == f"{db.username}_clone"
    assert logs_in(db.server, user, password)
    assert logs_in(db.server, db.username, first)  # the previous login still works
    with db.server.connect(user, password) as conn:  # and the clone has the same privileges
        conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))

    db.sm.rotate(postgres.handler, arn)
    user2, password2 = creds(db.sm.value(arn))
    assert user2 == db.username and password2 != first
    assert logs_in(db.server, user2, password2)
    assert logs_in(db.server, user, password)  # the clone (now AWSPREVIOUS) still works
    assert not logs_in(db.server, db.username, first)  # two rotations back: gone

    # Rollback: AWSCURRENT back to the previous version, whose login still works.
    db.sm.roll_back(arn)
    assert creds(db.sm.value(arn)) == (user, password)
    assert logs_in(db.server, user, password)

    # Rotation resumes from the rolled-back state: the other login gets a new password.
    db.sm.rotate(postgres.handler, arn)
    user3, password3 = creds(db.sm.value(arn))
    assert user3 == db.username and password3 != password2
    assert logs_in(db.server, user3, password3)
    assert logs_in(db.server, user, password)


def test_alternating_users_first_value_and_custom_alternate(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_strategy(monkeypatch, "alternating-users")
    monkeypatch.setenv("SECCAT_DB_ALTERNATE_USERNAME", f"{db.username}_b")
    arn = db.sm.create("payments/app")
    db.sm.rotate(postgres.handler, arn)
    assert creds(db.sm.value(arn))[0] == db.username
    db.sm.rotate(postgres.handler, arn)
    user, password = creds(db.sm.value(arn))
    assert user == f"{db.username}_b"
    assert logs_in(db.server, user, password)
    assert logs_in(db.server, *creds(db.sm.value(arn, "AWSPREVIOUS")))


def test_alternating_users_race_ends_consistent(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    use_strategy(monkeypatch, "alternating-users")
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first))
    a = db.sm.begin_rotation(arn)
    db.sm.step(postgres.handler, arn, a, "createSecret")
    db.sm.step(postgres.handler, arn, a, "setSecret")
    a_user, a_password = creds(db.sm.value(arn, "AWSPENDING", a))
    b = db.sm.begin_rotation(arn)
    for step in ("createSecret", "setSecret", "testSecret"):
        db.sm.step(postgres.handler, arn, b, step)
        with pytest.raises(RotationError, match="not AWSPENDING"):
            db.sm.step(postgres.handler, arn, a, step if step != "createSecret" else "testSecret")
    with pytest.raises(RotationError, match="not AWSPENDING"):
        db.sm.step(postgres.handler, arn, a, "finishSecret")
    db.sm.step(postgres.handler, arn, b, "finishSecret")
    stages = db.sm.stages(arn)
    assert sum("AWSCURRENT" in s for s in stages.values()) == 1
    assert db.sm.version_with(arn, "AWSCURRENT") == b
    user, password = creds(db.sm.value(arn))
    assert user == a_user  # both runs targeted the clone; the later password won
    assert logs_in(db.server, user, password)
    assert not logs_in(db.server, a_user, a_password)
    assert logs_in(db.server, db.username, first)


def test_alternating_users_stale_pending(db: Db, monkeypatch: pytest.MonkeyPatch) -> None:
    use_strategy(monkeypatch, "alternating-users")
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first))
    original = db.sm.version_with(arn, "AWSCURRENT")
    failed = db.sm.begin_rotation(arn)
    db.sm.step(postgres.handler, arn, failed, "createSecret")
    stale = db.sm.value(arn, "AWSPENDING", failed)
    token = db.sm.rotate(postgres.handler, arn)
    assert db.sm.value(arn) != stale
    assert db.sm.stages(arn) == {original: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    assert logs_in(db.server, *creds(db.sm.value(arn)))
    assert logs_in(db.server, db.username, first)


# -- safety -----------------------------------------------------------------------------------


def test_no_password_in_lambda_logs_or_server_statements(
    db: Db, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Lambda logs (even at DEBUG) carry no value; the server never sees a plaintext password
    either, because ALTER/CREATE ROLE receive a SCRAM verifier."""
    use_strategy(monkeypatch, "alternating-users")
    with db.server.connect() as conn:  # log every statement the admin runs
        conn.execute(
            sql.SQL("ALTER ROLE {} SET log_statement = 'all'").format(sql.Identifier(ADMIN))
        )
    log_start = db.server.log_file.stat().st_size
    caplog.set_level(logging.DEBUG)
    arn = db.sm.create("payments/app")
    for _ in range(3):
        db.sm.rotate(postgres.handler, arn)
    with db.server.connect() as conn:
        conn.execute(sql.SQL("ALTER ROLE {} RESET log_statement").format(sql.Identifier(ADMIN)))
    server_log = db.server.log_file.read_text()[log_start:]
    assert "ROLE" in server_log and "SCRAM-SHA-256$4096:" in server_log
    passwords = [creds(v)[1] for v in db.sm.all_values(arn)] + [db.admin_password]
    assert len(passwords) == 4
    assert "finishSecret" in caplog.text
    for password in passwords:
        assert password not in caplog.text
        assert password not in server_log


def test_a_pending_value_for_another_login_is_refused(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone who can write the secret must not get the superuser to reset another role."""
    use_strategy(monkeypatch, "alternating-users")
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first))
    token = db.sm.begin_rotation(arn)
    db.sm.client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString=db.secret_json(ADMIN, "attacker-chosen"),
        VersionStages=["AWSPENDING"],
    )
    with pytest.raises(RotationError, match="unexpected login"):
        db.sm.step(postgres.handler, arn, token, "setSecret")
    assert logs_in(db.server, ADMIN, db.admin_password)


def test_test_step_fails_when_the_pending_password_does_not_log_in(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_strategy(monkeypatch, "single-user", master=False)
    first = secrets.token_urlsafe(16)
    db.create_login(db.username, first)
    arn = db.sm.create("payments/app", db.secret_json(db.username, first, master=False))
    token = db.sm.begin_rotation(arn)
    db.sm.step(postgres.handler, arn, token, "createSecret")  # setSecret never ran
    with pytest.raises(RotationError, match="does not log in"):
        db.sm.step(postgres.handler, arn, token, "testSecret")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECCAT_DB_USERNAME", "App", r"\[a-z_\]"),
        ("SECCAT_DB_USERNAME", 'x"; DROP ROLE postgres; --', r"\[a-z_\]"),
        ("SECCAT_DB_USERNAME", "a" * 64, r"\[a-z_\]"),
        ("SECCAT_DB_ALTERNATE_USERNAME", "bad-name", r"\[a-z_\]"),
        ("SECCAT_DB_HOST", "db.example.com/evil", "valid host"),
        ("SECCAT_DB_PORT", "99999", "TCP port"),
        ("SECCAT_DB_STRATEGY", "static", "single-user or alternating-users"),
        ("SECCAT_DB_MASTER_SECRET_ARN", "arn:aws:iam::123456789012:role/x", "secret ARN"),
        ("SECCAT_DB_SSLMODE", "prefer", "verify-full"),
    ],
)
def test_bad_configuration_is_refused(name: str, value: str, message: str) -> None:
    env = {
        "SECCAT_DB_STRATEGY": "alternating-users",
        "SECCAT_DB_HOST": "orders-db.internal.example.com",
        "SECCAT_DB_NAME": "orders",
        "SECCAT_DB_USERNAME": "orders_app",
        "SECCAT_DB_MASTER_SECRET_ARN": (
            "arn:aws:secretsmanager:eu-west-1:222222222222:secret:payments/orders-db-admin-AbCdEf"
        ),
    }
    postgres.DbConfig.from_env(env)  # the baseline is valid
    with pytest.raises(RotationError, match=message):
        postgres.DbConfig.from_env({**env, name: value})


def test_scram_verifier_is_what_postgres_accepts(postgres_server: PostgresServer) -> None:
    """Independent of the rotation flow: a role given only our verifier logs in."""
    password = "Ab1!" + secrets.token_urlsafe(20)
    user = f"scram_{secrets.token_hex(4)}"
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} WITH LOGIN PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(postgres.scram_sha256_verifier(password))
            )
        )
    assert logs_in(postgres_server, user, password)
    assert not logs_in(postgres_server, user, password + "x")
