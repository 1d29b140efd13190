"""The Vault/OpenBao side of an environment: mounts, KV metadata, database credentials,
policies, auth roles, audit and KV rotation, all children of SecretsPlatform.

Nothing is built for an environment that keeps no secret in Vault, so a stack without Vault
secrets needs no Vault provider at all.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from seccat.components.aws.renewal import CHECK_ROLE_KEY
from seccat.components.context import PlatformContext
from seccat.components.vault import (
    audit,
    auth,
    database,
    kv_metadata,
    kv_rotation,
    mounts,
    policies,
    renewal_check,
)
from seccat.documents.vault_policy import vault_secrets


def build_vault(
    ctx: PlatformContext, service_roles: Mapping[str, pulumi.Resource] | None = None
) -> None:
    """``service_roles``: the IAM roles the AWS components create, by service; each Vault AWS
    auth role waits for its IAM role, because Vault resolves the role's unique id on write."""
    secrets = vault_secrets(ctx.catalog, ctx.env)
    if not secrets:
        return
    if ctx.platform:
        # The audit device first: Vault logs every later change, including this program's.
        audit_device = audit.build_audit(ctx)
        kv = mounts.build_kv_mount(ctx, secrets, depends_on=[audit_device])
        db_mount = mounts.build_database_mount(ctx, secrets, depends_on=[audit_device])
        backends = auth.build_auth_backends(ctx, depends_on=[audit_device])
    else:  # a team stack: the platform stack's mounts, by path
        kv, db_mount, backends = None, None, auth.backend_names(ctx)
    if any(s.store == "vault-kv" for s in secrets):
        kv_metadata.build_kv_metadata(ctx, secrets, kv)
    if any(s.store == "vault-database" for s in secrets):
        database.build_database(ctx, secrets, db_mount)
    built = policies.build_policies(ctx)
    auth.build_service_roles(ctx, built, backends, service_roles or {})
    kv_rotation.build_kv_rotation(ctx, built, backends)
    renewal_check.build_renewal_check_login(
        ctx, backends, (service_roles or {}).get(CHECK_ROLE_KEY)
    )
