"""The per-environment secrets engines: one KV v2 mount and one database mount."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from seccat.catalog.model import Secret
from seccat.components.context import PlatformContext
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout
from seccat.documents import vault_lifetimes as lifetimes


@dataclass(frozen=True)
class KvMount:
    mount: vault.Mount
    config: vault.kv.SecretBackendV2


def build_kv_mount(
    ctx: PlatformContext, secrets: Sequence[Secret], depends_on: Sequence[pulumi.Resource]
) -> KvMount | None:
    kv_secrets = [s for s in secrets if s.store == "vault-kv"]
    if not kv_secrets:
        return None
    env = ctx.env.name
    mount = vault.Mount(
        logical.vault_kv_mount(env),
        path=layout.kv_mount(ctx.env),
        type="kv",
        options={"version": "2"},
        description=f"seccat KV v2 secrets for {env} (metadata managed from the catalog)",
        default_lease_ttl_seconds=lifetimes.KV_DEFAULT_LEASE_TTL,
        max_lease_ttl_seconds=lifetimes.KV_MAX_LEASE_TTL,
        opts=ctx.child_opts(depends_on=list(depends_on)),
    )
    config = vault.kv.SecretBackendV2(
        logical.vault_kv_config(env),
        mount=mount.path,
        max_versions=lifetimes.KV_MOUNT_MAX_VERSIONS,
        # Protected environments refuse any write without check-and-set, even to keys
        # created outside seccat; every seccat key requires it regardless (kv_metadata).
        cas_required=ctx.env.protect,
        delete_version_after=lifetimes.kv_mount_delete_version_after(kv_secrets),
        opts=ctx.child_opts(),
    )
    return KvMount(mount, config)


def build_database_mount(
    ctx: PlatformContext, secrets: Sequence[Secret], depends_on: Sequence[pulumi.Resource]
) -> vault.Mount | None:
    if not any(s.store == "vault-database" for s in secrets):
        return None
    env = ctx.env.name
    return vault.Mount(
        logical.vault_database_mount(env),
        path=layout.database_mount(ctx.env),
        type="database",
        description=f"seccat database credentials for {env}",
        default_lease_ttl_seconds=lifetimes.DATABASE_DEFAULT_LEASE_TTL,
        max_lease_ttl_seconds=lifetimes.DATABASE_MAX_LEASE_TTL,
        opts=ctx.child_opts(depends_on=list(depends_on)),
    )
