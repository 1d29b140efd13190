"""The Vault isolation matrix, on a real OpenBao: no token of one environment can do anything
on any path of another.

Every environment of a catalog is applied to one server (as docs/vault.md allows). For each
environment A, a token is minted for every auth role A's preview declares (each service's
AWS and Kubernetes roles, each team's KV rotator) with exactly that role's policies, and for
every team writer policy of A; ``sys/capabilities`` (batched) is asked for every path of
every other environment B: the secrets' data, metadata, version, database credential and
role paths, B's engine and connection configuration, its auth roles and its policies. All
must be ``deny``. The same tokens on A's own paths get exactly what the catalog grants
(positive controls, derived from the catalog here, not from seccat's generator), so a server
or a harness that denied everything fails.

Runs on catalog.yaml (dev, staging, prod) and on the 1,000-secret benchmark catalog (dev,
prod) applied to a server of its own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import hvac

from seccat.catalog.model import Catalog

if TYPE_CHECKING:
    from vault.conftest import GeneratedVault, VaultWorld
    from vault.harness import Applied

#: Paths per sys/capabilities request.
BATCH = 500
KV_OPERATIONS = ("data", "metadata", "delete", "destroy", "undelete", "subkeys")
DB_OPERATIONS = ("creds", "static-creds", "roles", "static-roles", "rotate-role")
ROTATED_TYPES = {"api-key", "password"}


def _role(secret_id: str) -> str:
    return secret_id.replace("/", ".")


def environment_paths(catalog: Catalog, env: str) -> list[str]:
    """Every path of ``env`` on the server: its secrets, engines, auth roles and policies."""
    settings = catalog.environments[env].vault
    kv, db = settings.kv_mount, settings.database_mount
    paths = {
        f"{kv}/config",
        f"{kv}/metadata/",
        f"{db}/config/",
        f"{db}/roles/",
        f"sys/mounts/{kv}",
        f"sys/mounts/{db}",
        f"sys/auth/aws-{env}",
        f"sys/auth/kubernetes-{env}",
        f"sys/audit/{settings.audit_path}",
        f"auth/aws-{env}/config/client",
        f"auth/kubernetes-{env}/config",
    }
    for secret in catalog.secrets_in(env):
        if secret.store == "vault-kv":
            paths |= {f"{kv}/{op}/{secret.id}" for op in KV_OPERATIONS}
        elif secret.store == "vault-database":
            paths |= {f"{db}/{op}/{_role(secret.id)}" for op in DB_OPERATIONS}
            assert secret.database is not None
            paths |= {
                f"{db}/config/{secret.database.database}",
                f"{db}/rotate-root/{secret.database.database}",
            }
    for service in catalog.services:
        paths |= {
            f"auth/aws-{env}/role/{service}",
            f"auth/kubernetes-{env}/role/{service}",
            f"sys/policies/acl/seccat-{env}-service-{service}",
        }
    paths |= {  # the renewal check's login and policy
        f"auth/aws-{env}/role/renewal-check",
        f"sys/policies/acl/seccat-{env}-renewal-check",
    }
    for team in catalog.teams:
        paths |= {
            f"auth/aws-{env}/role/kv-rotator-{team}",
            f"sys/policies/acl/seccat-{env}-team-{team}-writer",
            f"sys/policies/acl/seccat-{env}-kv-rotator-{team}",
        }
    return sorted(paths)


def granted(catalog: Catalog, env: str, who: str, name: str) -> dict[str, set[str]]:
    """What the catalog grants ``who`` (service, writer, rotator, renewal-check) ``name`` in
    ``env``."""
    settings = catalog.environments[env].vault
    kv, db = settings.kv_mount, settings.database_mount
    grants: dict[str, set[str]] = {}
    for s in catalog.secrets_in(env):
        if who == "renewal-check":
            # the metadata of the KV secrets their owner renews, nothing else
            owner = s.rotation is not None and s.rotation.by == "owner"
            if s.store == "vault-kv" and owner and s.lifecycle != "retired":
                grants[f"{kv}/metadata/{s.id}"] = {"read"}
        elif who == "service":
            access = {c.access for c in s.consumers_in(env) if c.service == name}
            if not access:
                continue
            if s.store == "vault-kv":
                data = {"create", "read", "update"} if "write" in access else {"read"}
                grants[f"{kv}/data/{s.id}"] = data
                grants[f"{kv}/metadata/{s.id}"] = {"read"}
            elif s.store == "vault-database":
                assert s.rotation is not None
                kind = "static-creds" if s.rotation.strategy == "static" else "creds"
                grants[f"{db}/{kind}/{_role(s.id)}"] = {"read"}
        elif s.store == "vault-kv" and s.owner == name and s.lifecycle != "retired":
            if who == "rotator" and (s.type not in ROTATED_TYPES or s.rotation is None):
                continue
            grants[f"{kv}/data/{s.id}"] = {"create", "update"}
            grants[f"{kv}/metadata/{s.id}"] = {"read"}
    return grants


@dataclass
class Token:
    env: str
    label: str
    token: str
    expected: dict[str, set[str]]
    policies: tuple[str, ...] = ()


def tokens(client: hvac.Client, applied: Applied, catalog: Catalog, env: str) -> Iterator[Token]:
    """A token with the exact token policies of each auth role of ``env`` (one for the
    AWS and Kubernetes roles of a service when, as they should, they carry the same
    policies), and one per writer policy."""
    backends = {f"aws-{env}", f"kubernetes-{env}"}
    roles: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    for (backend, role), policies in sorted(applied.auth_roles.items()):
        if backend not in backends:
            continue
        if role.startswith("kv-rotator-") and role.removeprefix("kv-rotator-") in catalog.teams:
            who, name = "rotator", role.removeprefix("kv-rotator-")
        elif role == "renewal-check" and role not in catalog.services:
            who, name = "renewal-check", role
        else:
            who, name = "service", role
        roles.setdefault((who, name, tuple(policies)), []).append(backend)
    for (who, name, policies), via in roles.items():
        token = client.auth.token.create(policies=list(policies), ttl="15m", renewable=False)
        yield Token(
            env,
            f"{who} {name}@{env} via {', '.join(via)}",
            token["auth"]["client_token"],
            granted(catalog, env, who, name),
            policies,
        )
    for team in sorted(catalog.teams):
        policy = f"seccat-{env}-team-{team}-writer"
        if policy in applied.policies:
            token = client.auth.token.create(policies=[policy], ttl="15m", renewable=False)
            yield Token(
                env,
                f"writer {team}@{env}",
                token["auth"]["client_token"],
                granted(catalog, env, "writer", team),
                (policy,),
            )


def capabilities(client: hvac.Client, token: str, paths: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for start in range(0, len(paths), BATCH):
        chunk = paths[start : start + BATCH]
        data = client.adapter.post("/v1/sys/capabilities", json={"token": token, "paths": chunk})
        out.update({p: set(data["data"][p]) for p in chunk})
    return out


@dataclass
class Result:
    tokens: int = 0
    cells: int = 0
    leaks: list[str] | None = None
    controls: int = 0
    wrong_controls: list[str] | None = None
    #: Paths asked of the union tokens (union_isolation).
    union_checks: int = 0


def isolation(client: hvac.Client, applied: Applied, catalog: Catalog, envs: list[str]) -> Result:
    paths = {env: environment_paths(catalog, env) for env in envs}
    result = Result(leaks=[], wrong_controls=[])
    for a in envs:
        foreign = sorted({p for b in envs if b != a for p in paths[b]} - set(paths[a]))
        for t in tokens(client, applied, catalog, a):
            result.tokens += 1
            assert t.expected or t.label.startswith("service"), t.label
            own = sorted(set(t.expected) | set(paths[a]))
            caps = capabilities(client, t.token, foreign + own)
            for path in foreign:
                result.cells += 1
                if caps[path] != {"deny"}:
                    result.leaks.append(f"{t.label}: {path} grants {sorted(caps[path])}")
            for path in own:
                result.controls += 1
                want = t.expected.get(path, {"deny"})
                if caps[path] != want:
                    result.wrong_controls.append(f"{t.label}: {path} is {sorted(caps[path])}")
    return result


_PATH_RULE = re.compile(r'^path "([^"]*)" \{$', re.MULTILINE)
_CAPABILITIES = re.compile(r"capabilities = \[([^\]]*)\]")


def exact_grants_only(client: hvac.Client, policy: str) -> bool:
    """Whether the policy stored on the server names exact paths only (no '*' or '+') and
    never the deny capability: then a token's capabilities on a path are the union of its
    policies' grants for that very path, so a token holding more policies can only see more
    ("Policies are additive"; a glob or a deny could make a larger set see less)."""
    text = client.sys.read_acl_policy(policy)["data"]["policy"]
    paths = _PATH_RULE.findall(text)
    capabilities = [c for group in _CAPABILITIES.findall(text) for c in group.split(",")]
    return (
        bool(paths)
        and len(paths) == len(_CAPABILITIES.findall(text))
        and all("*" not in p and "+" not in p for p in paths)
        and all(c.strip().strip('"') in {"create", "read", "update"} for c in capabilities)
    )


def union_isolation(
    client: hvac.Client, applied: Applied, catalog: Catalog, envs: list[str]
) -> Result:
    """The matrix for catalogs too large to ask sys/capabilities of every token (OpenBao
    answers about 1 ms per path): each token's own grants are checked one by one, and one
    token holding *every* policy of A is checked on every path of every other environment.
    As every policy grants exact paths only (checked), each single token's capabilities on a
    path are a subset of that union token's, so "deny" for the union is "deny" for each."""
    paths = {env: environment_paths(catalog, env) for env in envs}
    result = Result(leaks=[], wrong_controls=[])
    for a in envs:
        foreign = sorted({p for b in envs if b != a for p in paths[b]} - set(paths[a]))
        union: set[str] = set()
        for t in tokens(client, applied, catalog, a):
            result.tokens += 1
            union.update(t.policies)
            own = sorted(t.expected)
            caps = capabilities(client, t.token, own)
            for path in own:
                result.controls += 1
                if caps[path] != t.expected[path]:
                    result.wrong_controls.append(f"{t.label}: {path} is {sorted(caps[path])}")
            result.cells += len(foreign)  # implied by the union token below
        not_exact = [p for p in sorted(union) if not exact_grants_only(client, p)]
        assert not_exact == [], f"policies with globs or deny: {not_exact}"
        token = client.auth.token.create(policies=sorted(union), ttl="15m", renewable=False)
        caps = capabilities(client, token["auth"]["client_token"], foreign)
        result.leaks += [
            f"a token of {a} holding {len(union)} policies: {path} grants {sorted(c)}"
            for path, c in caps.items()
            if c != {"deny"}
        ]
        result.union_checks += len(foreign)
    return result


def test_example_catalog_vault_isolation(vault_world: VaultWorld) -> None:
    start = time.perf_counter()
    envs = ["dev", "staging", "prod"]
    r = isolation(vault_world.server.client(), vault_world.applied, vault_world.example, envs)
    print(
        f"\nVault isolation, catalog.yaml: {r.tokens} tokens x other environments' paths = "
        f"{r.cells} cells all deny; {r.controls} own-path controls; "
        f"{time.perf_counter() - start:.1f} s"
    )
    assert r.leaks == []
    assert r.wrong_controls == []
    assert r.tokens >= 20 and r.cells >= 3_000 and r.controls >= 1_500
    # Some controls grant: the matrix is not a server that denies everything.
    assert (
        sum(
            len(granted(vault_world.example, e, "service", s))
            for e in envs
            for s in vault_world.example.services
        )
        >= 20
    )


def test_generated_catalog_vault_isolation(generated_vault: GeneratedVault) -> None:
    start = time.perf_counter()
    g = generated_vault
    client = g.server.client()
    r = union_isolation(client, g.applied, g.catalog, list(g.catalog.environments))
    print(
        f"\nVault isolation, {len(g.catalog.secrets)}-secret catalog: {r.tokens} tokens x "
        f"other environments' paths = {r.cells} cells all deny (by {r.union_checks} checks "
        f"of union tokens); {r.controls} own grants checked token by token; applied in "
        f"{g.seconds:.1f} s, checked in {time.perf_counter() - start:.1f} s"
    )
    assert r.leaks == []
    assert r.wrong_controls == []
    assert r.tokens >= 400 and r.cells >= 1_000_000 and r.controls >= 1_500
    # The AWS and Kubernetes roles of a service carry the same policies (one token each).
    assert sum(1 for (b, _) in g.applied.auth_roles if b.startswith("kubernetes-")) >= 400


def test_the_union_argument_rejects_globs_and_denies(vault_world: VaultWorld) -> None:
    """The precondition of union_isolation is checked, not assumed."""
    client = vault_world.server.client()
    assert exact_grants_only(client, "seccat-prod-service-auth-service")
    client.sys.create_or_update_acl_policy(
        "iso-glob", 'path "kv-prod/data/*" {\n  capabilities = ["read"]\n}\n'
    )
    client.sys.create_or_update_acl_policy(
        "iso-deny", 'path "kv-prod/data/x" {\n  capabilities = ["deny"]\n}\n'
    )
    assert not exact_grants_only(client, "iso-glob")
    assert not exact_grants_only(client, "iso-deny")


def test_a_leak_is_found_through_the_union_token(vault_world: VaultWorld) -> None:
    """Negative control for union_isolation: one dev policy naming a prod path."""
    client = vault_world.server.client()
    name = "seccat-dev-team-identity-writer"
    original = vault_world.applied.policies[name]
    client.sys.create_or_update_acl_policy(
        name,
        original
        + 'path "kv-prod/data/identity/jwt-signing-key" {\n  capabilities = ["update"]\n}\n',
    )
    try:
        r = union_isolation(client, vault_world.applied, vault_world.example, ["dev", "prod"])
    finally:
        client.sys.create_or_update_acl_policy(name, original)
    assert [leak.split(": ", 1)[1] for leak in r.leaks or []] == [
        "kv-prod/data/identity/jwt-signing-key grants ['update']"
    ]


def test_a_policy_naming_another_environments_path_is_found(vault_world: VaultWorld) -> None:
    """Negative control: a dev policy that also names a prod path is reported."""
    client = vault_world.server.client()
    catalog = vault_world.example
    name = "seccat-dev-service-auth-service"
    original = vault_world.applied.policies[name]
    broken = (
        original
        + '\npath "kv-prod/data/identity/jwt-signing-key" {\n  capabilities = ["read"]\n}\n'
    )
    client.sys.create_or_update_acl_policy(name, broken)
    try:
        r = isolation(client, vault_world.applied, catalog, ["dev", "prod"])
    finally:
        client.sys.create_or_update_acl_policy(name, original)
    leaked = {leak.split(":", 1)[1].strip() for leak in r.leaks or []}
    assert leaked == {"kv-prod/data/identity/jwt-signing-key grants ['read']"}
    assert {leak.split(":")[0] for leak in r.leaks or []} == {
        "service auth-service@dev via aws-dev, kubernetes-dev"
    }
