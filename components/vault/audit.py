"""An audit device in every environment: Vault refuses requests it cannot log, and every
read of a secret leaves a (HMAC'd) trace."""

from __future__ import annotations

import pulumi
import pulumi_vault as vault

from seccat.components.context import PlatformContext
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout

#: Options per device type. Raw logging is always off: values stay HMAC'd in the log.
SUPPORTED_TYPES = ("file", "syslog")


def build_audit(ctx: PlatformContext) -> vault.Audit:
    settings = ctx.env.vault
    if settings.audit_type not in SUPPORTED_TYPES:
        raise pulumi.RunError(
            f"environment {ctx.env.name!r}: audit type {settings.audit_type!r} is not supported "
            f"(use one of {', '.join(SUPPORTED_TYPES)})"
        )
    options = {"log_raw": "false", "hmac_accessor": "true", "format": "json"}
    if settings.audit_type == "file":
        options["file_path"] = settings.audit_file_path
    return vault.Audit(
        logical.vault_audit(ctx.env.name),
        type=settings.audit_type,
        path=layout.audit_path(ctx.env),
        description=f"seccat audit device for {ctx.env.name}",
        options=options,
        opts=ctx.child_opts(),
    )
