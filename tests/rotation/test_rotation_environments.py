"""Issue 8, AWS side: catalog.yaml's PostgreSQL rotation functions, each exactly as the preview
of its environment configures it (handler, SECCAT_DB_* from the catalog's per-environment
connection), run against moto and one real PostgreSQL per environment.

Proves, by logging in over TCP and reading pg_authid on every server before and after each
rotation, that dev's rotation changes dev's logins on dev's server and nothing on prod's, and
that prod's logins still work afterwards. Negative control: the layout issue 8 found (one
host for every environment) lets dev's first rotation change prod's password.

The one departure from the preview: SECCAT_DB_MASTER_SECRET_ARN names the environment's
admin secret by the preview's mocked ARN, which moto cannot know; it is replaced by the moto
ARN of the secret of the same name (and that name must be the environment's own).
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from ruamel.yaml import YAML
from servers.catalogs import per_environment, single_host
from servers.postgres import PostgresServer

from seccat.catalog.build import build_catalog
from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview, run_preview
from tests.rotation.harness import SecretsManagerService

ENVS = ("dev", "staging", "prod")
ADMIN, APP = "payments/orders-db-admin", "payments/orders-db-app"
SECRET = "aws:secretsmanager/secret:Secret"


def function(preview: Preview, secret_id: str) -> dict[str, Any]:
    return preview.named(f"{preview.stack}/{secret_id}/rotation-function").inputs


def logs_in(server: PostgresServer, user: str, password: str) -> bool:
    try:
        with server.connect(user, password, "orders") as conn:
            row = conn.execute("SELECT current_user").fetchone()
    except psycopg.OperationalError as exc:
        assert "password authentication failed" in str(exc), exc  # not some other failure
        return False
    assert row == (user,)
    return True


@dataclass
class Environment:
    """One environment: its server, its preview, its secrets in moto."""

    name: str
    server: PostgresServer
    preview: Preview
    arns: dict[str, str] = field(default_factory=dict)


@dataclass
class Aws:
    sm: SecretsManagerService
    monkeypatch: pytest.MonkeyPatch
    #: moto ARN by secret name, across environments (for SECCAT_DB_MASTER_SECRET_ARN).
    by_name: dict[str, str] = field(default_factory=dict)

    def seed(self, env: Environment, secret_id: str, username: str, password: str) -> None:
        """The secret as Pulumi names it, seeded by the DBA with the login's first password,
        in the JSON the rotation function reads and writes."""
        name = next(
            r.inputs["name"]
            for r in env.preview.resources
            if r.type == SECRET and r.name == f"{env.name}/{secret_id}"
        )
        variables = function(env.preview, secret_id)["environment"]["variables"]
        value = {
            "engine": "postgres",
            "host": variables["SECCAT_DB_HOST"],
            "port": int(variables["SECCAT_DB_PORT"]),
            "dbname": variables["SECCAT_DB_NAME"],
            "username": username,
            "password": password,
        }
        arn = self.sm.create(name, json.dumps(value))
        env.arns[secret_id] = self.by_name[name] = arn

    def rotate(self, env: Environment, secret_id: str) -> None:
        """One whole rotation by the function exactly as the preview deploys it."""
        fn = function(env.preview, secret_id)
        variables = dict(fn["environment"]["variables"])
        master = variables.get("SECCAT_DB_MASTER_SECRET_ARN")
        if master is not None:
            name = master.split(":secret:", 1)[1].rsplit("-", 1)[0]
            assert name == f"{env.name}/{ADMIN}", "a rotation reads its own environment's admin"
            variables["SECCAT_DB_MASTER_SECRET_ARN"] = self.by_name[name]
        module, handler = fn["handler"].rsplit(".", 1)
        with self.monkeypatch.context() as m:
            for key in [k for k in os.environ if k.startswith("SECCAT_")]:
                m.delenv(key)
            for key, value in variables.items():
                m.setenv(key, value)
            self.sm.rotate(getattr(importlib.import_module(module), handler), env.arns[secret_id])

    def current(self, env: Environment, secret_id: str) -> tuple[str, str]:
        data = json.loads(self.sm.value(env.arns[secret_id]))
        return data["username"], data["password"]


@pytest.fixture
def aws(secretsmanager: SecretsManagerService, monkeypatch: pytest.MonkeyPatch) -> Aws:
    return Aws(secretsmanager, monkeypatch)


def prepare(server: PostgresServer) -> tuple[str, str]:
    """What the DBA does once per server: the database, the admin login (RDS-style:
    CREATEROLE, not a superuser) and the application login, each with a first password."""
    admin_password, app_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    with server.connect() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'orders'").fetchone():
            conn.execute("CREATE DATABASE orders")
        for role, extra, password in (
            ("orders_admin", "CREATEROLE", admin_password),
            ("orders_app", "", app_password),
        ):
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(
                sql.SQL("{} ROLE {} WITH LOGIN {} PASSWORD {}").format(
                    sql.SQL(verb), sql.Identifier(role), sql.SQL(extra), sql.Literal(password)
                )
            )
        conn.execute("DROP ROLE IF EXISTS orders_app_clone")
    return admin_password, app_password


def hashes(servers: dict[str, PostgresServer]) -> dict[tuple[str, str], str]:
    return {
        (env, login): verifier
        for env, server in servers.items()
        for login, verifier in server.password_hashes().items()
    }


def changed(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


@pytest.fixture(scope="module")
def per_env_catalog(
    postgres_per_environment: dict[str, PostgresServer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Catalog]]:
    path = tmp_path_factory.mktemp("aws-per-environment") / "catalog.yaml"
    path.write_text(per_environment(postgres_per_environment), encoding="utf-8")
    yield path, load_catalog(path)


def test_each_environments_rotation_touches_only_its_own_server(
    postgres_per_environment: dict[str, PostgresServer],
    per_env_catalog: tuple[Path, Catalog],
    aws: Aws,
) -> None:
    path, catalog = per_env_catalog
    servers = {env: postgres_per_environment[env] for env in ENVS}
    envs = {env: Environment(env, servers[env], run_preview(catalog, env, path)) for env in ENVS}
    for env in envs.values():
        # each function targets its own environment's server, as the catalog says
        for secret_id in (ADMIN, APP):
            variables = function(env.preview, secret_id)["environment"]["variables"]
            assert (variables["SECCAT_DB_HOST"], variables["SECCAT_DB_PORT"]) == (
                env.server.host,
                str(env.server.port),
            )
        admin_password, app_password = prepare(env.server)
        aws.seed(env, ADMIN, "orders_admin", admin_password)
        aws.seed(env, APP, "orders_app", app_password)

    for name in ("dev", "prod", "staging"):  # dev first, as the issue found it
        env = envs[name]
        others = [e for e in envs.values() if e is not env]
        before = hashes(servers)
        still = {e.name: [aws.current(e, s) for s in (ADMIN, APP)] for e in others}
        aws.rotate(env, ADMIN)  # single-user: the admin changes its own password
        aws.rotate(env, APP)  # alternating users: the admin sets orders_app_clone
        assert changed(before, hashes(servers)) == {
            (name, "orders_admin"),
            (name, "orders_app_clone"),
        }, name
        for secret_id in (ADMIN, APP):
            assert logs_in(env.server, *aws.current(env, secret_id))
        for other in others:  # the other environments' logins still work
            for user, password in still[other.name]:
                assert logs_in(other.server, user, password), (name, other.name, user)
            # and this environment's credentials log in nowhere else
            for secret_id in (ADMIN, APP):
                assert not logs_in(other.server, *aws.current(env, secret_id))


def test_with_one_host_dev_rotation_changes_prods_password(
    postgres_per_environment: dict[str, PostgresServer], aws: Aws, tmp_path: Path
) -> None:
    """Negative control: the catalog as issue 8 found it, deployed anyway."""
    shared = postgres_per_environment["shared"]
    text = single_host(lambda _: (shared.host, shared.port), ssl_mode="disable")
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    catalog = build_catalog(YAML(typ="safe").load(text))  # validation would refuse it
    admin_password, _ = prepare(shared)
    envs = {}
    for name in ("dev", "prod"):
        envs[name] = env = Environment(name, shared, run_preview(catalog, name, path))
        aws.seed(env, ADMIN, "orders_admin", admin_password)
    assert logs_in(shared, *aws.current(envs["prod"], ADMIN))
    before = shared.password_hashes()
    aws.rotate(envs["dev"], ADMIN)
    assert {k for k in before if before[k] != shared.password_hashes()[k]} == {"orders_admin"}
    assert logs_in(shared, *aws.current(envs["dev"], ADMIN))
    assert not logs_in(shared, *aws.current(envs["prod"], ADMIN))  # prod's login is broken
