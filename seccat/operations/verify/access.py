"""The access proof: Vault itself says what each service's token can do on every seccat path,
and that must be exactly the catalog's matrix.

For each service with a Vault policy, a short-lived orphan token is created with the policies
its live login roles grant (plus ``default``, as a login gets), and
``sys/capabilities-self`` answers for every path of every Vault secret of the environment
(KV data and metadata, database credentials and role configuration). The expected answer
comes from the catalog's consumers, not from the generated HCL, so a wrong generator, a
widened policy, an edited ``default`` policy or an extra policy on a login role all show.

A service whose policy or login role already has a finding is not proven again: that
finding explains the difference, and one drift gives one finding. The token is revoked
straight after; creating it needs a token that may create tokens with those policies (root,
or ``sudo`` on ``auth/token/create``).
"""

from __future__ import annotations

from typing import Any

from seccat.documents.vault_policy import consuming_services
from seccat.operations.clients import VaultConnection
from seccat.operations.errors import OperationError
from seccat.operations.targets import EnvironmentTargets
from seccat.operations.verify.recorder import Recorder
from seccat.operations.verify.vault import AWS_ROLE, K8S_ROLE

DENY = ("deny",)


def expected_matrix(targets: EnvironmentTargets, service: str) -> dict[str, tuple[str, ...]]:
    """Path -> capabilities the catalog gives ``service`` on every Vault path of the env."""
    out: dict[str, tuple[str, ...]] = {}
    for target in targets.secrets.values():
        v = target.vault
        if v is None:
            continue
        access = {
            c.access for c in target.secret.consumers_in(targets.name) if c.service == service
        }
        reads = bool(access) and target.secret.lifecycle != "retired"
        if v.kind == "kv":
            data = ("create", "read", "update") if "write" in access else ("read",)
            out[v.read_path] = data if reads else DENY
            out[v.config_path] = ("read",) if reads else DENY
        else:
            out[v.read_path] = ("read",) if reads else DENY
            out[v.config_path] = DENY
    return out


def login_policies(
    targets: EnvironmentTargets, conn: VaultConnection, service: str, rec: Recorder
) -> list[str] | None:
    """The policies a login of ``service`` gets from its live roles (None: no role found)."""
    policies: set[str] = set()
    found = False
    for r in targets.expected(K8S_ROLE) + targets.expected(AWS_ROLE):
        i = r.inputs
        name = i.get("roleName") if r.type == K8S_ROLE else i.get("role")
        if name != service:
            continue
        live = _read(conn, f"auth/{i['backend']}/role/{name}")
        if live is None and r.type == AWS_ROLE and not _has_aws_plugin(conn):
            rec.note(
                f"access proof of {service}: the AWS login role's policies are taken from the "
                "catalog (the server has no AWS auth plugin)"
            )
            policies.update(i.get("tokenPolicies") or [])
            found = True
            continue
        if live is not None:
            policies.update(live.get("token_policies") or [])
            found = True
    return sorted(policies) if found else None


def prove(
    targets: EnvironmentTargets,
    conn: VaultConnection,
    rec: Recorder,
    explained: set[str],
) -> None:
    """Compare each service token's capabilities with the catalog matrix."""
    for service in consuming_services(targets.catalog, targets.environment):
        if service in explained:
            continue
        policies = login_policies(targets, conn, service, rec)
        if policies is None:
            continue  # no login role at all: already a vault.auth-role finding
        matrix = expected_matrix(targets, service)
        token = _create_token(conn, service, policies)
        probe = conn.with_token(token)
        try:
            answer = probe.adapter.post("/v1/sys/capabilities-self", json={"paths": list(matrix)})
        finally:
            try:
                probe.adapter.post("/v1/auth/token/revoke-self")
            except Exception:
                rec.note(f"access proof of {service}: its probe token could not be revoked")
        data = answer.get("data", answer) if isinstance(answer, dict) else {}
        live = {p: tuple(sorted(data.get(p) or DENY)) for p in matrix}
        wanted = {p: tuple(sorted(c)) for p, c in matrix.items()}
        rec.compare(len(matrix))
        wrong = sorted(p for p in matrix if live[p] != wanted[p])
        if wrong:
            rec.finding(
                "vault.access",
                service,
                targets.best_path(("services", service)),
                f"a token of {service} (policies {', '.join(policies)}) has other "
                f"capabilities than the catalog gives it on {', '.join(wrong)}",
                expected={p: list(wanted[p]) for p in wrong},
                live={p: list(live[p]) for p in wrong},
            )


def _create_token(conn: VaultConnection, service: str, policies: list[str]) -> str:
    import hvac.exceptions

    try:
        created = conn.client.auth.token.create_orphan(
            policies=policies,
            no_default_policy=False,
            ttl="2m",
            renewable=False,
            display_name=f"seccat-verify-{service}",
            meta={"purpose": "seccat verify access proof"},
        )
    except hvac.exceptions.VaultError as exc:
        raise OperationError(
            f"the access proof needs a Vault token allowed to create tokens with the "
            f"services' policies (root, or sudo on auth/token/create-orphan): "
            f"{type(exc).__name__}"
        ) from None
    return str(created["auth"]["client_token"])


def _read(conn: VaultConnection, path: str) -> dict[str, Any] | None:
    import hvac.exceptions

    try:
        response = conn.client.adapter.get(f"/v1/{path}")
    except hvac.exceptions.InvalidPath:
        return None
    data = response.get("data") if isinstance(response, dict) else None
    return data if isinstance(data, dict) else None


def _has_aws_plugin(conn: VaultConnection) -> bool:
    return _read(conn, "sys/plugins/catalog/auth/aws") is not None
