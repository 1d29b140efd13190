"""Conformance harness: apply the pulumi-vault resources the offline engine recorded to a real
OpenBao, one Vault API call per resource, as the Terraform provider behind pulumi-vault would.

It maps exactly the resource types seccat's components create and fails loudly on any other
``vault:`` type, so a new resource type cannot slip past the real-server tests unmapped. AWS
resources are ignored by an explicit provider allow-list.

The only departures from the recorded inputs, each forced by the test environment:

* secrets: the preview shows ``[secret]``, so inputs are captured unredacted while the engine
  runs (``record``); the database admin password stand-in is replaced by the test cluster's
  real one, which the harness is given (``DatabaseTarget``), unless the stack config given
  to ``record`` supplied the real one, as a stack does (``AS_RECORDED``);
* the database connection URL points at the test cluster (host, port) without TLS (the
  throwaway cluster has no certificate); the rest of the URL is used as recorded. With
  ``AS_RECORDED`` the catalog itself names the test clusters, and only the TLS mode changes;
* the file audit device writes into the test's scratch directory, not /var/log;
* each Kubernetes auth backend is pointed at the test's TokenReview endpoint
  (``configure_kubernetes``): seccat leaves ``kubernetes_host`` to the operator;
* OpenBao 2.x ships no AWS auth method, so AWS auth backends, their client configuration
  (``iam_server_id_header_value``, the regional STS endpoint, no static credentials) and roles
  are *checked* (shape, binding, policies exist, TTL ceilings) instead of applied, and the
  check is reported; every matrix token is minted with exactly the ``token_policies`` of the
  recorded auth role.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import hvac
import hvac.exceptions
from pulumi.runtime import rpc

import seccat.components.vault.config as vault_config
import seccat.engine.preview as engine
from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview, run_preview
from seccat.engine.recording import SECRET_PLACEHOLDER
from seccat.engine.recording import normalise as _normalise

#: What a KV v2 mount answers while it upgrades itself after being mounted.
_KV_UPGRADING = "Upgrading from non-versioned to versioned data"
_KV_UPGRADE_TIMEOUT = 30.0

#: Providers the harness deliberately does not apply (their resources are AWS-side).
IGNORED_PROVIDERS = frozenset({"aws", "pulumi"})


class UnmappedResource(AssertionError):
    """A vault resource type the harness has no mapping for: extend the harness first."""


@dataclass(frozen=True)
class DatabaseTarget:
    """Where the real test cluster is, and the password of the admin Vault logs in as.

    ``None`` keeps what the program recorded: the host and port of the catalog, the
    password of the stack config."""

    host: str | None
    port: int | None
    admin_password: str | None = field(repr=False)
    sslmode: str = "disable"


#: Every connection goes where the catalog says, with the password its stack config holds.
AS_RECORDED = DatabaseTarget(None, None, None)


@dataclass
class Recorded:
    """A preview plus the unredacted inputs of each resource (only the harness sees them)."""

    preview: Preview
    raw: dict[tuple[str, str], dict[str, Any]]

    def inputs(self, type_token: str, name: str) -> dict[str, Any]:
        return self.raw[(type_token, name)]


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _unwrap(value.get("value"))
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


@contextlib.contextmanager
def _capturing(
    stack_config: dict[str, str],
) -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    raw: dict[tuple[str, str], dict[str, Any]] = {}
    original = engine._CatalogMocks.answer
    original_config = vault_config.offline_config

    def answer(self: Any, args: Any, *rest: Any) -> Any:
        raw[(args.typ, args.name)] = _normalise(_unwrap(args.inputs))
        return original(self, args, *rest)

    def offline_config(catalog: Catalog, stack: str) -> tuple[dict[str, str], list[str]]:
        config, secret_keys = original_config(catalog, stack)
        return {**config, **stack_config}, secret_keys

    engine._CatalogMocks.answer = answer  # type: ignore[method-assign]
    vault_config.offline_config = offline_config
    try:
        yield raw
    finally:
        engine._CatalogMocks.answer = original  # type: ignore[method-assign]
        vault_config.offline_config = original_config


def record(
    catalog: Catalog,
    stack: str,
    catalog_path: str | Path,
    stack_config: dict[str, str] | None = None,
) -> Recorded:
    """Run seccat's real program offline and keep what it registered. ``stack_config`` plays
    the part of the stack's Pulumi.<stack>.yaml (plain, non-secret keys)."""
    with _capturing(stack_config or {}) as raw:
        preview = run_preview(catalog, stack, catalog_path)
    return Recorded(preview, raw)


@dataclass
class Applied:
    """What the harness did on the server, for the tests to reason about."""

    policies: dict[str, str] = field(default_factory=dict)
    #: (auth backend path, role) -> token policies, for AWS and Kubernetes roles alike.
    auth_roles: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    aws_roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: AWS auth backend path -> the recorded AuthBackendClient inputs.
    aws_clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    k8s_roles: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    k8s_backends: list[str] = field(default_factory=list)
    checked_only: list[str] = field(default_factory=list)
    kv_metadata_paths: list[str] = field(default_factory=list)
    db_connections: list[str] = field(default_factory=list)
    db_roles: dict[str, str] = field(default_factory=dict)


class VaultHarness:
    def __init__(self, client: hvac.Client, database: DatabaseTarget, scratch: Path) -> None:
        self.client = client
        self.database = database
        self.scratch = scratch
        self.applied = Applied()
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {
            "vault:index/audit:Audit": self._audit,
            "vault:index/mount:Mount": self._mount,
            "vault:kv/secretBackendV2:SecretBackendV2": self._kv_config,
            "vault:generic/endpoint:Endpoint": self._endpoint,
            "vault:database/secretBackendConnection:SecretBackendConnection": self._connection,
            "vault:database/secretBackendStaticRole:SecretBackendStaticRole": self._static_role,
            "vault:database/secretBackendRole:SecretBackendRole": self._dynamic_role,
            "vault:index/policy:Policy": self._policy,
            "vault:index/authBackend:AuthBackend": self._auth_backend,
            "vault:aws/authBackendClient:AuthBackendClient": self._aws_client,
            "vault:aws/authBackendRole:AuthBackendRole": self._aws_role,
            "vault:kubernetes/authBackendRole:AuthBackendRole": self._k8s_role,
        }
        self._aws_backends: set[str] = set()

    # -- driver -------------------------------------------------------------------------

    def apply(self, recorded: Recorded) -> Applied:
        """Apply in dependency order: engines and policies before what refers to them."""
        ordered = sorted(
            (r for r in recorded.preview.resources if r.custom),
            key=lambda r: _ORDER.get(r.type, len(_ORDER)),
        )
        for resource in ordered:
            provider = resource.type.split(":", 1)[0]
            if provider in IGNORED_PROVIDERS:
                continue
            if provider != "vault":
                raise UnmappedResource(f"no mapping for provider of {resource.type}")
            handler = self.handlers.get(resource.type)
            if handler is None:
                raise UnmappedResource(
                    f"no Vault mapping for {resource.type} ({resource.name}): the harness "
                    "must learn every resource type the components create"
                )
            handler(recorded.inputs(resource.type, resource.name))
        return self.applied

    def _write(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.adapter.post(f"/v1/{path}", json=body)

    # -- mappings -----------------------------------------------------------------------

    def _audit(self, i: dict[str, Any]) -> None:
        options = dict(i.get("options") or {})
        if i["type"] == "file":
            options["file_path"] = str(self.scratch / f"audit-{i['path']}.log")
        self._write(
            f"sys/audit/{i['path']}",
            {
                "type": i["type"],
                "description": i.get("description", ""),
                "options": options,
                "local": bool(i.get("local", False)),
            },
        )

    def _mount(self, i: dict[str, Any]) -> None:
        config = {
            k: int(i[src])
            for k, src in (
                ("default_lease_ttl", "defaultLeaseTtlSeconds"),
                ("max_lease_ttl", "maxLeaseTtlSeconds"),
            )
            if i.get(src) is not None
        }
        self._write(
            f"sys/mounts/{i['path']}",
            {
                "type": i["type"],
                "description": i.get("description", ""),
                "options": i.get("options") or {},
                "config": config,
            },
        )

    def _kv_config(self, i: dict[str, Any]) -> None:
        body = {
            "max_versions": int(i["maxVersions"]),
            "cas_required": bool(i.get("casRequired", False)),
            "delete_version_after": f"{int(i.get('deleteVersionAfter') or 0)}s",
        }
        # A fresh KV v2 mount upgrades itself in the background and refuses requests until
        # it is done (longer on a loaded machine); the provider retries, and so do we.
        deadline = time.monotonic() + _KV_UPGRADE_TIMEOUT
        while True:
            try:
                self._write(f"{i['mount']}/config", body)
                return
            except hvac.exceptions.InvalidRequest as exc:
                if _KV_UPGRADING not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _endpoint(self, i: dict[str, Any]) -> None:
        data = json.loads(i["dataJson"])
        self._write(i["path"], data)
        if not i.get("disableRead"):
            # Drift detection: what Vault reads back must equal what was written.
            back = self.client.read(i["path"])["data"]
            drift = {k: (v, back.get(k)) for k, v in data.items() if back.get(k) != v}
            assert not drift, f"{i['path']} reads back differently: {drift}"
        self.applied.kv_metadata_paths.append(i["path"])

    def _connection(self, i: dict[str, Any]) -> None:
        pg = i["postgresql"]
        assert pg["passwordWo"] not in (SECRET_PLACEHOLDER, vault_config.OFFLINE_PASSWORD) or (
            self.database.admin_password is not None
        ), "AS_RECORDED needs the admin password in the stack config given to record()"
        assert pg["passwordWo"] != SECRET_PLACEHOLDER
        self._write(
            f"{i['backend']}/config/{i['name']}",
            {
                "plugin_name": i["pluginName"],
                "allowed_roles": i["allowedRoles"],
                "verify_connection": bool(i["verifyConnection"]),
                "connection_url": self._test_cluster_url(pg["connectionUrl"]),
                "username": pg["username"],
                "password": self.database.admin_password or pg["passwordWo"],
                "password_authentication": pg.get("passwordAuthentication", "password"),
                "max_open_connections": int(pg.get("maxOpenConnections", 4)),
            },
        )
        self.applied.db_connections.append(f"{i['backend']}/config/{i['name']}")

    def _test_cluster_url(self, url: str) -> str:
        parts = urlsplit(url)
        userinfo = parts.netloc.rsplit("@", 1)[0]
        assert userinfo == "{{username}}:{{password}}", "credentials must be Vault templates"
        query = dict(parse_qsl(parts.query))
        query["sslmode"] = self.database.sslmode
        host = self.database.host or parts.hostname
        port = self.database.port or parts.port
        netloc = f"{userinfo}@{host}:{port}"
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="{}"), ""))

    def _static_role(self, i: dict[str, Any]) -> None:
        body: dict[str, Any] = {
            "db_name": i["dbName"],
            "username": i["username"],
            "rotation_statements": i.get("rotationStatements") or [],
        }
        if i.get("rotationPeriod") is not None:
            body["rotation_period"] = int(i["rotationPeriod"])
        if i.get("rotationSchedule"):
            body["rotation_schedule"] = i["rotationSchedule"]
            if i.get("rotationWindow") is not None:
                body["rotation_window"] = int(i["rotationWindow"])
        self._write(f"{i['backend']}/static-roles/{i['name']}", body)
        self.applied.db_roles[f"{i['backend']}/static-roles/{i['name']}"] = i["username"]

    def _dynamic_role(self, i: dict[str, Any]) -> None:
        self._write(
            f"{i['backend']}/roles/{i['name']}",
            {
                "db_name": i["dbName"],
                "creation_statements": i["creationStatements"],
                "revocation_statements": i.get("revocationStatements") or [],
                "default_ttl": int(i["defaultTtl"]),
                "max_ttl": int(i["maxTtl"]),
            },
        )
        self.applied.db_roles[f"{i['backend']}/roles/{i['name']}"] = i["name"]

    def _policy(self, i: dict[str, Any]) -> None:
        self.client.sys.create_or_update_policy(i["name"], i["policy"])
        self.applied.policies[i["name"]] = i["policy"]

    def _auth_backend(self, i: dict[str, Any]) -> None:
        if i["type"] == "aws" and not self._server_has_auth_plugin("aws"):
            self._aws_backends.add(i["path"])
            self.applied.checked_only.append(f"auth backend {i['path']} (aws)")
            return
        tune = i.get("tune") or {}
        config = {
            k: tune[src]
            for k, src in (
                ("default_lease_ttl", "defaultLeaseTtl"),
                ("max_lease_ttl", "maxLeaseTtl"),
                ("token_type", "tokenType"),
            )
            if tune.get(src) is not None
        }
        self._write(
            f"sys/auth/{i['path']}",
            {"type": i["type"], "description": i.get("description", ""), "config": config},
        )
        if i["type"] == "kubernetes":
            self.applied.k8s_backends.append(i["path"])

    def _server_has_auth_plugin(self, name: str) -> bool:
        plugins = self.client.adapter.get("/v1/sys/plugins/catalog")["data"]
        return name in (plugins.get("auth") or [])

    def _aws_client(self, i: dict[str, Any]) -> None:
        backend = i["backend"]
        # The server-id header every login must sign, Vault's STS calls to the regional
        # endpoint the logins are signed for, and never a static credential in Pulumi state.
        header = i["iamServerIdHeaderValue"]
        assert isinstance(header, str) and header and header.strip() == header
        assert i["stsEndpoint"] == f"https://sts.{i['stsRegion']}.amazonaws.com"
        for static in ("accessKey", "secretKey", "secretKeyWo"):
            assert static not in i, f"{backend}: static AWS credentials in {static}"
        self.applied.aws_clients[backend] = i
        if backend in self._aws_backends:
            self.applied.checked_only.append(f"auth backend client {backend}")
        else:  # a server with the AWS auth method (HashiCorp Vault) gets the real config
            self._write(
                f"auth/{backend}/config/client",
                {
                    "iam_server_id_header_value": header,
                    "sts_endpoint": i["stsEndpoint"],
                    "sts_region": i["stsRegion"],
                },
            )

    def _aws_role(self, i: dict[str, Any]) -> None:
        backend, role = i["backend"], i["role"]
        # Check what cannot be applied: an IAM-bound role, existing policies, TTL ceilings.
        assert i["authType"] == "iam"
        arns = i["boundIamPrincipalArns"]
        assert len(arns) == 1 and arns[0].startswith("arn:aws:iam::") and ":role/" in arns[0]
        assert "*" not in arns[0]
        assert i["resolveAwsUniqueIds"] is True
        missing = [p for p in i["tokenPolicies"] if p not in self.applied.policies]
        assert not missing, f"auth role {backend}/{role} names unknown policies {missing}"
        assert 0 < i["tokenTtl"] <= 3600 and i["tokenTtl"] <= i["tokenMaxTtl"] <= 86400
        if backend in self._aws_backends:
            self.applied.checked_only.append(f"auth role {backend}/{role}")
        else:  # a server with the AWS auth method (HashiCorp Vault) gets the real role
            self._write(
                f"auth/{backend}/role/{role}",
                {
                    "auth_type": "iam",
                    "bound_iam_principal_arn": arns,
                    "resolve_aws_unique_ids": True,
                    "token_policies": i["tokenPolicies"],
                    "token_ttl": int(i["tokenTtl"]),
                    "token_max_ttl": int(i["tokenMaxTtl"]),
                    "token_type": i.get("tokenType", "default"),
                },
            )
        self.applied.auth_roles[(backend, role)] = list(i["tokenPolicies"])
        self.applied.aws_roles[(backend, role)] = i

    def _k8s_role(self, i: dict[str, Any]) -> None:
        self._write(
            f"auth/{i['backend']}/role/{i['roleName']}",
            {
                "bound_service_account_names": i["boundServiceAccountNames"],
                "bound_service_account_namespaces": i["boundServiceAccountNamespaces"],
                "audience": i["audience"],
                "token_policies": i["tokenPolicies"],
                "token_ttl": int(i["tokenTtl"]),
                "token_max_ttl": int(i["tokenMaxTtl"]),
                "token_type": i.get("tokenType", "default"),
            },
        )
        self.applied.auth_roles[(i["backend"], i["roleName"])] = list(i["tokenPolicies"])
        self.applied.k8s_roles[(i["backend"], i["roleName"])] = i

    # -- tokens -------------------------------------------------------------------------

    def configure_kubernetes(self, host: str, ca_pem: str) -> None:
        """Point every Kubernetes auth backend at the test cluster's API (operator config)."""
        for backend in self.applied.k8s_backends:
            self._write(
                f"auth/{backend}/config",
                {
                    "kubernetes_host": host,
                    "kubernetes_ca_cert": ca_pem,
                    "disable_local_ca_jwt": True,
                    "token_reviewer_jwt": "test-reviewer",
                },
            )

    def login_kubernetes(self, backend: str, role: str, jwt: str) -> dict[str, Any]:
        """A real login through the Kubernetes auth role; returns Vault's ``auth`` block."""
        anonymous = hvac.Client(url=self.client.url, timeout=10)
        response = anonymous.adapter.post(
            f"/v1/auth/{backend}/login", json={"role": role, "jwt": jwt}
        )
        return response["auth"]

    def token_for(self, backend: str, role: str, ttl: str = "10m") -> str:
        """A token with exactly the policies the recorded auth role grants at login."""
        policies = self.applied.auth_roles[(backend, role)]
        response = self.client.auth.token.create(
            policies=policies, no_default_policy=False, ttl=ttl, renewable=False
        )
        return response["auth"]["client_token"]


#: Apply order: the audit device, then engines, their config, policies, auth, roles.
_ORDER = {
    t: n
    for n, t in enumerate(
        [
            "vault:index/audit:Audit",
            "vault:index/mount:Mount",
            "vault:kv/secretBackendV2:SecretBackendV2",
            "vault:generic/endpoint:Endpoint",
            "vault:database/secretBackendConnection:SecretBackendConnection",
            "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
            "vault:database/secretBackendRole:SecretBackendRole",
            "vault:index/policy:Policy",
            "vault:index/authBackend:AuthBackend",
            "vault:aws/authBackendClient:AuthBackendClient",
            "vault:aws/authBackendRole:AuthBackendRole",
            "vault:kubernetes/authBackendRole:AuthBackendRole",
        ]
    )
}
