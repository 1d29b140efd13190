"""The generated Vault configuration, applied to a real OpenBao and a real PostgreSQL.

The expected grants below are derived from the catalog *here*, independently of
seccat.documents.vault_policy, so a bug in the generator cannot also hide in the oracle.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

import hvac
import hvac.exceptions
import psycopg
import pytest
from vault_kv.rotator import CasConflict, rollback, rotate, target_from, write_version

from seccat.catalog.model import Catalog

if TYPE_CHECKING:
    from vault.conftest import VaultWorld

ROTATED_TYPES = {"api-key", "password"}


# --- the oracle ------------------------------------------------------------------------


def _envs(world: VaultWorld) -> list[tuple[str, Catalog]]:
    return [(e, world.example) for e in ("dev", "staging", "prod")] + [("ci", world.rotation)]


def _kv(catalog: Catalog, env: str) -> str:
    return catalog.environments[env].vault.kv_mount


def _db(catalog: Catalog, env: str) -> str:
    return catalog.environments[env].vault.database_mount


def _role(secret_id: str) -> str:
    return secret_id.replace("/", ".")


def expected_service(catalog: Catalog, env: str, service: str) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for s in catalog.secrets_in(env):
        if not any(c.service == service for c in s.consumers_in(env)):
            continue
        if s.store == "vault-kv":
            grants[f"{_kv(catalog, env)}/data/{s.id}"] = {"read"}
            grants[f"{_kv(catalog, env)}/metadata/{s.id}"] = {"read"}
        elif s.store == "vault-database":
            assert s.rotation is not None
            kind = "static-creds" if s.rotation.strategy == "static" else "creds"
            grants[f"{_db(catalog, env)}/{kind}/{_role(s.id)}"] = {"read"}
    return grants


def expected_writer(
    catalog: Catalog, env: str, team: str, rotated_only: bool
) -> dict[str, set[str]]:
    grants: dict[str, set[str]] = {}
    for s in catalog.secrets_in(env):
        if s.store != "vault-kv" or s.owner != team or s.lifecycle == "retired":
            continue
        if rotated_only and (s.type not in ROTATED_TYPES or s.rotation is None):
            continue
        grants[f"{_kv(catalog, env)}/data/{s.id}"] = {"create", "update"}
        grants[f"{_kv(catalog, env)}/metadata/{s.id}"] = {"read"}
    return grants


def probe_paths(world: VaultWorld) -> list[str]:
    """Every secret's paths in every environment, their neighbours, parents and admin paths."""
    paths: set[str] = set()
    secrets = {**world.example.secrets, **world.rotation.secrets}
    databases = {**world.example.databases, **world.rotation.databases}
    for env, catalog in _envs(world):
        kv, db = _kv(catalog, env), _db(catalog, env)
        paths |= {f"{kv}/config", f"{kv}/metadata/", f"{kv}/data/", f"{db}/config/", f"{db}/roles/"}
        paths |= {f"sys/policies/acl/seccat-{env}-service-x", "sys/audit", "sys/mounts/" + kv}
        paths |= {f"{db}/config/{d}" for d in databases} | {
            f"{db}/rotate-root/{d}" for d in databases
        }
        for sid in secrets:
            team = sid.split("/")[0]
            for op in ("data", "metadata", "delete", "destroy", "undelete", "subkeys"):
                paths.add(f"{kv}/{op}/{sid}")
            paths |= {f"{kv}/data/{sid}-x", f"{kv}/data/{sid}/x", f"{kv}/metadata/{team}/"}
            paths |= {f"{kv}/data/{team}", f"{kv}/metadata/{sid}-x"}
            role = _role(sid)
            for op in ("creds", "static-creds", "roles", "static-roles", "rotate-role"):
                paths.add(f"{db}/{op}/{role}")
            paths |= {f"{db}/creds/{role}x", f"{db}/static-creds/{role}x"}
    paths |= {"auth/token/create", "sys/policies/acl/", "sys/capabilities", "kv/data/x"}
    return sorted(paths)


def capabilities(client: hvac.Client, token: str, paths: list[str]) -> dict[str, set[str]]:
    """sys/capabilities in chunks (the server caps the strings in one JSON body)."""
    out: dict[str, set[str]] = {}
    for start in range(0, len(paths), 200):
        chunk = paths[start : start + 200]
        body = {"token": token, "paths": chunk}
        data = client.adapter.post("/v1/sys/capabilities", json=body)["data"]
        out.update({p: set(data[p]) for p in chunk})
    return out


# --- 1. least-privilege matrix -----------------------------------------------------------


def _principals(world: VaultWorld) -> Iterable[tuple[str, str, dict[str, set[str]]]]:
    """(label, token, expected grants) for every service, writer and rotator, every env."""
    h = world.harness
    for env, catalog in _envs(world):
        for service in sorted(catalog.services):
            expected = expected_service(catalog, env, service)
            roles = [
                k for k in world.applied.auth_roles if k[1] == service and k[0].endswith(f"-{env}")
            ]
            if not expected:
                assert not roles, f"{service} reads nothing from Vault in {env} but can log in"
                continue
            assert roles, f"{service} reads Vault secrets in {env} but has no auth role"
            policies = {tuple(world.applied.auth_roles[r]) for r in roles}
            assert policies == {(f"seccat-{env}-service-{service}",)}, (service, env, policies)
            k8s = catalog.service_in(service, env).kubernetes
            if k8s is not None:
                # A real login through the service's Kubernetes auth role.
                audience = catalog.environments[env].vault.kubernetes_audience
                jwt = world.kubernetes.service_account_token(
                    k8s.namespace, k8s.service_account, (audience,)
                )
                token = h.login_kubernetes(f"kubernetes-{env}", service, jwt)["client_token"]
                yield f"service {service}@{env} (kubernetes login)", token, expected
            else:
                yield f"service {service}@{env}", h.token_for(*roles[0]), expected
        for team in sorted(catalog.teams):
            expected = expected_writer(catalog, env, team, rotated_only=False)
            name = f"seccat-{env}-team-{team}-writer"
            assert (name in world.applied.policies) == bool(expected), name
            if expected:
                token = world.server.client().auth.token.create(policies=[name], ttl="10m")
                yield f"writer {team}@{env}", token["auth"]["client_token"], expected
            rotated = expected_writer(catalog, env, team, rotated_only=True)
            key = (f"aws-{env}", f"kv-rotator-{team}")
            assert (key in world.applied.auth_roles) == bool(rotated), key
            if rotated:
                yield f"kv-rotator {team}@{env}", h.token_for(*key), rotated


def test_least_privilege_matrix(vault_world: VaultWorld) -> None:
    client = vault_world.server.client()
    paths = probe_paths(vault_world)
    unexpected: list[str] = []
    missing: list[str] = []
    cells = 0
    principals = list(_principals(vault_world))
    for label, token, expected in principals:
        actual = capabilities(client, token, sorted(set(paths) | set(expected)))
        for path, caps in actual.items():
            cells += 1
            want = expected.get(path, {"deny"})
            if caps - want:
                unexpected.append(f"{label}: {path} grants {sorted(caps - want)}")
            if want - caps:
                missing.append(f"{label}: {path} lacks {sorted(want - caps)}")
    print(f"\nleast-privilege matrix: {len(principals)} principals x {len(paths)} paths = {cells}")
    assert len(principals) >= 20
    assert cells >= 10_000
    assert unexpected == [], "\n".join(unexpected)
    assert missing == [], "\n".join(missing)


def test_service_policies_are_bound_identically_in_aws_and_kubernetes(
    vault_world: VaultWorld,
) -> None:
    roles = vault_world.applied.auth_roles
    k8s = {
        (b.rsplit("-", 1)[1], r): p for (b, r), p in roles.items() if b.startswith("kubernetes-")
    }
    aws = {(b.rsplit("-", 1)[1], r): p for (b, r), p in roles.items() if b.startswith("aws-")}
    shared = set(k8s) & set(aws)
    assert ("prod", "auth-service") in shared
    for key in shared:
        assert k8s[key] == aws[key]
    assert ("prod", "user-directory") in k8s and ("prod", "user-directory") not in aws


def test_kubernetes_logins_bind_exactly_the_namespace_and_service_account(
    vault_world: VaultWorld,
) -> None:
    h, api = vault_world.harness, vault_world.kubernetes
    roles = vault_world.applied.k8s_roles
    assert len(roles) >= 10  # auth-service, reporting-api, user-directory x 3 envs, orders-api
    for (backend, role), inputs in roles.items():
        (namespace,) = inputs["boundServiceAccountNamespaces"]
        (account,) = inputs["boundServiceAccountNames"]
        aud = (inputs["audience"],)
        auth = h.login_kubernetes(backend, role, api.service_account_token(namespace, account, aud))
        assert sorted(auth["policies"]) == sorted(["default", *inputs["tokenPolicies"]])
        assert auth["lease_duration"] == inputs["tokenTtl"] <= 3600
        for wrong in (
            api.service_account_token(f"{namespace}-other", account, aud),
            api.service_account_token(namespace, f"{account}-other", aud),
        ):
            with pytest.raises(hvac.exceptions.Forbidden, match="not authorized"):
                h.login_kubernetes(backend, role, wrong)
        forged = api.service_account_token(namespace, account, aud)
        api.identities.pop(forged)  # the cluster never issued it
        with pytest.raises(hvac.exceptions.VaultError):
            h.login_kubernetes(backend, role, forged)


def test_kubernetes_logins_need_a_token_minted_for_this_environments_vault(
    vault_world: VaultWorld,
) -> None:
    """Each role binds its environment's audience (vault-<env> by default): the right
    service account with a token for the cluster's API server, another service or another
    environment's Vault is refused; the same account with the right audience gets in."""
    h, api = vault_world.harness, vault_world.kubernetes
    roles = vault_world.applied.k8s_roles
    envs = {backend.removeprefix("kubernetes-") for backend, _ in roles}
    assert {"dev", "staging", "prod"} <= envs
    for (backend, role), inputs in roles.items():
        env = backend.removeprefix("kubernetes-")
        catalog = vault_world.rotation if env == "ci" else vault_world.example
        assert inputs["audience"] == catalog.environments[env].vault.kubernetes_audience
        assert inputs["audience"] == f"vault-{env}"
        (namespace,) = inputs["boundServiceAccountNamespaces"]
        (account,) = inputs["boundServiceAccountNames"]
        for audiences in ((), ("vault-elsewhere",), tuple(f"vault-{e}" for e in envs - {env})):
            token = api.service_account_token(namespace, account, audiences)
            with pytest.raises(hvac.exceptions.VaultError) as refused:
                h.login_kubernetes(backend, role, token)
            assert "aud" in str(refused.value), str(refused.value)
        # Control: the very same account, minted for this environment's Vault (among others).
        token = api.service_account_token(namespace, account, ("other", f"vault-{env}"))
        auth = h.login_kubernetes(backend, role, token)
        assert sorted(auth["policies"]) == sorted(["default", *inputs["tokenPolicies"]])


def test_an_audience_free_role_would_accept_any_token(vault_world: VaultWorld) -> None:
    """Negative control (issue 8: roles bound no audience): the same role written without
    ``audience`` lets an API-server token of the right account in."""
    h, api = vault_world.harness, vault_world.kubernetes
    (backend, role), inputs = next(iter(sorted(vault_world.applied.k8s_roles.items())))
    (namespace,) = inputs["boundServiceAccountNamespaces"]
    (account,) = inputs["boundServiceAccountNames"]
    h._write(
        f"auth/{backend}/role/{role}-no-audience",
        {
            "bound_service_account_names": [account],
            "bound_service_account_namespaces": [namespace],
            "token_policies": inputs["tokenPolicies"],
            "token_ttl": 60,
        },
    )
    try:
        token = api.service_account_token(namespace, account)  # for the API server only
        assert h.login_kubernetes(backend, f"{role}-no-audience", token)["client_token"]
        with pytest.raises(hvac.exceptions.VaultError):
            h.login_kubernetes(backend, role, token)
    finally:
        h.client.adapter.delete(f"/v1/auth/{backend}/role/{role}-no-audience")


def test_aws_auth_mounts_require_the_environments_server_id_header(
    vault_world: VaultWorld,
) -> None:
    """Checked, not applied (OpenBao has no AWS auth method): each environment's AWS mount is
    configured with its own header value and regional STS endpoint, and the KV rotator
    signs the same value."""
    clients = vault_world.applied.aws_clients
    assert set(clients) == {"aws-dev", "aws-staging", "aws-prod", "aws-ci"}
    for backend, inputs in clients.items():
        env = backend.removeprefix("aws-")
        catalog = vault_world.rotation if env == "ci" else vault_world.example
        settings = catalog.environments[env]
        assert inputs["iamServerIdHeaderValue"] == settings.vault.aws_auth_header
        assert inputs["iamServerIdHeaderValue"] == f"seccat-{env}"
        assert settings.aws is not None
        assert inputs["stsRegion"] == settings.aws.region
        assert f"auth backend client {backend}" in vault_world.applied.checked_only
    assert len({i["iamServerIdHeaderValue"] for i in clients.values()}) == len(clients)


# --- 2. every generated policy is accepted ----------------------------------------------


def test_every_generated_policy_is_accepted_verbatim(vault_world: VaultWorld) -> None:
    client = vault_world.server.client()
    recorded = [
        r
        for rec in vault_world.recorded.values()
        for r in rec.preview.of_type("vault:index/policy:Policy")
    ]
    assert len(recorded) == len(vault_world.applied.policies) >= 28
    for r in recorded:
        stored = client.sys.read_acl_policy(r.inputs["name"])["data"]["policy"]
        assert stored == r.inputs["policy"]
    # The server does judge: a policy it cannot parse is refused, so acceptance means something.
    with pytest.raises(hvac.exceptions.InvalidRequest):
        client.sys.create_or_update_acl_policy("broken", 'path "x" { capabilities = ["read" }')


def test_kv_metadata_is_written_without_values(vault_world: VaultWorld) -> None:
    client = vault_world.server.client()
    meta = client.secrets.kv.v2.read_secret_metadata(
        path="identity/jwt-signing-key", mount_point="kv-prod"
    )["data"]
    assert meta["current_version"] == 0 and meta["versions"] == {}
    assert meta["max_versions"] == 10 and meta["cas_required"] is True
    assert meta["custom_metadata"]["owner"] == "identity"
    assert meta["custom_metadata"]["classification"] == "restricted"
    config = client.read("kv-prod/config")["data"]
    assert config["max_versions"] >= 10 and config["cas_required"] is True
    assert client.read("kv-dev/config")["data"]["cas_required"] is False


# --- 3. static role rotation ------------------------------------------------------------


def _login(world: VaultWorld, user: str, password: str, dbname: str = "shop") -> str:
    with world.postgres.connect(user=user, password=password, dbname=dbname) as conn:
        row = conn.execute("SELECT current_user").fetchone()
    assert row is not None
    return str(row[0])


def _refused(world: VaultWorld, user: str, password: str, dbname: str = "shop") -> bool:
    try:
        _login(world, user, password, dbname)
    except psycopg.OperationalError as exc:
        return "password authentication failed" in str(exc)
    return False


def test_static_role_password_really_rotates(vault_world: VaultWorld) -> None:
    h = vault_world.harness
    consumer = vault_world.server.client(h.token_for("aws-ci", "orders-api"))
    path = "database-ci/static-creds/shop.orders-login"
    first = consumer.read(path)["data"]
    assert first["username"] == "orders_app" and first["rotation_period"] == 5
    assert _login(vault_world, "orders_app", first["password"]) == "orders_app"
    deadline = time.monotonic() + 20
    second = first
    while second["password"] == first["password"]:
        assert time.monotonic() < deadline, "Vault did not rotate the static role within 20 s"
        time.sleep(0.5)
        second = consumer.read(path)["data"]
    assert _login(vault_world, "orders_app", second["password"]) == "orders_app"
    assert _refused(vault_world, "orders_app", first["password"])
    # Vault hashed the password before sending it (password_authentication=scram-sha-256).
    with vault_world.postgres.connect() as admin:
        row = admin.execute(
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'orders_app'"
        ).fetchone()
    assert row is not None and row[0].startswith("SCRAM-SHA-256$")


def test_scheduled_static_role_on_a_server_without_schedules(vault_world: VaultWorld) -> None:
    """OpenBao 2.x refuses rotation_schedule, so with seccat:vault-rotation-schedules=false
    the weekly cron(0 4 ? * 1 *) becomes a 7-day period; the login still works."""
    role = vault_world.server.client().read("database-ci/static-roles/shop.batch-login")["data"]
    assert role["rotation_period"] == 7 * 86400
    creds = vault_world.server.client(vault_world.harness.token_for("aws-ci", "report-job")).read(
        "database-ci/static-creds/shop.batch-login"
    )["data"]
    assert _login(vault_world, "batch_app", creds["password"]) == "batch_app"


# --- 4. dynamic credentials ---------------------------------------------------------------


def test_dynamic_credentials_log_in_until_revoked(vault_world: VaultWorld) -> None:
    h = vault_world.harness
    consumer = vault_world.server.client(h.token_for("aws-ci", "report-job"))
    lease = consumer.read("database-ci/creds/shop.reports-reader")
    user, password = lease["data"]["username"], lease["data"]["password"]
    # internal classification allows 4 h, the catalog's rotation.every caps it at 1 h.
    assert lease["lease_duration"] == 3600
    with vault_world.postgres.connect(user=user, password=password, dbname="shop") as conn:
        row = conn.execute("SELECT pg_has_role(current_user, 'shop_readers', 'MEMBER')").fetchone()
        assert row == (True,)
        vault_world.server.client().sys.revoke_lease(lease["lease_id"])
        with pytest.raises(psycopg.OperationalError):  # the live session was terminated
            conn.execute("SELECT 1")
    assert _refused(vault_world, user, password)
    with vault_world.postgres.connect() as admin:
        assert (
            admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone() is None
        )
    # The consumer may not mint credentials of any other role.
    with pytest.raises(hvac.exceptions.Forbidden):
        consumer.read("database-ci/static-creds/shop.orders-login")


# --- 5. KV rotator ----------------------------------------------------------------------------


def test_kv_rotator_writes_versions_with_cas_and_rolls_back(vault_world: VaultWorld) -> None:
    h = vault_world.harness
    schedule = next(
        r
        for r in vault_world.recorded["ci"].preview.of_type("aws:scheduler/schedule:Schedule")
        if "payment-api-key" in r.name
    )
    # The schedule's own input tells the rotator what to rotate and how.
    mount, path, spec = target_from(json.loads(schedule.inputs["target"]["input"]), {})
    assert (mount, path, spec.length, spec.exclude_punctuation) == (
        "kv-ci",
        "shop/payment-api-key",
        40,
        True,
    )
    rotator = vault_world.server.client(h.token_for("aws-ci", "kv-rotator-shop"))
    consumer = vault_world.server.client(h.token_for("aws-ci", "orders-api"))

    first = rotate(rotator, mount, path, spec)
    second = rotate(rotator, mount, path, spec)
    assert (first.version, second.version) == (first.replaced_version + 1, first.version + 1)
    v1 = consumer.secrets.kv.v2.read_secret_version(
        path=path, version=first.version, mount_point=mount
    )
    latest = consumer.secrets.kv.v2.read_secret_version(path=path, mount_point=mount)
    assert latest["data"]["metadata"]["version"] == second.version
    value1, value2 = v1["data"]["data"]["value"], latest["data"]["data"]["value"]
    assert value1 != value2 and len(value2) == 40 and value2.isalnum()

    # A writer that read version 1 before the rotation is refused: its CAS is stale.
    with pytest.raises(CasConflict):
        write_version(rotator, mount, path, {"value": "stale-writer"}, cas=first.version)
    # Without CAS at all, the key's cas_required refuses the write.
    with pytest.raises(hvac.exceptions.InvalidRequest, match="check-and-set"):
        rotator.secrets.kv.v2.create_or_update_secret(
            path=path, secret={"value": "x"}, mount_point=mount
        )
    # The rotator writes values but can never read one back.
    with pytest.raises(hvac.exceptions.Forbidden):
        rotator.secrets.kv.v2.read_secret_version(path=path, mount_point=mount)
    # The consumer reads but never writes.
    with pytest.raises(hvac.exceptions.Forbidden):
        write_version(consumer, mount, path, {"value": "x"}, cas=second.version)

    # The audit device saw every write, with values HMAC'd, never in the clear.
    audit_log = vault_world.server.scratch / "audit-file-ci.log"
    text = audit_log.read_text()
    assert path in text and "hmac-sha256:" in text
    assert value1 not in text and value2 not in text

    # Rollback (an operator action: it reads an old value) restores version 1's value.
    restored = rollback(vault_world.server.client(), mount, path)
    assert restored.version == second.version + 1
    now = consumer.secrets.kv.v2.read_secret_version(path=path, mount_point=mount)
    assert now["data"]["data"]["value"] == value1
