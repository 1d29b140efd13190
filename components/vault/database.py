"""Database credentials: one connection per catalog database that a ``vault-database``
secret uses, one static or dynamic role per secret.

The admin password Vault connects with comes from Pulumi *secret* config
(``seccat:vault-db-<database>-password``), never from the catalog. It is sent write-only
(``password_wo``), so after ``rotate-root`` Vault alone knows it and later `pulumi up` runs do
not send the stale one back; bump ``seccat:vault-db-<database>-password-version`` to re-send.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_vault as vault

from seccat.catalog.model import Database, Secret
from seccat.components.context import PlatformContext
from seccat.components.vault.config import rotation_schedules_supported
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout
from seccat.documents import vault_lifetimes as lifetimes
from seccat.documents.names import require
from seccat.documents.vault_sql import (
    dynamic_creation_statements,
    dynamic_revocation_statements,
    static_rotation_statements,
)


def build_database(
    ctx: PlatformContext, secrets: Sequence[Secret], mount: vault.Mount | None
) -> list[pulumi.CustomResource]:
    """Connections in the platform stack (they hold the admin login), roles where their
    secret lives; ``mount`` is None in a team stack, which names the mount by its path."""
    env = ctx.env
    mount_path: pulumi.Input[str] = (
        mount.path if mount is not None else layout.database_mount(ctx.env)
    )
    by_db: dict[str, list[Secret]] = {}
    for secret in secrets:
        # A retired secret has no consumers left: its role goes, its database stays.
        if secret.store != "vault-database" or secret.lifecycle == "retired":
            continue
        if secret.database is None:
            raise pulumi.RunError(f"secret {secret.id!r}: store vault-database needs database")
        by_db.setdefault(secret.database.database, []).append(secret)

    built: list[pulumi.CustomResource] = []
    for db_name in sorted(by_db):
        if db_name not in ctx.catalog.databases:
            raise pulumi.RunError(f"database {db_name!r} is not declared in the catalog")
        db = ctx.catalog.database_in(db_name, ctx.env.name)
        if db.engine != "postgresql":
            raise pulumi.RunError(f"database {db_name!r}: Vault supports postgresql only here")
        if db.vault_username is None:
            raise pulumi.RunError(
                f"database {db_name!r} needs vault_username: Vault's own admin login"
            )
        try:
            url = layout.database_connection_url(db)
        except ValueError as exc:
            raise pulumi.RunError(str(exc)) from None
        db_secrets = sorted(by_db[db_name], key=lambda s: s.id)
        roles = [layout.database_role_name(s.id) for s in db_secrets]
        try:
            strategies = {s.id: layout.database_strategy(s) for s in db_secrets}
        except ValueError as exc:
            raise pulumi.RunError(str(exc)) from None
        connection: vault.database.SecretBackendConnection | None = None
        connection_name: pulumi.Input[str] = layout.database_connection_name(db_name)
        if ctx.platform:
            connection = _connection(ctx, db_name, db, url, mount_path, roles)
            connection_name = connection.name
            built.append(connection)
        for secret in db_secrets:
            if not ctx.stack.holds_secret(secret.id):
                continue
            assert secret.database is not None
            name = layout.database_role_name(secret.id)
            opts = ctx.child_opts(depends_on=ctx.local(connection))
            if strategies[secret.id] == "static":
                try:
                    timing = lifetimes.static_rotation(
                        secret.rotation, schedules=rotation_schedules_supported()
                    )
                except lifetimes.LifetimeError as exc:
                    raise pulumi.RunError(f"secret {secret.id!r}: {exc}") from None
                built.append(
                    vault.database.SecretBackendStaticRole(
                        logical.vault_database_role(env.name, name),
                        backend=mount_path,
                        name=name,
                        db_name=connection_name,
                        username=require(secret.database.username, "db_identifier"),
                        rotation_period=timing.period,
                        rotation_schedule=timing.schedule,
                        rotation_window=timing.window,
                        rotation_statements=static_rotation_statements(),
                        opts=opts,
                    )
                )
            else:
                ttl = lifetimes.dynamic_ttl(secret)
                built.append(
                    vault.database.SecretBackendRole(
                        logical.vault_database_role(env.name, name),
                        backend=mount_path,
                        name=name,
                        db_name=connection_name,
                        creation_statements=dynamic_creation_statements(secret.database.username),
                        revocation_statements=dynamic_revocation_statements(
                            secret.database.username
                        ),
                        default_ttl=ttl.default,
                        max_ttl=ttl.max,
                        opts=opts,
                    )
                )
    return built


def _connection(
    ctx: PlatformContext,
    db_name: str,
    db: Database,
    url: str,
    mount_path: pulumi.Input[str],
    roles: list[str],
) -> vault.database.SecretBackendConnection:
    """The connection Vault logs in with, as the database's admin (platform stack)."""
    config = pulumi.Config("seccat")
    password = config.require_secret(layout.database_password_config_key(db_name))
    version = config.get_int(layout.database_password_version_config_key(db_name)) or 1
    return vault.database.SecretBackendConnection(
        logical.vault_database_connection(ctx.env.name, db_name),
        backend=mount_path,
        name=layout.database_connection_name(db_name),
        plugin_name="postgresql-database-plugin",
        allowed_roles=roles,
        verify_connection=True,
        postgresql=vault.database.SecretBackendConnectionPostgresqlArgs(
            connection_url=url,
            username=require(db.vault_username, "db_identifier"),
            password_wo=password,
            password_wo_version=version,
            password_authentication="scram-sha-256",
            max_open_connections=4,
        ),
        opts=ctx.child_opts(),
    )
