"""Where everything lives in Vault/OpenBao: mounts, paths, role and policy names.

One module owns the layout so components, the HCL renderer, `seccat render`, the policy rules
and the conformance tests all agree on it. Every name is checked against a strict alphabet
(names.require) before it is used, and every name is qualified by environment, so several
environments can share one Vault server without colliding.

Database role names come from the secret id through ``names.slug`` ('data/warehouse-etl' ->
'data.warehouse-etl'): '.' never occurs in an id, so the mapping is collision-free and
reversible, and Vault accepts '.' in role names.
"""

from __future__ import annotations

from seccat.catalog.model import Database, Environment, Secret
from seccat.documents.names import require, slug

#: Policy names start with this, so an operator can tell generated policies from hand-written.
POLICY_PREFIX = "seccat"


def kv_mount(env: Environment) -> str:
    return require(env.vault.kv_mount, "mount")


def database_mount(env: Environment) -> str:
    return require(env.vault.database_mount, "mount")


def audit_path(env: Environment) -> str:
    """Where the environment's audit device is enabled (sys/audit/<path>)."""
    return require(env.vault.audit_path, "mount")


def kv_data_path(env: Environment, secret_id: str) -> str:
    """KV v2 values are read and written under ``data/``."""
    return f"{kv_mount(env)}/data/{require(secret_id, 'secret_id')}"


def kv_metadata_path(env: Environment, secret_id: str) -> str:
    """KV v2 versions, custom metadata and CAS state live under ``metadata/``."""
    return f"{kv_mount(env)}/metadata/{require(secret_id, 'secret_id')}"


def database_role_name(secret_id: str) -> str:
    """The Vault database role for a ``vault-database`` secret (see the module docstring)."""
    return slug(secret_id)


def database_strategy(secret: Secret) -> str:
    """``static`` or ``dynamic``: anything else is not a Vault database secret."""
    strategy = secret.rotation.strategy if secret.rotation else "dynamic"
    if strategy not in ("static", "dynamic"):
        raise ValueError(
            f"secret {secret.id!r}: store vault-database needs rotation.strategy static or "
            f"dynamic, not {strategy!r}"
        )
    return strategy


def database_creds_path(env: Environment, secret: Secret) -> str:
    """What a consumer reads: ``static-creds/<role>`` (a rotated login) or ``creds/<role>``
    (a fresh login per lease)."""
    kind = "static-creds" if database_strategy(secret) == "static" else "creds"
    return f"{database_mount(env)}/{kind}/{database_role_name(secret.id)}"


def database_connection_name(database: str) -> str:
    """The connection (``<mount>/config/<name>``) of one catalog database."""
    return require(database, "name")


def database_role_config_path(env: Environment, secret: Secret) -> str:
    kind = "static-roles" if database_strategy(secret) == "static" else "roles"
    return f"{database_mount(env)}/{kind}/{database_role_name(secret.id)}"


def service_policy_name(env: Environment, service: str) -> str:
    return f"{POLICY_PREFIX}-{require(env.name, 'name')}-service-{require(service, 'name')}"


def writer_policy_name(env: Environment, team: str) -> str:
    return f"{POLICY_PREFIX}-{require(env.name, 'name')}-team-{require(team, 'name')}-writer"


def rotator_policy_name(env: Environment, team: str) -> str:
    return f"{POLICY_PREFIX}-{require(env.name, 'name')}-kv-rotator-{require(team, 'name')}"


def renewal_check_policy_name(env: Environment) -> str:
    """The renewal check's policy: read the metadata of the owner-rotated KV secrets."""
    return f"{POLICY_PREFIX}-{require(env.name, 'name')}-renewal-check"


#: The AWS auth role (inside ``aws-<env>``) the renewal check logs in with.
RENEWAL_CHECK_ROLE = "renewal-check"


def aws_auth_path(env: Environment) -> str:
    """One AWS auth backend per environment, so a role in one cannot log in to another."""
    return f"aws-{require(env.name, 'name')}"


def kubernetes_auth_path(env: Environment) -> str:
    return f"kubernetes-{require(env.name, 'name')}"


def rotator_role_name(team: str) -> str:
    """The AWS auth role the KV rotator of one team logs in with (inside aws-<env>)."""
    return f"kv-rotator-{require(team, 'name')}"


def database_password_config_key(database: str) -> str:
    """Pulumi *secret* config holding the password of the database's ``vault_username``:
    ``pulumi config set --secret seccat:vault-db-<database>-password``."""
    return f"vault-db-{require(database, 'name')}-password"


def database_password_version_config_key(database: str) -> str:
    """Bump to re-send the admin password (it is write-only, so Vault may rotate it)."""
    return f"vault-db-{require(database, 'name')}-password-version"


#: libpq sslmode values Vault's PostgreSQL plugin accepts.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def database_connection_url(db: Database) -> str:
    """Vault substitutes ``{{username}}``/``{{password}}``; host, port, database and sslmode
    come from the catalog, each checked, so no credential is ever part of the URL."""
    if db.ssl_mode not in SSL_MODES:
        raise ValueError(f"database {db.name!r}: unknown ssl_mode {db.ssl_mode!r}")
    if not 0 < db.port < 65536:
        raise ValueError(f"database {db.name!r}: port {db.port} is out of range")
    return (
        "postgresql://{{username}}:{{password}}@"
        f"{require(db.host, 'hostname')}:{db.port}/{require(db.database, 'db_identifier')}"
        f"?sslmode={db.ssl_mode}"
    )
