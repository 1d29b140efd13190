"""Vault/OpenBao audit log entries on seccat's mounts, as OCSF API Activity events.

Each request is logged twice, as a ``request`` entry and a ``response`` entry with the same
``request.id`` (https://openbao.org/docs/audit/); the response carries the outcome, so it is
the one normalised, and a request whose response never reached the log is kept as such.
Strings in both are HMAC'd by the device (``hmac-sha256:...``) unless the mount lists them
as non-HMAC keys; this module copies nothing from ``data`` but KV version numbers and never
copies ``data`` itself, so even a device configured with ``log_raw`` passes no value on.

Entries on paths seccat does not manage (other mounts, token creation, logins) are not
secret lineage and are skipped; the count of skipped entries is reported by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from seccat.catalog.untrusted import redact
from seccat.events import ocsf
from seccat.events.attribution import OTHER, Actor, CatalogIndex

_POLICY_PATH = re.compile(r"^sys/policies?/(?:acl/)?(seccat-[a-z0-9-]+)$")
_LEASE_REVOKE = re.compile(r"^sys/leases/revoke(?:-force|-prefix)?(?:/(.+))?$")
_ERROR = re.compile(r"\*\s*([^\n]+)")

_OPERATION_ACTIVITY = {
    "create": "Create",
    "read": "Read",
    "list": "Read",
    "update": "Update",
    "patch": "Update",
    "delete": "Delete",
}


def _version(entry: Mapping[str, Any]) -> int | None:
    data = (entry.get("response") or {}).get("data") or {}
    if not isinstance(data, Mapping):
        return None
    for holder in (data, data.get("metadata") or {}):
        if isinstance(holder, Mapping):
            value = holder.get("version")
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return None


def _error(entry: Mapping[str, Any]) -> str | None:
    raw = entry.get("error")
    if not isinstance(raw, str) or not raw:
        return None
    found = _ERROR.findall(raw)
    # the one free text copied out of an entry: a plugin's error can quote what failed (a
    # connection URL with its password, a token), so credentials of known formats go
    # (before the cut: a URL cut short of its '@' would no longer look like one)
    return "; ".join(redact(m.strip()) for m in found) if found else redact(raw.strip())[:200]


def _kv_step(part: str | None, op: str, version: int | None, actor: Actor, owner: bool) -> str:
    if part == "data":
        if op in ("create", "update", "patch"):
            if version == 1:
                return "created"
            if actor.kind == "rotation":
                return "rotated"
            return "renewed" if owner else "value-written"
        if op == "delete":
            return "deletion-scheduled"
        return "read"
    if part == "metadata":
        if op == "delete":
            return "revoked"
        return "read" if op in ("read", "list") else "configured"
    if part == "delete":
        return "deletion-scheduled"
    if part == "undelete":
        return "restored"
    if part == "destroy":
        return "revoked"
    return "configured"


def _database_step(part: str | None, op: str) -> str:
    if part == "static-creds":
        return "read"
    if part == "creds":
        return "issued"
    if part == "rotate-role":
        return "rotated"
    if part in ("static-roles", "roles"):
        if op == "delete":
            return "revoked"
        if op == "create" and part == "static-roles":
            return "created"  # Vault sets the login's first password as it takes it over
        return "read" if op in ("read", "list") else "configured"
    return "configured"


def normalize(entry: Mapping[str, Any], index: CatalogIndex) -> dict[str, Any] | None:
    """One audit entry as an OCSF event; None when it is not about a seccat path."""
    request = entry.get("request") or {}
    auth = entry.get("auth") or {}
    if not isinstance(request, Mapping) or not isinstance(auth, Mapping):
        return None
    path = str(request.get("path") or "")
    op = str(request.get("operation") or "")
    policies = [p for p in auth.get("token_policies") or auth.get("policies") or () if p]
    metadata = auth.get("metadata") if isinstance(auth.get("metadata"), Mapping) else None
    actor = index.vault_actor(policies, metadata)
    if actor is OTHER and isinstance(metadata, Mapping):
        env_guess = None
        sa = (metadata.get("service_account_namespace"), metadata.get("service_account_name"))
        for (env, ns, name), service in index.service_accounts.items():
            if (ns, name) == sa:
                env_guess = env
                actor = Actor("service", env_guess, service=service)
                break
    if actor is OTHER and "root" in policies:
        actor = Actor("operator")

    environment, ref, part = index.vault_secret(path)
    store = None
    resource_type = None
    step: str
    version = _version(entry)
    details: dict[str, Any] = {}
    if environment is not None:
        kind = index.mounts[path.split("/", 1)[0]][1]
        store = "vault-kv" if kind == "kv" else "vault-database"
        resource_type = "Vault KV v2 secret" if kind == "kv" else "Vault database role"
        if kind == "kv":
            step = _kv_step(part, op, version, actor, bool(ref and ref.secret.owner_rotated))
        else:
            step = _database_step(part, op)
            lease = (entry.get("response") or {}).get("secret") or {}
            if isinstance(lease, Mapping) and isinstance(lease.get("lease_id"), str):
                lease_id = lease["lease_id"]
                if not lease_id.startswith("hmac-"):
                    details["lease_id"] = lease_id
    else:
        policy = _POLICY_PATH.match(path)
        revoke = _LEASE_REVOKE.match(path)
        if policy is not None:
            env_prefix = policy.group(1).split("-")[1]
            if env_prefix not in index.environments:
                return None
            environment, step, resource_type = env_prefix, "policy-changed", "Vault policy"
            if op in ("read", "list"):
                return None
            details["policy"] = policy.group(1)
        elif revoke is not None and revoke.group(1):
            # The lease id in the path names the role: database-<env>/creds/<role>/<uuid>.
            environment, ref, _ = index.vault_secret(revoke.group(1))
            if environment is None:
                return None
            step, store, resource_type = "revoked", "vault-database", "Vault lease"
            details["lease_id"] = revoke.group(1)
        else:
            return None
    error = _error(entry)
    if error:
        step = "denied" if "permission denied" in error else step
    product = "OpenBao" if "bao" in str(request.get("mount_running_version") or "") else "Vault"
    activity = _OPERATION_ACTIVITY.get(op, "Other")
    if step == "created":
        activity = "Create"
    secret_name = f"{environment}/{ref.id}" if ref else None
    who = auth.get("display_name") or "unknown"
    if version is not None:
        details.setdefault("kv_version", version)
    attributed = ocsf.Attributed(
        environment=environment,
        secret=ref.id if ref else None,
        team=ref.team if ref else None,
        service=actor.service,
        actor_kind=actor.kind,
        store=store,
        step=step,
        in_catalog=ref is not None,
        version=str(version) if version is not None else None,
        details=details or None,
    )
    allowed = (auth.get("policy_results") or {}).get("allowed")
    return ocsf.event(
        time=ocsf.parse_time(str(entry["time"])),
        activity=activity,
        status="Failure" if error else "Success",
        status_detail=error,
        severity="Medium"
        if error
        else ("Low" if step in ("revoked", "policy-changed") else "Informational"),
        message=f"{op} {path} by {who}",
        metadata=ocsf.pruned(
            {
                "version": ocsf.OCSF_VERSION,
                "product": {"name": product, "vendor_name": product, "feature": {"name": "audit"}},
                "uid": request.get("id"),
                "event_code": f"{op} {part or path.split('/', 1)[0]}",
                "original_time": entry.get("time"),
                "log_name": "audit",
            }
        ),
        api=ocsf.pruned(
            {
                "operation": op,
                "service": {"name": request.get("mount_type") or "system"},
                "request": {"uid": request.get("id")},
                "response": {"error": error} if error else None,
            }
        ),
        actor=ocsf.pruned(
            {
                "user": {
                    "type": auth.get("token_type"),
                    "name": who,
                    "uid": auth.get("entity_id") or None,
                },
                "app_name": actor.service,
                "authorizations": [
                    {
                        "decision": "allowed" if allowed else "denied",
                        "policy": {"name": name},
                    }
                    for name in policies
                ]
                if allowed is not None
                else None,
            }
        ),
        src_endpoint=ocsf.pruned(
            {"ip": request.get("remote_address"), "port": request.get("remote_port")}
        ),
        resources=[
            ocsf.pruned(
                {
                    "type": resource_type,
                    "name": secret_name or path,
                    "uid": path,
                }
            )
        ],
        seccat=attributed,
    )
