"""Each environment's Vault database connection is made of that environment's settings
(databases.<name>.environments.<env>: host, port, ssl_mode, vault_username), read from the
unredacted inputs the program registers (the preview shows the block only as [secret])."""

from __future__ import annotations

from pathlib import Path

from vault.harness import record

from seccat.catalog.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"


def test_each_environments_own_vault_connection_settings(tmp_path: Path) -> None:
    """dev's own port, ssl_mode and vault_username make dev's connection; prod's keeps the
    shared ones."""
    text = (ROOT / "catalog.yaml").read_text(encoding="utf-8")
    before = "      dev: {host: warehouse.dev.internal.example.com}\n"
    after = (
        "      dev: {host: warehouse.dev.internal.example.com, port: 6543, "
        "ssl_mode: verify-full, vault_username: vault_dev}\n"
    )
    assert text.count(before) == 1
    path = tmp_path / "catalog.yaml"
    path.write_text(text.replace(before, after), encoding="utf-8")
    catalog = load_catalog(path)
    expected = {
        "dev": ("warehouse.dev.internal.example.com:6543", "verify-full", "vault_dev"),
        "prod": ("warehouse.prod.internal.example.com:5432", "require", "vault_admin"),
    }
    for env, (server, ssl_mode, username) in expected.items():
        postgresql = record(catalog, env, path).inputs(CONNECTION, f"{env}-vault-db-warehouse-db")[
            "postgresql"
        ]
        assert (postgresql["connectionUrl"], postgresql["username"]) == (
            f"postgresql://{{{{username}}}}:{{{{password}}}}@{server}/warehouse?sslmode={ssl_mode}",
            username,
        ), env
