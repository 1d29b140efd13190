"""Per-secret KV v2 metadata (owner, classification, rotation, versions, CAS), never a value.

``vault.generic.Endpoint`` writes ``<mount>/metadata/<id>``. Deleting that path would destroy
every version of the secret, so the resource never deletes (``disable_delete``): dropping a
secret from the catalog leaves its data in Vault. Reading metadata returns no value, so drift
detection stays on; fields Vault adds (versions, timestamps) are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi_vault as vault

from seccat.catalog.model import Secret
from seccat.components.context import PlatformContext
from seccat.components.vault.mounts import KvMount
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout
from seccat.documents.names import slug
from seccat.documents.templating import dumps
from seccat.documents.vault_kv import kv_metadata


def build_kv_metadata(
    ctx: PlatformContext, secrets: Sequence[Secret], kv: KvMount | None
) -> list[vault.generic.Endpoint]:
    """``kv`` is None in a team stack: the platform stack created the mount before."""
    after = ctx.local(kv.mount, kv.config) if kv is not None else []
    return [
        vault.generic.Endpoint(
            logical.vault_kv_metadata(ctx.env.name, slug(secret.id)),
            path=layout.kv_metadata_path(ctx.env, secret.id),
            data_json=dumps(kv_metadata(ctx.env, secret)),
            disable_read=False,
            disable_delete=True,
            ignore_absent_fields=True,
            opts=ctx.child_opts(depends_on=after),
        )
        for secret in secrets
        if secret.store == "vault-kv" and ctx.stack.holds_secret(secret.id)
    ]
