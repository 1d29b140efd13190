"""KV v2 metadata written for each ``vault-kv`` secret: everything about it except a value.

The program writes ``<mount>/metadata/<id>`` only; it never writes or reads ``data/``, so no
value ever passes through Pulumi, its state or a preview.
"""

from __future__ import annotations

from typing import Any

from seccat.catalog.model import Environment, Secret
from seccat.documents.names import require
from seccat.documents.vault_lifetimes import (
    go_duration,
    kv_delete_version_after,
    kv_max_versions,
)

MANAGED_BY = "seccat"


def rotation_label(secret: Secret) -> str:
    """The rotation interval as the catalog wrote it (``30d`` or a cron/rate expression)."""
    r = secret.rotation
    if r is None:
        return "none"
    return r.every or r.schedule or "none"


def kv_metadata(env: Environment, secret: Secret) -> dict[str, Any]:
    """The body of ``POST <mount>/metadata/<id>``.

    ``cas_required`` is always on: KV v2 policies cannot demand the ``cas`` parameter, so this
    is what makes every writer (teams, the rotator) use check-and-set and never overwrite a
    version it has not seen.
    """
    custom = {
        "catalog-id": require(secret.id, "secret_id"),
        "owner": require(secret.owner, "name"),
        "classification": secret.classification,
        "environment": require(env.name, "name"),
        "rotation": rotation_label(secret),
        "lifecycle": secret.lifecycle,
        "managed-by": MANAGED_BY,
    }
    if secret.compliance:
        custom["compliance"] = ",".join(secret.compliance)
    return {
        "max_versions": kv_max_versions(secret),
        "cas_required": True,
        "delete_version_after": go_duration(kv_delete_version_after(secret)),
        "custom_metadata": custom,
    }
