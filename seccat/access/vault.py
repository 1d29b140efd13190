"""Vault/OpenBao access read off the generated documents: the ACL policies (HCL) and the auth
roles that hand them out.

A token from an auth role carries the role's ``token_policies``; within one policy the most
specific path rule that matches a path decides its capabilities (an exact path before a
glob, a longer prefix before a shorter one, as Vault orders them), capabilities add up across
the token's policies, and ``deny`` in any of them wins. Paths are matched with Vault's globs:
``+`` is one segment, a trailing ``*`` any suffix.

A KV v2 secret is ``<kv mount>/{data,metadata,delete,undelete,destroy}/<secret id>``; a
database secret is ``<database mount>/{creds,static-creds,...}/<role>``, the role being the
secret id with '/' written as '.' (seccat.documents.vault_layout). Actions are reported as
``<path kind>:<capability>``: ``data:read`` reads the value, ``data:create``/``data:update``
write one, ``metadata:read`` sees versions, ``creds:read`` gets a login.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from seccat.access.model import AccessEdge, Principal, Store, TrustEdge
from seccat.engine.recording import RecordedResource
from seccat.policies.vault_hcl import PathRule, parse_policy

POLICY = "vault:index/policy:Policy"
MOUNT = "vault:index/mount:Mount"
KV_CONFIG = "vault:kv/secretBackendV2:SecretBackendV2"
KV_ENDPOINT = "vault:generic/endpoint:Endpoint"
DB_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
DB_STATIC_ROLE = "vault:database/secretBackendStaticRole:SecretBackendStaticRole"

#: Path kinds of a KV v2 secret and of a database role.
KV_KINDS = ("data", "metadata", "delete", "undelete", "destroy")
DB_KINDS = ("creds", "static-creds", "roles", "static-roles", "rotate-role")


@dataclass(frozen=True)
class VaultSecret:
    secret_id: str
    store: Store
    #: (path kind, full path) of every path that acts on this secret.
    paths: tuple[tuple[str, str], ...]


def _kv_mounts(resources: Sequence[RecordedResource]) -> set[str]:
    mounts = {
        str(r.inputs.get("path"))
        for r in resources
        if r.type == MOUNT and r.inputs.get("type") in ("kv", "kv-v2")
    }
    mounts |= {str(r.inputs.get("mount")) for r in resources if r.type == KV_CONFIG}
    return {m.strip("/") for m in mounts if m and m != "None"}


def _database_mounts(resources: Sequence[RecordedResource]) -> set[str]:
    mounts = {
        str(r.inputs.get("path"))
        for r in resources
        if r.type == MOUNT and r.inputs.get("type") == "database"
    }
    mounts |= {
        str(r.inputs.get("backend")) for r in resources if r.type in (DB_ROLE, DB_STATIC_ROLE)
    }
    return {m.strip("/") for m in mounts if m and m != "None"}


def _policy_rules(resources: Sequence[RecordedResource]) -> dict[str, tuple[PathRule, ...]]:
    """ACL policies by name; one Vault refuses to parse grants nothing here either."""
    out: dict[str, tuple[PathRule, ...]] = {}
    for r in resources:
        if r.type == POLICY:
            text = r.inputs.get("policy")
            try:
                rules = parse_policy(text) if isinstance(text, str) else ()
            except ValueError:
                rules = ()
            out[str(r.inputs.get("name") or r.name)] = rules
    return out


def vault_secrets(resources: Sequence[RecordedResource]) -> list[VaultSecret]:
    """Every Vault secret the preview manages or a policy names exactly."""
    kv = _kv_mounts(resources)
    db = _database_mounts(resources)
    kv_ids: dict[str, str] = {}  # secret id -> mount
    db_roles: dict[str, tuple[str, str]] = {}  # secret id -> (mount, role)

    def note(path: str) -> None:
        for mount in kv:
            for kind in ("data", "metadata"):
                prefix = f"{mount}/{kind}/"
                if path.startswith(prefix) and "*" not in path and "+" not in path:
                    kv_ids.setdefault(path[len(prefix) :], mount)

    for r in resources:
        if r.type == KV_ENDPOINT and isinstance(r.inputs.get("path"), str):
            note(r.inputs["path"])
        elif r.type in (DB_ROLE, DB_STATIC_ROLE):
            role = str(r.inputs.get("name") or "")
            mount = str(r.inputs.get("backend") or "")
            if role and mount:
                db_roles.setdefault(role.replace(".", "/"), (mount, role))
    for rules in _policy_rules(resources).values():
        for rule in rules:
            note(rule.path)
            for mount in db:
                for kind in DB_KINDS:
                    prefix = f"{mount}/{kind}/"
                    role = rule.path[len(prefix) :]
                    if rule.path.startswith(prefix) and role and not {"*", "+", "/"} & set(role):
                        db_roles.setdefault(role.replace(".", "/"), (mount, role))
    out = [
        VaultSecret(sid, "vault-kv", tuple((k, f"{m}/{k}/{sid}") for k in KV_KINDS))
        for sid, m in kv_ids.items()
    ]
    out += [
        VaultSecret(sid, "vault-database", tuple((k, f"{m}/{k}/{role}") for k in DB_KINDS))
        for sid, (m, role) in db_roles.items()
    ]
    return sorted(out, key=lambda s: (s.secret_id, s.store))


def path_matches(pattern: str, path: str) -> bool:
    """Vault's ACL path globs: ``+`` one whole segment, a trailing ``*`` any suffix."""
    prefix = pattern.endswith("*")
    body = pattern[:-1] if prefix else pattern
    want = body.split("/")
    have = path.split("/")
    if prefix:
        # The last pattern segment is a prefix of the corresponding path segment.
        if len(have) < len(want):
            return False
        head, last = want[:-1], want[-1]
        if not all(w in ("+", h) for w, h in zip(head, have, strict=False)):
            return False
        return want[-1] == "+" or have[len(head)].startswith(last)
    return len(want) == len(have) and all(w in ("+", h) for w, h in zip(want, have, strict=True))


def _specificity(pattern: str) -> tuple[int, int, int]:
    """Vault's priority: no trailing glob first, then fewer ``+``, then the longer pattern."""
    return (0 if pattern.endswith("*") else 1, -pattern.count("+"), len(pattern))


def _capabilities(rules: Sequence[PathRule], path: str) -> set[str]:
    matching = [r for r in rules if path_matches(r.path, path)]
    if not matching:
        return set()
    best = max(matching, key=lambda r: _specificity(r.path))
    return set(best.capabilities)


def _auth_roles(
    resources: Sequence[RecordedResource],
) -> list[tuple[Principal, list[str], RecordedResource]]:
    """(principal, token policies, resource) of every auth role."""
    out = []
    for r in resources:
        if not (
            r.type.startswith("vault:") and r.type.endswith("/authBackendRole:AuthBackendRole")
        ):
            continue
        name = str(r.inputs.get("role") or r.inputs.get("roleName") or r.name)
        backend = str(r.inputs.get("backend") or r.type.split(":")[1].split("/")[0]).strip("/")
        policies = [
            str(p)
            for key in ("tokenPolicies", "policies")
            for p in (r.inputs.get(key) or [])
            if isinstance(r.inputs.get(key), list)
        ]
        principal = Principal(f"vault:{backend}/role/{name}", "vault-role", name, None)
        out.append((principal, policies, r))
    return out


def access_edges(
    resources: Sequence[RecordedResource], aws_refs: Mapping[str, tuple[str, ...] | None]
) -> list[AccessEdge]:
    """Every (Vault auth role, secret) pair its token's policies allow something on.

    ``aws_refs`` maps IAM role ARNs to their catalog entries, so a Vault role bound to a
    service's IAM role is attributed to that service."""
    policies = _policy_rules(resources)
    secrets = vault_secrets(resources)
    edges: list[AccessEdge] = []
    for principal, names, r in _auth_roles(resources):
        principal = _attributed(principal, r, aws_refs)
        rule_sets = [policies[n] for n in names if n in policies]
        for secret in secrets:
            actions: set[str] = set()
            denied: set[str] = set()
            for kind, path in secret.paths:
                for rules in rule_sets:
                    caps = _capabilities(rules, path)
                    if "deny" in caps:
                        denied.add(kind)
                    actions |= {f"{kind}:{c}" for c in caps if c != "deny"}
            actions = {a for a in actions if a.split(":", 1)[0] not in denied}
            if actions:
                sources = tuple(sorted(n for n in names if n in policies))
                edges.append(
                    AccessEdge(
                        principal, secret.secret_id, secret.store, frozenset(actions), sources
                    )
                )
    return edges


def _attributed(
    principal: Principal, r: RecordedResource, aws_refs: Mapping[str, tuple[str, ...] | None]
) -> Principal:
    bound = r.inputs.get("boundIamPrincipalArns")
    refs = {aws_refs.get(str(a)) for a in bound} if isinstance(bound, list) else set()
    refs.discard(None)
    if len(refs) == 1:
        return Principal(principal.id, principal.kind, principal.name, refs.pop())
    return principal


def trust_edges(
    resources: Sequence[RecordedResource], aws_refs: Mapping[str, tuple[str, ...] | None]
) -> list[TrustEdge]:
    """Who may log in as each auth role: the identities it binds."""
    out: list[TrustEdge] = []
    for principal, _, r in _auth_roles(resources):
        principal = _attributed(principal, r, aws_refs)
        inputs = r.inputs

        def listed(key: str, inputs: Mapping[str, object] = inputs) -> list[str]:
            value = inputs.get(key)
            return [str(v) for v in value] if isinstance(value, list) else []

        conditions: list[str] = []
        trusted: list[str] = [f"aws-iam:{a}" for a in listed("boundIamPrincipalArns")]
        namespaces, accounts = (
            listed("boundServiceAccountNamespaces"),
            listed("boundServiceAccountNames"),
        )
        trusted += [f"kubernetes:{n}/{a}" for n in namespaces for a in accounts]
        if isinstance(inputs.get("audience"), str):
            conditions.append(f"audience={inputs['audience']}")
        if isinstance(inputs.get("boundSubject"), str):
            trusted.append(f"jwt:sub={inputs['boundSubject']}")
        claims = inputs.get("boundClaims")
        if isinstance(claims, Mapping):
            conditions += [f"claim {k}={v}" for k, v in sorted(claims.items())]
        conditions += [f"audience={a}" for a in listed("boundAudiences")]
        for other in sorted(k for k in inputs if k.startswith("bound") and k not in _KNOWN_BOUND):
            conditions.append(f"{other}={inputs[other]}")
        if not trusted:
            trusted = ["anyone who can reach the auth mount"]
        for who in trusted:
            out.append(TrustEdge(principal, who, "vault:login", tuple(sorted(conditions)), r.name))
    return out


_KNOWN_BOUND = frozenset(
    {
        "boundIamPrincipalArns",
        "boundServiceAccountNamespaces",
        "boundServiceAccountNames",
        "boundSubject",
        "boundClaims",
        "boundAudiences",
    }
)
