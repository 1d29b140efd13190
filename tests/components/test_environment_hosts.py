"""Each environment's program reaches its own database servers: the rotation functions'
settings and everything `seccat render` writes for a stack name that environment's hosts
only (catalog.yaml gives dev, staging and prod a server each)."""

from __future__ import annotations

import pytest

from seccat.reports.documents import documents, inventory

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
