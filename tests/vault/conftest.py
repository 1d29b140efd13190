"""Fixtures for the Vault tests: the example catalog's three environments and a small rotation
catalog, recorded offline and applied to one real OpenBao backed by one real PostgreSQL.

All environments share the one OpenBao, as they may in production (every name is
environment-qualified), so the least-privilege matrix also proves isolation between them.
Their database connections all point at the one PostgreSQL here; in production each
environment has servers of its own, which test_vault_database_environments.py proves on one
cluster per environment.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql
from servers.openbao import OpenBaoServer, running_openbao
from servers.postgres import PostgresServer, running_postgres
from vault.harness import Applied, DatabaseTarget, Recorded, VaultHarness, record
from vault.kubernetes_api import KubernetesApi, running_kubernetes_api

from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "catalog.yaml"
ROTATION = Path(__file__).resolve().parent / "rotation-catalog.yaml"
ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass
class VaultWorld:
    server: OpenBaoServer
    postgres: PostgresServer
    harness: VaultHarness
    applied: Applied
    example: Catalog
    rotation: Catalog
    recorded: dict[str, Recorded]
    kubernetes: KubernetesApi


def prepare_database(
    pg: PostgresServer, catalog: Catalog, admin_password: str, env: str | None = None
) -> None:
    """What a DBA does once per database before Vault manages it (docs/vault.md): a database,
    Vault's admin login, the static logins and the group roles dynamic logins inherit. With
    ``env``: only what that environment's server holds (its connection settings, its
    secrets)."""
    databases = [catalog.database_in(n, env) if env else d for n, d in catalog.databases.items()]
    secrets_there = catalog.secrets_in(env) if env else catalog.secrets.values()
    with pg.connect() as conn:
        for db in databases:
            if db.vault_username is None:
                continue
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (db.database,)
            ).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.database)))
            admin = sql.Identifier(db.vault_username)
            if not conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", (db.vault_username,)
            ).fetchone():
                conn.execute(
                    sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                        admin, sql.Literal(admin_password)
                    )
                )
                conn.execute(sql.SQL("GRANT pg_signal_backend TO {}").format(admin))
        for secret in secrets_there:
            if secret.store != "vault-database" or secret.database is None:
                continue
            name = secret.database.username
            db = next(d for d in databases if d.name == secret.database.database)
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                continue
            static = secret.rotation is not None and secret.rotation.strategy == "static"
            conn.execute(
                sql.SQL("CREATE ROLE {} {}").format(
                    sql.Identifier(name), sql.SQL("LOGIN" if static else "NOLOGIN")
                )
            )
            conn.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                    sql.Identifier(db.database), sql.Identifier(name)
                )
            )
            if not static:
                conn.execute(
                    sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(
                        sql.Identifier(name), sql.Identifier(db.vault_username or "")
                    )
                )


@pytest.fixture(scope="session")
def kubernetes_api() -> Iterator[KubernetesApi]:
    with running_kubernetes_api() as api:
        yield api


@pytest.fixture(scope="session")
def vault_world(
    openbao_server: OpenBaoServer, postgres_server: PostgresServer, kubernetes_api: KubernetesApi
) -> VaultWorld:
    example = load_catalog(EXAMPLE)
    rotation = load_catalog(ROTATION)
    admin_password = secrets.token_urlsafe(24)
    prepare_database(postgres_server, example, admin_password)
    prepare_database(postgres_server, rotation, admin_password)
    harness = VaultHarness(
        openbao_server.client(),
        DatabaseTarget(postgres_server.host, postgres_server.port, admin_password),
        openbao_server.scratch,
    )
    recorded: dict[str, Recorded] = {}
    for env in ENVIRONMENTS:
        recorded[env] = record(example, env, EXAMPLE)
        harness.apply(recorded[env])
    # OpenBao 2.x has no static-role rotation schedules: configured as its stack would be.
    recorded["ci"] = record(rotation, "ci", ROTATION, {"seccat:vault-rotation-schedules": "false"})
    harness.apply(recorded["ci"])
    harness.configure_kubernetes(kubernetes_api.host, kubernetes_api.ca_pem)
    return VaultWorld(
        openbao_server,
        postgres_server,
        harness,
        harness.applied,
        example,
        rotation,
        recorded,
        kubernetes_api,
    )


@dataclass
class GeneratedVault:
    """The benchmark catalog's environments applied to a server of their own (they share
    environment names with catalog.yaml, so they cannot share vault_world's server)."""

    server: OpenBaoServer
    applied: Applied
    catalog: Catalog
    #: How long applying every environment took.
    seconds: float


@pytest.fixture(scope="session")
def generated_vault(
    generated_catalog: Catalog, generated_recording: Callable[[str], Recorded]
) -> Iterator[GeneratedVault]:
    # One cluster stands in for every environment's team databases: 40 Vault connections.
    databases = len(generated_catalog.databases) * len(generated_catalog.environments)
    with running_openbao() as server, running_postgres(5 * databases + 20) as postgres:
        admin_password = secrets.token_urlsafe(24)
        prepare_database(postgres, generated_catalog, admin_password)
        harness = VaultHarness(
            server.client(),
            DatabaseTarget(postgres.host, postgres.port, admin_password),
            server.scratch,
        )
        start = time.perf_counter()
        for env in generated_catalog.environments:
            harness.apply(generated_recording(env))
        seconds = time.perf_counter() - start
        yield GeneratedVault(server, harness.applied, generated_catalog, seconds)
