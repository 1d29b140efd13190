"""Issue 8 on real servers: the Vault side of catalog.yaml's dev, staging and prod, applied to
one OpenBao, each environment's databases on a PostgreSQL cluster of its own.

Proves, by logging in over TCP (scram-sha-256 checks every password) and by reading pg_authid
before and after every rotation:

* every environment's consumers log in with the credentials Vault hands them, after every
  environment has been applied and every static role of every environment rotated;
* each environment's rotation changes exactly its own login on its own server, nothing else
  on any server; one environment's credentials log in nowhere else;
* negative control: the layout issue 8 found (one host for every environment) is refused by
  validation and, applied anyway, breaks dev's and staging's logins, as the issue reports.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from ruamel.yaml import YAML
from servers.catalogs import per_environment, single_host
from servers.openbao import OpenBaoServer, running_openbao
from servers.postgres import PostgresServer
from vault.conftest import prepare_database
from vault.harness import AS_RECORDED, VaultHarness, record

from seccat.catalog.build import build_catalog
from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Catalog
from seccat.documents import vault_layout as layout

ENVS = ("dev", "staging", "prod")


@dataclass
class Deployment:
    """One OpenBao holding dev, staging and prod, and the server each environment uses."""

    bao: OpenBaoServer
    harness: VaultHarness
    catalog: Catalog
    servers: dict[str, PostgresServer]

    def static_roles(self, env: str) -> list[str]:
        mount = self.catalog.environments[env].vault.database_mount
        return sorted(
            path.rsplit("/", 1)[1]
            for path in self.harness.applied.db_roles
            if path.startswith(f"{mount}/static-roles/")
        )

    def rotate(self, env: str) -> None:
        """Rotate every static role of ``env`` now, as ``rotate-role`` (or the period) does."""
        mount = self.catalog.environments[env].vault.database_mount
        for role in self.static_roles(env):
            self.bao.client().write(f"{mount}/rotate-role/{role}")

    def consumer_reads(self, env: str) -> list[tuple[str, str, str, dict]]:
        """(service, secret id, path, Vault's answer) for every consumer of every database
        secret in ``env``, each read with a token holding exactly its auth role's policies."""
        out = []
        for secret in self.catalog.secrets_in(env):
            if secret.store != "vault-database":
                continue
            path = layout.database_creds_path(self.catalog.environments[env], secret)
            for consumer in secret.consumers_in(env):
                role = next(
                    key
                    for key in self.harness.applied.auth_roles
                    if key[1] == consumer.service and key[0].endswith(f"-{env}")
                )
                token = self.harness.token_for(*role)
                answer = self.bao.client(token).read(path)
                out.append((consumer.service, secret.id, path, answer))
        return out


def deploy(
    bao: OpenBaoServer, catalog: Catalog, path: Path, servers: dict[str, PostgresServer]
) -> Deployment:
    """What each stack's `pulumi up` does, in order dev, staging, prod: the DBA prepares the
    server; the stack config holds the password of Vault's admin login on that server."""
    harness = VaultHarness(bao.client(), AS_RECORDED, bao.scratch)
    passwords: dict[int, str] = {}
    for env in ENVS:
        server = servers[env]
        password = passwords.setdefault(server.port, secrets.token_urlsafe(24))
        prepare_database(server, catalog, password, env)
        config = {
            f"seccat:{layout.database_password_config_key(d)}": password for d in catalog.databases
        }
        harness.apply(record(catalog, env, path, config))
    return Deployment(bao, harness, catalog, servers)


def hashes(servers: dict[str, PostgresServer]) -> dict[tuple[str, str], str]:
    return {
        (env, login): verifier
        for env, server in servers.items()
        for login, verifier in server.password_hashes().items()
    }


def changed(before: dict[tuple[str, str], str], after: dict[tuple[str, str], str]) -> set:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def logs_in(server: PostgresServer, user: str, password: str, dbname: str) -> bool:
    try:
        with server.connect(user, password, dbname) as conn:
            row = conn.execute("SELECT current_user").fetchone()
    except psycopg.OperationalError as exc:
        assert "password authentication failed" in str(exc), exc  # not some other failure
        return False
    assert row == (user,)
    return True


# -- one server per environment ---------------------------------------------------------------


@pytest.fixture(scope="module")
def deployment(
    postgres_per_environment: dict[str, PostgresServer], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    servers = {env: postgres_per_environment[env] for env in ENVS}
    path = tmp_path_factory.mktemp("per-environment") / "catalog.yaml"
    path.write_text(per_environment(servers), encoding="utf-8")
    catalog = load_catalog(path)  # valid: every environment has servers of its own
    with running_openbao() as bao:
        yield deploy(bao, catalog, path, servers)


@pytest.fixture(scope="module")
def rotations(deployment: Deployment) -> dict[str, set]:
    """Environment -> the (server, login) pairs its rotation changed, in order dev, staging,
    prod, each read from pg_authid on every server before and after."""
    out = {}
    for env in ENVS:
        before = hashes(deployment.servers)
        deployment.rotate(env)
        out[env] = changed(before, hashes(deployment.servers))
    return out


def test_each_environment_connects_to_its_own_server(deployment: Deployment) -> None:
    client = deployment.bao.client()
    seen = set()
    for env in ENVS:
        mount = deployment.catalog.environments[env].vault.database_mount
        config = client.read(f"{mount}/config/warehouse-db")["data"]
        server = deployment.servers[env]
        assert config["connection_details"]["connection_url"] == (
            f"postgresql://{{{{username}}}}:{{{{password}}}}@{server.host}:{server.port}"
            "/warehouse?sslmode=disable"
        )
        seen.add(server.port)
    assert len(seen) == len(ENVS)


def test_each_rotation_changes_only_its_own_environments_login(
    deployment: Deployment, rotations: dict[str, set]
) -> None:
    for env in ENVS:
        assert deployment.static_roles(env) == ["data.warehouse-etl"]
        assert rotations[env] == {(env, "etl_loader")}, env


def test_every_environment_logs_in_after_all_rotations(
    deployment: Deployment, rotations: dict[str, set]
) -> None:
    """After dev, staging and prod all rotated: each environment's consumers log in to their
    own server, and the same credentials are refused by every other environment's server."""
    checked = set()
    for env in ENVS:
        reads = deployment.consumer_reads(env)
        for service, secret_id, path, answer in reads:
            user, password = answer["data"]["username"], answer["data"]["password"]
            for other, server in deployment.servers.items():
                assert logs_in(server, user, password, "warehouse") == (other == env), (
                    service,
                    path,
                    other,
                )
            if answer.get("lease_id"):
                deployment.bao.client().sys.revoke_lease(answer["lease_id"])
            checked.add((env, service, secret_id))
    # every consumer of both Vault database secrets, in every environment
    assert checked == {
        (env, service, secret)
        for env in ENVS
        for service, secret in [
            ("etl-runner", "data/warehouse-etl"),
            ("etl-runner", "data/warehouse-reader"),
            ("reporting-api", "data/warehouse-reader"),
        ]
    }


# -- negative control: one host for every environment -----------------------------------------


def test_the_single_host_layout_breaks_dev_and_staging(
    postgres_per_environment: dict[str, PostgresServer], tmp_path: Path
) -> None:
    shared = postgres_per_environment["shared"]
    text = single_host(lambda _: (shared.host, shared.port), ssl_mode="disable")
    _, diagnostics = parse_catalog(text, "catalog.yaml")
    assert [(d.code, d.message.split(" (")[0]) for d in diagnostics] == [
        (
            "DATABASE",
            f"login 'etl_loader' on 127.0.0.1:{shared.port} would be managed in 'dev', "
            "'staging' and 'prod'",
        )
    ]
    # Applied anyway, as seccat did before it checked servers:
    catalog = build_catalog(YAML(typ="safe").load(text))
    path = tmp_path / "catalog.yaml"
    path.write_text(text, encoding="utf-8")
    servers = dict.fromkeys(ENVS, shared)
    with running_openbao() as bao:
        deployment = deploy(bao, catalog, path, servers)
        for env in ENVS:
            before = shared.password_hashes()
            deployment.rotate(env)
            # every environment's rotation changes the one login all three share
            assert changed(
                {("shared", k): v for k, v in before.items()},
                {("shared", k): v for k, v in shared.password_hashes().items()},
            ) == {("shared", "etl_loader")}
        works = {
            env: logs_in(
                shared, answer["data"]["username"], answer["data"]["password"], "warehouse"
            )
            for env in ENVS
            for service, _, path, answer in deployment.consumer_reads(env)
            if service == "etl-runner" and path.endswith("static-creds/data.warehouse-etl")
        }
    assert works == {"dev": False, "staging": False, "prod": True}
