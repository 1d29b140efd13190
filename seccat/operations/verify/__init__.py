"""`seccat verify`: the live environment against what the catalog generates.

``verify_environment(targets, aws=..., vault=...)`` compares one environment; the CLI runs
it for each ``--stack``/``--all-stacks`` environment and renders the ``VerifyResult``.
"""

from __future__ import annotations

from seccat.operations.clients import AwsConnection, VaultConnection
from seccat.operations.targets import EnvironmentTargets
from seccat.operations.verify.findings import CHECKS, Check, Finding, Note, VerifyResult
from seccat.operations.verify.recorder import Recorder

__all__ = [
    "CHECKS",
    "Check",
    "Finding",
    "Note",
    "VerifyResult",
    "has_aws",
    "has_vault",
    "verify_environment",
]


def has_aws(targets: EnvironmentTargets) -> bool:
    return any(r.custom and r.type.startswith("aws:") for r in targets.preview.resources)


def has_vault(targets: EnvironmentTargets) -> bool:
    return any(r.custom and r.type.startswith("vault:") for r in targets.preview.resources)


def verify_environment(
    targets: EnvironmentTargets,
    *,
    aws: AwsConnection | None,
    vault: VaultConnection | None,
    access_proof: bool = True,
) -> Recorder:
    """Every comparison for one environment; a side without a connection is noted, not
    passed."""
    from seccat.operations.verify.access import prove
    from seccat.operations.verify.aws import AwsVerifier
    from seccat.operations.verify.vault import VaultVerifier

    rec = Recorder(targets)
    if has_aws(targets):
        if aws is None:
            rec.note("AWS side not checked (--only vault)")
        else:
            AwsVerifier(targets, aws, rec).run()
    if has_vault(targets):
        if vault is None:
            rec.note("Vault side not checked (--only aws)")
        else:
            VaultVerifier(targets, vault, rec).run()
            if access_proof:
                explained = {
                    f.catalog_path[1]
                    for f in rec.findings
                    if f.check in ("vault.policy", "vault.auth-role")
                    and len(f.catalog_path) >= 2
                    and f.catalog_path[0] == "services"
                }
                prove(targets, vault, rec, explained)
            else:
                rec.note("access proof skipped (--no-access-proof)")
    return rec
