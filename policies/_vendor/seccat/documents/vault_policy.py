"""Vault ACL policies (HCL) generated from the catalog: pure functions of the model.

Each policy names exact paths only: no globs ('*', '+'), no sudo, no list on a parent, so a
token can reach precisely the secrets the catalog says, and a reviewer can read the grant off
the file. The renderer checks every path against a strict grammar again before it reaches
the template, so a bug upstream can never widen a policy.

KV v2 ignores parameter constraints (``required_parameters``/``allowed_parameters``), so
check-and-set for writers is enforced by ``cas_required`` on each key's metadata (and on the
mount in protected environments), not by the policy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from seccat.catalog.model import Catalog, Environment, Secret
from seccat.documents import vault_layout as layout
from seccat.documents.names import UnsafeName, require
from seccat.documents.templating import render_text

VAULT_STORES = ("vault-kv", "vault-database")
#: Types the KV rotator generates; other KV types are filled by their owner.
ROTATED_KV_TYPES = frozenset({"api-key", "password"})
#: The only capabilities seccat ever grants.
ALLOWED_CAPABILITIES = ("create", "read", "update")

#: A full policy path: a mount, then segments of the id alphabet; '.' only inside a segment
#: (database role slugs), so '..' and globs are impossible.
_SEGMENT = r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*"
_PATH_RE = re.compile(rf"[a-z][a-z0-9-]{{0,62}}(?:/{_SEGMENT}){{1,8}}")
_TITLE_RE = re.compile(r"[A-Za-z0-9 ,.:()/-]{1,200}")


@dataclass(frozen=True)
class PolicyRule:
    path: str
    capabilities: tuple[str, ...]


def _checked(rule: PolicyRule) -> PolicyRule:
    if (
        not isinstance(rule.path, str)
        or not rule.path.isascii()
        or not _PATH_RE.fullmatch(rule.path)
    ):
        raise UnsafeName(f"refusing policy path {rule.path!r}: outside the allowed grammar")
    if not rule.capabilities or any(c not in ALLOWED_CAPABILITIES for c in rule.capabilities):
        raise UnsafeName(f"refusing capabilities {rule.capabilities!r} on {rule.path}")
    return rule


def render_policy(title: str, rules: list[PolicyRule]) -> str:
    """HCL for ``rules``; refuses any path or title outside its alphabet."""
    if not isinstance(title, str) or not title.isascii() or not _TITLE_RE.fullmatch(title):
        raise UnsafeName(f"refusing policy title {title!r}: outside the allowed alphabet")
    if not rules:
        raise ValueError("a policy with no rules grants nothing: do not create it")
    return render_text("vault/policy.hcl.j2", title=title, rules=[_checked(r) for r in rules])


@lru_cache(maxsize=16)
def vault_secrets(catalog: Catalog, env: Environment) -> tuple[Secret, ...]:
    """Secrets this environment keeps in Vault, in id order (stable documents)."""
    return tuple(
        sorted(
            (s for s in catalog.secrets_in(env.name) if s.store in VAULT_STORES),
            key=lambda s: s.id,
        )
    )


@lru_cache(maxsize=16)
def consumptions(
    catalog: Catalog, env: Environment
) -> Mapping[str, tuple[tuple[Secret, str], ...]]:
    """(secret, access) pairs per consuming service, in secret id order: one pass over the
    catalog instead of one per service, so large catalogs stay linear."""
    index: dict[str, list[tuple[Secret, str]]] = {}
    for secret in vault_secrets(catalog, env):
        for consumer in secret.consumers_in(env.name):
            index.setdefault(consumer.service, []).append((secret, consumer.access))
    return MappingProxyType({k: tuple(v) for k, v in index.items()})


def _consumer_rules(env: Environment, secret: Secret, access: str) -> list[PolicyRule]:
    if secret.store == "vault-kv":
        data = ("create", "read", "update") if access == "write" else ("read",)
        return [
            PolicyRule(layout.kv_data_path(env, secret.id), data),
            PolicyRule(layout.kv_metadata_path(env, secret.id), ("read",)),
        ]
    return [PolicyRule(layout.database_creds_path(env, secret), ("read",))]


def service_policy_rules(catalog: Catalog, env: Environment, service: str) -> list[PolicyRule]:
    """What ``service`` may do in ``env``: exactly its consumed secrets' paths."""
    require(service, "name")
    rules: dict[str, PolicyRule] = {}
    for secret, access in consumptions(catalog, env).get(service, ()):
        for rule in _consumer_rules(env, secret, access):
            # A service listed twice keeps one rule with the union of its grants.
            known = rules.get(rule.path)
            caps = set(rule.capabilities) | set(known.capabilities if known else ())
            rules[rule.path] = PolicyRule(
                rule.path, tuple(c for c in ALLOWED_CAPABILITIES if c in caps)
            )
    return list(rules.values())


def consuming_services(catalog: Catalog, env: Environment) -> list[str]:
    """Services that read at least one Vault secret in ``env``; only they get a policy."""
    return sorted(consumptions(catalog, env))


def service_policy(catalog: Catalog, env: Environment, service: str) -> str:
    return render_policy(
        f"seccat service {service} in {env.name}: read exactly its catalog secrets",
        service_policy_rules(catalog, env, service),
    )


def _writer_rules(env: Environment, secrets: list[Secret]) -> list[PolicyRule]:
    rules: list[PolicyRule] = []
    for secret in secrets:
        rules.append(PolicyRule(layout.kv_data_path(env, secret.id), ("create", "update")))
        # current_version, to send as the check-and-set value.
        rules.append(PolicyRule(layout.kv_metadata_path(env, secret.id), ("read",)))
    return rules


def team_kv_secrets(catalog: Catalog, env: Environment, team: str) -> list[Secret]:
    """The team's KV secrets that may still receive values (a retired one may not)."""
    return [
        s
        for s in vault_secrets(catalog, env)
        if s.store == "vault-kv" and s.owner == team and s.lifecycle != "retired"
    ]


def writer_teams(catalog: Catalog, env: Environment) -> list[str]:
    return sorted(
        {
            s.owner
            for s in vault_secrets(catalog, env)
            if s.store == "vault-kv" and s.lifecycle != "retired"
        }
    )


def writer_policy_rules(catalog: Catalog, env: Environment, team: str) -> list[PolicyRule]:
    """Create/update on the team's own KV values (write-only: no read of values), with
    check-and-set enforced by each key's ``cas_required``."""
    require(team, "name")
    return _writer_rules(env, team_kv_secrets(catalog, env, team))


def writer_policy(catalog: Catalog, env: Environment, team: str) -> str:
    return render_policy(
        f"seccat writer for team {team} in {env.name}: new versions with check-and-set",
        writer_policy_rules(catalog, env, team),
    )


def rotated_kv_secrets(catalog: Catalog, env: Environment, team: str | None = None) -> list[Secret]:
    """KV secrets whose value seccat generates and rotates on a schedule."""
    return [
        s
        for s in vault_secrets(catalog, env)
        if s.store == "vault-kv"
        and s.type in ROTATED_KV_TYPES
        and s.rotation is not None
        and not s.owner_rotated
        and s.lifecycle != "retired"
        and (team is None or s.owner == team)
    ]


def rotator_teams(catalog: Catalog, env: Environment) -> list[str]:
    return sorted({s.owner for s in rotated_kv_secrets(catalog, env)})


def rotator_policy_rules(catalog: Catalog, env: Environment, team: str) -> list[PolicyRule]:
    """The rotator of one team writes only the secrets it rotates, never reads a value."""
    require(team, "name")
    return _writer_rules(env, rotated_kv_secrets(catalog, env, team))


def rotator_policy(catalog: Catalog, env: Environment, team: str) -> str:
    return render_policy(
        f"seccat KV rotator for team {team} in {env.name}: new versions with check-and-set",
        rotator_policy_rules(catalog, env, team),
    )


def owner_rotated_kv_secrets(catalog: Catalog, env: Environment) -> list[Secret]:
    """KV secrets their owning team renews (``rotation.by: owner``), still in use: the
    renewal check watches them (seccat.documents.renewal)."""
    return [
        s
        for s in vault_secrets(catalog, env)
        if s.store == "vault-kv" and s.owner_rotated and s.lifecycle != "retired"
    ]


def renewal_check_policy_rules(catalog: Catalog, env: Environment) -> list[PolicyRule]:
    """``read`` on the metadata of exactly the owner-rotated KV secrets: version dates and
    custom metadata (a certificate's not-after). Nothing under ``data/``, so never a value,
    no ``list``, and no other environment's mount."""
    return [
        PolicyRule(layout.kv_metadata_path(env, s.id), ("read",))
        for s in owner_rotated_kv_secrets(catalog, env)
    ]


def renewal_check_policy(catalog: Catalog, env: Environment) -> str:
    return render_policy(
        f"seccat renewal check in {env.name}: metadata of owner-rotated secrets, never a value",
        renewal_check_policy_rules(catalog, env),
    )


def all_policies(catalog: Catalog, env: Environment) -> dict[str, str]:
    """Every generated policy of an environment by name (for render, rules and tests)."""
    out: dict[str, str] = {}
    for service in consuming_services(catalog, env):
        out[layout.service_policy_name(env, service)] = service_policy(catalog, env, service)
    for team in writer_teams(catalog, env):
        out[layout.writer_policy_name(env, team)] = writer_policy(catalog, env, team)
    for team in rotator_teams(catalog, env):
        out[layout.rotator_policy_name(env, team)] = rotator_policy(catalog, env, team)
    if owner_rotated_kv_secrets(catalog, env):
        out[layout.renewal_check_policy_name(env)] = renewal_check_policy(catalog, env)
    return out
