"""The operations world: tests/operations/ops-catalog.yaml applied, as `pulumi up` would, to
the operations moto server (servers/moto_ops.py: moto plus the documented AWS behaviours it
lacks, Lambda functions running their deployed code) by the AWS conformance harness, and to
the session's OpenBao by the Vault harness, with both databases on the session's PostgreSQL.

After the apply, what an owner does once (functions/README.md, "First value"): the orders
database's superuser and application login exist and their secrets hold them, the KV secrets
have a first version. Every value is random and recorded in ``World.values``, so tests can
assert that no command ever prints, writes or logs one.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import hvac
import pytest
from psycopg import sql
from servers.moto import MotoServer
from servers.moto_ops import running_moto_ops
from servers.openbao import OpenBaoServer
from servers.postgres import PostgresServer
from vault.conftest import prepare_database
from vault.harness import DatabaseTarget, VaultHarness, record

from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview, run_preview
from seccat.operations.clients import AwsConnection, VaultConnection, connect_aws, connect_vault
from seccat.operations.targets import EnvironmentTargets, build_targets
from tests.aws.conformance.assets import RepositoryAssets
from tests.aws.conformance.harness import AwsHarness

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = Path(__file__).resolve().parent / "ops-catalog.yaml"
ENV = "opsprod"
ACCOUNT = "555555555555"
REGION = "eu-west-1"
OWNER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/shop-secrets-owner"
ORDERS_ADMIN = "ops_orders_admin"
ORDERS_APP = "ops_orders_app"


@dataclass
class World:
    root: Path
    catalog_path: Path
    catalog: Catalog
    preview: Preview
    moto: MotoServer
    openbao: OpenBaoServer
    postgres: PostgresServer
    vault_harness: VaultHarness
    #: Every secret value the world seeded (tests add what rotations create).
    values: set[str] = field(default_factory=set)

    # -- identities ----------------------------------------------------------------------

    def credentials(self, role_arn: str = OWNER_ROLE) -> dict[str, str]:
        """STS credentials of ``role_arn``, as the standard chain's environment variables."""
        sts = boto3.client(
            "sts",
            region_name=REGION,
            endpoint_url=self.moto.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        c = sts.assume_role(RoleArn=role_arn, RoleSessionName="operator")["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": c["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"],
        }

    def session(self, role_arn: str = OWNER_ROLE) -> boto3.Session:
        c = self.credentials(role_arn)
        return boto3.Session(
            aws_access_key_id=c["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=c["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=c["AWS_SESSION_TOKEN"],
        )

    def aws(self, role_arn: str = OWNER_ROLE) -> AwsConnection:
        return connect_aws(
            self.catalog.environments[ENV],
            endpoint_url=self.moto.endpoint,
            session=self.session(role_arn),
        )

    def vault(self) -> VaultConnection:
        return connect_vault(
            environ={"VAULT_ADDR": self.openbao.address, "VAULT_TOKEN": self.openbao.root_token}
        )

    def sm(self) -> Any:
        return self.aws().client("secretsmanager")

    def root_vault(self) -> hvac.Client:
        return self.openbao.client()

    def targets(self) -> EnvironmentTargets:
        return build_targets(self.catalog, ENV, self.preview)

    def cli_env(self, role_arn: str = OWNER_ROLE, **extra: str) -> dict[str, str]:
        """The environment an operator's shell gives `seccat`: the owner role's credentials
        through the standard chain, the emulator endpoint, Vault address and token."""
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VAULT_", "SECCAT_"))
        }
        return {
            **env,
            **self.credentials(role_arn),
            "AWS_ENDPOINT_URL": self.moto.endpoint,
            "AWS_CONFIG_FILE": str(self.root / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.root / "no-aws-credentials"),
            "VAULT_ADDR": self.openbao.address,
            "VAULT_TOKEN": self.openbao.root_token,
            "HOME": str(self.root),
            **extra,
        }

    # -- values --------------------------------------------------------------------------

    def aws_values(self) -> set[str]:
        """Every version's value of every AWS secret now (read as the owner... who, under
        the real resource policy, could not: moto enforces none; tests only)."""
        sm = self.sm()
        found: set[str] = set()
        for secret in sm.list_secrets()["SecretList"]:
            described = sm.describe_secret(SecretId=secret["ARN"])
            for version in described.get("VersionIdsToStages") or {}:
                try:
                    value = sm.get_secret_value(SecretId=secret["ARN"], VersionId=version)
                except sm.exceptions.ResourceNotFoundException:
                    continue
                if "SecretString" in value:
                    found.add(value["SecretString"])
                    found.update(_json_strings(value["SecretString"]))
        return found

    def vault_values(self) -> set[str]:
        client = self.root_vault()
        found: set[str] = set()
        for target in self.targets().secrets.values():
            v = target.vault
            if v is None or v.kind != "kv":
                continue
            meta = client.secrets.kv.v2.read_secret_metadata(path=v.name, mount_point=v.mount)
            for number in meta["data"]["versions"]:
                data = client.secrets.kv.v2.read_secret_version(
                    path=v.name,
                    version=int(number),
                    mount_point=v.mount,
                    raise_on_deleted_version=False,
                )["data"]["data"]
                found.update(str(x) for x in (data or {}).values())
        for target in self.targets().secrets.values():
            v = target.vault
            if v is not None and v.kind == "static":
                found.add(client.read(v.read_path)["data"]["password"])
        return found

    def all_values(self) -> set[str]:
        """Every secret value the servers hold now, plus every one seeded: at least 8
        characters, so a match in output is a leak and not a coincidence."""
        values = self.values | self.aws_values() | self.vault_values()
        return {v for v in values if len(v) >= 8}

    def assert_no_value_in(self, *texts: str | bytes) -> None:
        values = self.all_values()
        assert len(values) >= 8, "the world must hold values for this check to mean anything"
        for text in texts:
            shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
            leaked = [v for v in values if v in shown]
            assert not leaked, f"{len(leaked)} secret value(s) appear in output"

    def log_texts(self) -> list[str]:
        """Every CloudWatch log line of the environment, and the servers' own logs."""
        logs = self.aws().client("logs")
        lines: list[str] = []
        for group in logs.describe_log_groups()["logGroups"]:
            for page in logs.get_paginator("filter_log_events").paginate(
                logGroupName=group["logGroupName"]
            ):
                lines.extend(e["message"] for e in page["events"])
        lines.append(self.moto.log_file.read_text(errors="replace"))
        lines.append(self.openbao.log_file.read_text(errors="replace"))
        return lines


def _json_strings(text: str) -> set[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return set()
    if isinstance(data, dict):
        return {str(v) for k, v in data.items() if k == "password"}
    return set()


class OpsVaultHarness(VaultHarness):
    """The Vault harness, except that an audit device writing to stdout/discard is applied
    as recorded (the catalog's own choice), not redirected to a scratch file."""

    def _audit(self, i: dict[str, Any]) -> None:
        options = dict(i.get("options") or {})
        if options.get("file_path") in ("stdout", "discard"):
            self._write(
                f"sys/audit/{i['path']}",
                {"type": i["type"], "description": i.get("description", ""), "options": options},
            )
            return
        super()._audit(i)


@pytest.fixture(scope="session")
def ops_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dependency layer (pg8000 for the PostgreSQL rotator), built as `make layer` does."""
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        import build_layer
    finally:
        sys.path.remove(str(ROOT / "functions"))
    out = tmp_path_factory.mktemp("ops-layer")
    build_layer.build_layer(out)
    return out


@pytest.fixture(scope="session")
def ops_moto() -> Iterator[MotoServer]:
    with running_moto_ops() as server:
        yield server


def _seed_database(pg: PostgresServer, admin_password: str, app_password: str) -> None:
    with pg.connect() as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'opsorders'").fetchone():
            conn.execute("CREATE DATABASE opsorders")
        for name, password, extra in (
            (ORDERS_ADMIN, admin_password, "CREATEROLE"),
            (ORDERS_APP, app_password, ""),
        ):
            conn.execute(
                sql.SQL("CREATE ROLE {} WITH LOGIN {} PASSWORD {}").format(
                    sql.Identifier(name), sql.SQL(extra), sql.Literal(password)
                )
            )
        conn.execute(
            sql.SQL("GRANT CONNECT ON DATABASE opsorders TO {}").format(sql.Identifier(ORDERS_APP))
        )
    with pg.connect(dbname="opsorders") as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS orders (id int)")
        conn.execute(sql.SQL("GRANT SELECT ON orders TO {}").format(sql.Identifier(ORDERS_APP)))
        # RDS-style: the admin may hand the application's privileges to the clone it creates
        conn.execute(
            sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(
                sql.Identifier(ORDERS_APP), sql.Identifier(ORDERS_ADMIN)
            )
        )


def _db_secret(pg: PostgresServer, user: str, password: str, master: str | None) -> str:
    data: dict[str, Any] = {
        "engine": "postgres",
        "host": pg.host,
        "port": pg.port,
        "dbname": "opsorders",
        "username": user,
        "password": password,
    }
    if master:
        data["masterarn"] = master
    return json.dumps(data)


@pytest.fixture(scope="session")
def ops_world(
    tmp_path_factory: pytest.TempPathFactory,
    ops_moto: MotoServer,
    ops_layer: Path,
    openbao_server: OpenBaoServer,
    postgres_server: PostgresServer,
) -> World:
    root = tmp_path_factory.mktemp("ops-world")
    catalog_path = root / "catalog.yaml"
    catalog_path.write_text(TEMPLATE.read_text().replace("{pg_port}", str(postgres_server.port)))
    catalog = load_catalog(catalog_path)
    preview = run_preview(catalog, ENV, catalog_path)

    admin_password = secrets.token_urlsafe(24)
    app_password = secrets.token_urlsafe(24)
    vault_admin_password = secrets.token_urlsafe(24)
    _seed_database(postgres_server, admin_password, app_password)
    prepare_database(postgres_server, catalog, vault_admin_password)

    AwsHarness(
        ops_moto, RepositoryAssets(ROOT, directories={"build/lambda-layer": ops_layer})
    ).apply(preview)
    harness = OpsVaultHarness(
        openbao_server.client(),
        DatabaseTarget(postgres_server.host, postgres_server.port, vault_admin_password),
        openbao_server.scratch,
    )
    harness.apply(record(catalog, ENV, catalog_path))

    world = World(
        root, catalog_path, catalog, preview, ops_moto, openbao_server, postgres_server, harness
    )
    world.values |= {admin_password, app_password, vault_admin_password}
    _first_values(world, admin_password, app_password)
    return world


def _first_values(world: World, admin_password: str, app_password: str) -> None:
    """What the owner does after the first `pulumi up`: seed the logins no function can
    create, clear what the deploy-time rotation attempts left, give KV secrets a version."""
    sm = world.sm()
    targets = world.targets()
    arn = {
        t.id: sm.describe_secret(SecretId=t.aws.name)["ARN"]
        for t in targets.secrets.values()
        if t.aws
    }
    pg = world.postgres
    sm.put_secret_value(
        SecretId=arn["shop/orders-admin"],
        SecretString=_db_secret(pg, ORDERS_ADMIN, admin_password, None),
    )
    sm.put_secret_value(
        SecretId=arn["shop/orders-app"],
        SecretString=_db_secret(pg, ORDERS_APP, app_password, arn["shop/orders-admin"]),
    )
    cert = "-----BEGIN CERTIFICATE-----" + secrets.token_urlsafe(48)
    sm.put_secret_value(SecretId=arn["shop/partner-cert"], SecretString=cert)
    world.values.add(cert)
    for secret_arn in arn.values():
        stages = sm.describe_secret(SecretId=secret_arn).get("VersionIdsToStages") or {}
        for version, labels in stages.items():
            if "AWSPENDING" in labels and "AWSCURRENT" not in labels:
                sm.update_secret_version_stage(
                    SecretId=secret_arn, VersionStage="AWSPENDING", RemoveFromVersionId=version
                )
    client = world.root_vault()
    for target in targets.secrets.values():
        v = target.vault
        if v is not None and v.kind == "kv":
            value = secrets.token_urlsafe(32)
            client.secrets.kv.v2.create_or_update_secret(
                path=v.name, secret={"value": value}, cas=0, mount_point=v.mount
            )
            world.values.add(value)
