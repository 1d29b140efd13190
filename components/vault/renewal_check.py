"""The Vault side of the renewal check (components/aws/renewal.py) for owner-rotated KV
secrets: a policy that reads exactly their metadata, and an AWS auth role bound to the
check's IAM role whose short-lived token carries only that policy.

The HCL comes from seccat.documents.vault_policy.renewal_check_policy; the auth role lives
in the environment's own AWS auth mount (``aws-<env>``, with its server-id header), so the
dev check's login can never yield a token for prod's metadata.
"""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from seccat.components.context import PlatformContext
from seccat.components.vault.auth import AuthBackends
from seccat.documents import logical_names as logical
from seccat.documents import renewal as renewal_docs
from seccat.documents import vault_layout as layout
from seccat.documents.iam import role_arn
from seccat.documents.vault_policy import owner_rotated_kv_secrets, renewal_check_policy


def build_renewal_check_login(
    ctx: PlatformContext, backends: AuthBackends, check_role: pulumi.Resource | None
) -> None:
    """Only in the platform stack, which deploys the renewal check itself. ``check_role``:
    the check's IAM role, which must exist before Vault resolves its unique id."""
    env = ctx.env
    if not ctx.platform or not owner_rotated_kv_secrets(ctx.catalog, env):
        return
    policy = vault.Policy(
        logical.vault_renewal_check_policy(env.name),
        name=layout.renewal_check_policy_name(env),
        policy=renewal_check_policy(ctx.catalog, env),
        opts=ctx.child_opts(),
    )
    function = renewal_docs.check_function_name(env.name)
    vault.aws.AuthBackendRole(
        logical.vault_renewal_check_aws_role(env.name),
        backend=backends.aws_path,
        role=layout.RENEWAL_CHECK_ROLE,
        auth_type="iam",
        bound_iam_principal_arns=[role_arn(ctx.account_id, function)],
        resolve_aws_unique_ids=True,
        token_policies=[policy.name],
        token_ttl=renewal_docs.VAULT_TOKEN_TTL,
        token_max_ttl=renewal_docs.VAULT_TOKEN_MAX_TTL,
        token_type="service",
        opts=ctx.child_opts(depends_on=ctx.local(check_role, backends.aws_client)),
    )
