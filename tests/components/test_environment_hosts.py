"""Each environment's program reaches its own database servers: the rotation functions'
settings and everything `seccat render` writes for a stack name that environment's hosts
only (catalog.yaml gives dev, staging and prod a server each)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.catalog.loader import load_catalog
from seccat.engine.preview import run_preview
from seccat.reports.documents import documents, inventory

ROOT = Path(__file__).resolve().parents[2]

ENVS = ("dev", "staging", "prod")
DATABASE_SECRETS = {
    "payments/orders-db-admin": "orders-db",
    "payments/orders-db-app": "orders-db",
}


@pytest.mark.parametrize("env", ENVS)
def test_rotation_functions_connect_to_their_environments_server(
    env, example_catalog, example_preview
) -> None:
    preview = example_preview(env)
    for secret_id, db_name in DATABASE_SECRETS.items():
        fn = preview.named(f"{env}/{secret_id}/rotation-function").inputs
        variables = fn["environment"]["variables"]
        db = example_catalog.database_in(db_name, env)
        assert (variables["SECCAT_DB_HOST"], variables["SECCAT_DB_PORT"]) == (
            f"orders-db.{env}.internal.example.com",
            "5432",
        )
        assert (db.host, db.port) == (variables["SECCAT_DB_HOST"], 5432)
        # only prod's server sits in a VPC (databases.orders-db.environments.prod.vpc)
        if env == "prod":
            assert fn["vpcConfig"] == {
                "subnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
                "securityGroupIds": ["sg-0123abcd"],
            }
        else:
            assert "vpcConfig" not in fn


@pytest.mark.parametrize("env", ENVS)
def test_a_stacks_rendered_documents_name_no_other_environments_server(
    env, example_catalog, example_preview
) -> None:
    preview = example_preview(env)
    text = inventory(preview) + "".join(d.content for d in documents(preview))
    hosts = {
        other: {example_catalog.database_in(d, other).host for d in example_catalog.databases}
        for other in ENVS
    }
    # the rotation functions' settings name the host (Vault's connection URL sits inside a
    # block with the admin password, which the preview shows only as [secret])
    assert f"orders-db.{env}.internal.example.com" in text
    for other in ENVS:
        if other != env:
            assert not [h for h in hosts[other] if h is None or h in text], other


def test_each_environments_own_port_tls_mode_and_admin_secret_reach_its_functions(
    tmp_path: Path,
) -> None:
    """databases.<name>.environments.<env> replaces every shared connection setting there:
    dev's own port, ssl_mode and admin secret reach dev's rotation function only; prod keeps
    the shared ones."""
    text = (ROOT / "catalog.yaml").read_text(encoding="utf-8")
    dev_before = "      dev: {host: orders-db.dev.internal.example.com}\n"
    dev_after = (
        "      dev: {host: orders-db.dev.internal.example.com, port: 6432, "
        "ssl_mode: verify-full, admin_secret: payments/orders-db-dev-admin}\n"
    )
    admin_before = "    database: {database: orders-db, username: orders_admin}\n"
    admin_after = (
        "    environments: [staging, prod]\n"
        "    database: {database: orders-db, username: orders_admin}\n"
        "    consumers: []\n\n"
        "  payments/orders-db-dev-admin:\n"
        "    description: Admin login on dev's orders server, used only by rotation\n"
        "    owner: payments\n"
        "    type: database\n"
        "    store: aws-secretsmanager\n"
        "    classification: restricted\n"
        "    environments: [dev]\n"
        '    rotation: {schedule: "cron(0 4 ? * SUN *)", window: 3h, strategy: single-user}\n'
        "    database: {database: orders-db, username: orders_dev_admin}\n"
    )
    assert text.count(dev_before) == 1 and text.count(admin_before) == 1
    path = tmp_path / "catalog.yaml"
    path.write_text(
        text.replace(dev_before, dev_after).replace(admin_before, admin_after), encoding="utf-8"
    )
    catalog = load_catalog(path)  # valid: dev's admin secret exists in dev
    expected = {
        "dev": ("6432", "verify-full", "dev/payments/orders-db-dev-admin"),
        "prod": ("5432", "require", "prod/payments/orders-db-admin"),
    }
    for env, (port, ssl_mode, admin) in expected.items():
        preview = run_preview(catalog, env, path)
        fn = preview.named(f"{env}/payments/orders-db-app/rotation-function").inputs
        variables = fn["environment"]["variables"]
        master = variables["SECCAT_DB_MASTER_SECRET_ARN"]
        assert (
            variables["SECCAT_DB_HOST"],
            variables["SECCAT_DB_PORT"],
            variables["SECCAT_DB_SSLMODE"],
            master.split(":secret:", 1)[1].rsplit("-", 1)[0],
        ) == (f"orders-db.{env}.internal.example.com", port, ssl_mode, admin), env
