"""The Vault/OpenBao half of `seccat verify`: audit device, mounts and their tuning, KV
configuration and metadata, policies, auth methods and roles, database connection and roles.

Expected values are the preview's recorded inputs. Two inputs the preview shows only as
``[secret]`` (the provider marks the whole database ``postgresql`` block and every generic
endpoint's ``data_json`` secret) come from the same pure generators the components call:
``vault_layout.database_connection_url`` and ``vault_kv.kv_metadata``. The admin password
is never read or compared.

OpenBao 2.x ships no AWS auth method: where the server's plugin catalog has none, the AWS
auth mount, its client configuration and roles are reported as not checked (a note), never
silently passed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from seccat.documents import vault_layout as layout
from seccat.documents.vault_kv import kv_metadata
from seccat.engine.recording import RecordedResource
from seccat.operations.clients import VaultConnection
from seccat.operations.compare import hcl_diff, hcl_equal
from seccat.operations.errors import OperationError
from seccat.operations.targets import EnvironmentTargets
from seccat.operations.verify.recorder import Recorder

AUDIT = "vault:index/audit:Audit"
MOUNT = "vault:index/mount:Mount"
KV_CONFIG = "vault:kv/secretBackendV2:SecretBackendV2"
ENDPOINT = "vault:generic/endpoint:Endpoint"
CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"
STATIC_ROLE = "vault:database/secretBackendStaticRole:SecretBackendStaticRole"
DYNAMIC_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
POLICY = "vault:index/policy:Policy"
AUTH_BACKEND = "vault:index/authBackend:AuthBackend"
AWS_CLIENT = "vault:aws/authBackendClient:AuthBackendClient"
AWS_ROLE = "vault:aws/authBackendRole:AuthBackendRole"
K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"

_GO_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
#: KV custom metadata keys operations write (certificate notAfter, incidents): not drift.
OPERATIONAL_METADATA = frozenset({"seccat:not-after", "seccat:incident"})


def seconds(value: Any) -> int | None:
    """A TTL as Vault may show it (int seconds, "3600", "3600s", "1h0m0s") in seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _GO_DURATION.fullmatch(text)
    if match and any(match.groups()):
        h, m, s = (int(g or 0) for g in match.groups())
        return h * 3600 + m * 60 + s
    return None


def _int(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


class VaultVerifier:
    def __init__(self, targets: EnvironmentTargets, conn: VaultConnection, rec: Recorder) -> None:
        self.t = targets
        self.client = conn.client
        self.rec = rec
        self.env = targets.name
        self.role_secret = {
            layout.database_role_name(s.id): s.id
            for s in targets.catalog.secrets_in(self.env)
            if s.store == "vault-database"
        }
        self._aws_plugin: bool | None = None
        self.unchecked_backends: set[str] = set()

    # -- plumbing --------------------------------------------------------------------------

    def read(self, path: str) -> dict[str, Any] | None:
        """GET a path's ``data``; None when absent; OperationError when verify may not read."""
        import hvac.exceptions
        import requests

        try:
            response = self.client.adapter.get(f"/v1/{path}")
        except hvac.exceptions.InvalidPath:
            return None
        except hvac.exceptions.Forbidden:
            raise OperationError(
                f"{self.env}: Vault refused to read {path}: verify needs read on the paths "
                "listed in docs/operations.md#permissions"
            ) from None
        except hvac.exceptions.VaultError as exc:
            raise OperationError(f"{self.env}: Vault {path}: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise OperationError(f"{self.env}: Vault {path}: {type(exc).__name__}") from None
        if not isinstance(response, dict):
            return None
        data = response.get("data")
        return data if isinstance(data, dict) else response

    def env_path(self, *tail: str) -> tuple[str, ...]:
        return self.t.best_path(("environments", self.env, *tail), ("environments", self.env))

    def aws_plugin(self) -> bool:
        """Whether the server has an AWS auth method (OpenBao 2.x has none)."""
        if self._aws_plugin is None:
            plugin = self.read("sys/plugins/catalog/auth/aws")
            self._aws_plugin = plugin is not None
        return self._aws_plugin

    # -- the run -------------------------------------------------------------------------

    def run(self) -> None:
        handlers = {
            AUDIT: self.audit,
            MOUNT: self.mount,
            KV_CONFIG: self.kv_config,
            ENDPOINT: self.kv_meta,
            CONNECTION: self.connection,
            STATIC_ROLE: self.static_role,
            DYNAMIC_ROLE: self.dynamic_role,
            POLICY: self.policy,
            AUTH_BACKEND: self.auth_backend,
            AWS_CLIENT: self.aws_client,
            AWS_ROLE: self.aws_role,
            K8S_ROLE: self.k8s_role,
        }
        # auth backends first: their roles are skipped (with a note) when they cannot exist
        for type_token in (AUTH_BACKEND, *[t for t in handlers if t != AUTH_BACKEND]):
            for r in self.t.expected(type_token):
                handlers[type_token](r)
        self.extra_policies()

    # -- audit and mounts ------------------------------------------------------------------

    def audit(self, r: RecordedResource) -> None:
        i = r.inputs
        devices = self.read("sys/audit") or {}
        live = devices.get(f"{i['path']}/")
        path = self.env_path("vault", "audit")
        self.rec.compare()
        expected = {
            "type": i.get("type"),
            "options": {k: str(v) for k, v in (i.get("options") or {}).items()},
        }
        if not isinstance(live, dict):
            self.rec.finding(
                "vault.audit",
                str(i["path"]),
                path,
                f"audit device {i['path']} is not enabled: Vault no longer logs requests "
                "through it",
                expected=expected,
                live=None,
            )
            return
        options = {str(k): str(v) for k, v in (live.get("options") or {}).items()}
        got = {
            "type": live.get("type"),
            "options": {k: options.get(k) for k in expected["options"]},
        }
        if got != expected:
            self.rec.finding(
                "vault.audit",
                str(i["path"]),
                path,
                f"audit device {i['path']} is configured differently",
                expected=expected,
                live=got,
            )

    def mount(self, r: RecordedResource) -> None:
        i = r.inputs
        mounts = self.read("sys/mounts") or {}
        live = mounts.get(f"{i['path']}/")
        which = "kv_mount" if i.get("type") == "kv" else "database_mount"
        path = self.env_path("vault", which)
        expected = {
            "type": i.get("type"),
            "options": dict(i.get("options") or {}),
            "default_lease_ttl": _int(i.get("defaultLeaseTtlSeconds")),
            "max_lease_ttl": _int(i.get("maxLeaseTtlSeconds")),
        }
        self.rec.compare()
        if not isinstance(live, dict):
            self.rec.finding(
                "vault.mount",
                str(i["path"]),
                path,
                f"mount {i['path']} does not exist",
                expected=expected,
                live=None,
            )
            return
        tune = self.read(f"sys/mounts/{i['path']}/tune") or {}
        options = live.get("options") or {}
        got = {
            "type": live.get("type"),
            "options": {k: options.get(k) for k in expected["options"]},
            "default_lease_ttl": seconds(tune.get("default_lease_ttl")),
            "max_lease_ttl": seconds(tune.get("max_lease_ttl")),
        }
        wanted = {k: v for k, v in expected.items() if v is not None}
        got = {k: got[k] for k in wanted}
        if got != wanted:
            differing = sorted(k for k in wanted if wanted[k] != got[k])
            self.rec.finding(
                "vault.mount",
                str(i["path"]),
                path,
                f"mount {i['path']}: {', '.join(differing)} differ",
                expected={k: wanted[k] for k in differing},
                live={k: got[k] for k in differing},
            )

    def kv_config(self, r: RecordedResource) -> None:
        i = r.inputs
        live = self.read(f"{i['mount']}/config")
        expected = {
            "max_versions": _int(i.get("maxVersions")),
            "cas_required": bool(i.get("casRequired")),
            "delete_version_after": _int(i.get("deleteVersionAfter") or 0),
        }
        got = None
        if live is not None:
            got = {
                "max_versions": live.get("max_versions"),
                "cas_required": bool(live.get("cas_required")),
                "delete_version_after": seconds(live.get("delete_version_after")) or 0,
            }
        self.rec.compare()
        if got != expected:
            self.rec.finding(
                "vault.kv-config",
                str(i["mount"]),
                self.env_path("vault", "kv_mount"),
                f"KV engine {i['mount']}: configuration differs",
                expected=expected,
                live=got,
            )

    def kv_meta(self, r: RecordedResource) -> None:
        vault_path = str(r.inputs.get("path"))
        target = self.t.by_vault_path(vault_path)
        if target is None:
            return
        expected_body = kv_metadata(self.t.environment, target.secret)
        live = self.read(vault_path)
        expected = {
            "max_versions": expected_body["max_versions"],
            "cas_required": expected_body["cas_required"],
            "delete_version_after": seconds(expected_body["delete_version_after"]),
            "custom_metadata": dict(expected_body["custom_metadata"]),
        }
        got = None
        if live is not None:
            custom = dict(live.get("custom_metadata") or {})
            got = {
                "max_versions": live.get("max_versions"),
                "cas_required": bool(live.get("cas_required")),
                "delete_version_after": seconds(live.get("delete_version_after")) or 0,
                "custom_metadata": {
                    k: v for k, v in custom.items() if k not in OPERATIONAL_METADATA
                },
            }
        self.rec.compare()
        if got != expected:
            self.rec.finding(
                "vault.kv-metadata",
                target.id,
                ("secrets", target.id),
                f"KV metadata of {vault_path} "
                + ("does not exist" if got is None else "differs from the catalog's"),
                expected=expected,
                live=got,
            )

    # -- database ----------------------------------------------------------------------

    def connection(self, r: RecordedResource) -> None:
        i = r.inputs
        name = str(i["name"])
        db = self.t.catalog.database_in(name, self.env)
        live = self.read(f"{i['backend']}/config/{name}")
        expected = {
            "plugin_name": i.get("pluginName"),
            "allowed_roles": sorted(i.get("allowedRoles") or []),
            "connection_url": layout.database_connection_url(db),
            "username": db.vault_username,
        }
        got = None
        if live is not None:
            details = live.get("connection_details") or {}
            allowed = live.get("allowed_roles") or []
            got = {
                "plugin_name": live.get("plugin_name"),
                "allowed_roles": sorted(allowed if isinstance(allowed, list) else [allowed]),
                "connection_url": details.get("connection_url"),
                "username": details.get("username"),
            }
        self.rec.compare()
        if got != expected:
            self.rec.finding(
                "vault.db-connection",
                f"{i['backend']}/config/{name}",
                self.t.best_path(
                    ("databases", name, "environments", self.env), ("databases", name)
                ),
                f"database connection {i['backend']}/config/{name} "
                + ("does not exist" if got is None else "differs"),
                expected=expected,
                live=got,
            )

    def _secret_path(self, role: str, *tail: str) -> tuple[str, ...]:
        secret_id = self.role_secret.get(role)
        if secret_id is None:
            return ("environments", self.env)
        return self.t.best_path(("secrets", secret_id, *tail), ("secrets", secret_id))

    def static_role(self, r: RecordedResource) -> None:
        i = r.inputs
        role = str(i["name"])
        live = self.read(f"{i['backend']}/static-roles/{role}")
        expected: dict[str, Any] = {
            "db_name": i.get("dbName"),
            "username": i.get("username"),
            "rotation_statements": list(i.get("rotationStatements") or []),
        }
        if i.get("rotationPeriod") is not None:
            expected["rotation_period"] = _int(i["rotationPeriod"])
        if i.get("rotationSchedule"):
            expected["rotation_schedule"] = i["rotationSchedule"]
            if i.get("rotationWindow") is not None:
                expected["rotation_window"] = _int(i["rotationWindow"])
        got = None
        if live is not None:
            got = {k: live.get(k) for k in expected}
            for k in ("rotation_period", "rotation_window"):
                if k in got:
                    got[k] = seconds(got[k])
            got["rotation_statements"] = list(got.get("rotation_statements") or [])
        self.rec.compare()
        if got != expected:
            self._role_finding(
                "vault.db-static-role", f"{i['backend']}/static-roles/{role}", role, expected, got
            )

    def dynamic_role(self, r: RecordedResource) -> None:
        i = r.inputs
        role = str(i["name"])
        live = self.read(f"{i['backend']}/roles/{role}")
        expected = {
            "db_name": i.get("dbName"),
            "creation_statements": list(i.get("creationStatements") or []),
            "revocation_statements": list(i.get("revocationStatements") or []),
            "default_ttl": _int(i.get("defaultTtl")),
            "max_ttl": _int(i.get("maxTtl")),
        }
        got = None
        if live is not None:
            got = {
                "db_name": live.get("db_name"),
                "creation_statements": list(live.get("creation_statements") or []),
                "revocation_statements": list(live.get("revocation_statements") or []),
                "default_ttl": seconds(live.get("default_ttl")),
                "max_ttl": seconds(live.get("max_ttl")),
            }
        self.rec.compare()
        if got != expected:
            self._role_finding("vault.db-role", f"{i['backend']}/roles/{role}", role, expected, got)

    def _role_finding(
        self, check: str, where: str, role: str, expected: Mapping[str, Any], got: Any
    ) -> None:
        if got is None:
            message = f"{where} does not exist"
            exp, live = dict(expected), None
        else:
            differing = sorted(k for k in expected if expected[k] != got.get(k))
            message = f"{where}: {', '.join(differing)} differ"
            exp = {k: expected[k] for k in differing}
            live = {k: got.get(k) for k in differing}
        self.rec.finding(
            check,
            self.role_secret.get(role, where),
            self._secret_path(role, "rotation"),
            message,
            expected=exp,
            live=live,
        )

    # -- policies --------------------------------------------------------------------------

    def _policy_path(self, name: str) -> tuple[str, ...]:
        prefix = f"{layout.POLICY_PREFIX}-{self.env}-"
        rest = name.removeprefix(prefix)
        if rest.startswith("service-"):
            return self.t.best_path(("services", rest.removeprefix("service-")))
        if rest.startswith("team-") and rest.endswith("-writer"):
            return self.t.best_path(("teams", rest[len("team-") : -len("-writer")]))
        if rest.startswith("kv-rotator-"):
            return self.t.best_path(("teams", rest.removeprefix("kv-rotator-")))
        return ("environments", self.env)

    def policy(self, r: RecordedResource) -> None:
        name = str(r.inputs["name"])
        live = self.read(f"sys/policies/acl/{name}")
        text = live.get("policy") if live else None
        expected = str(r.inputs.get("policy") or "")
        self.rec.compare()
        if text is None or not hcl_equal(expected, text):
            self.rec.finding(
                "vault.policy",
                name,
                self._policy_path(name),
                f"policy {name} "
                + ("does not exist" if text is None else "differs from the generated HCL"),
                expected=expected,
                live=text,
                diff=hcl_diff(expected, text),
            )

    def extra_policies(self) -> None:
        """A seccat-<env>-* policy the catalog no longer generates still grants access."""
        prefix = f"{layout.POLICY_PREFIX}-{self.env}-"
        listed = self.read("sys/policies/acl?list=true") or {}
        expected = {str(r.inputs["name"]) for r in self.t.expected(POLICY)}
        self.rec.compare()
        for name in sorted(k for k in listed.get("keys") or [] if str(k).startswith(prefix)):
            if name not in expected:
                live = self.read(f"sys/policies/acl/{name}") or {}
                self.rec.finding(
                    "vault.policy",
                    name,
                    ("environments", self.env),
                    f"policy {name} carries seccat's prefix for {self.env} but the catalog "
                    "generates no such policy",
                    expected=None,
                    live=live.get("policy"),
                )

    # -- auth ------------------------------------------------------------------------------

    def auth_backend(self, r: RecordedResource) -> None:
        i = r.inputs
        mounts = self.read("sys/auth") or {}
        live = mounts.get(f"{i['path']}/")
        tune = i.get("tune") or {}
        expected = {
            "type": i.get("type"),
            "default_lease_ttl": seconds(tune.get("defaultLeaseTtl")),
            "max_lease_ttl": seconds(tune.get("maxLeaseTtl")),
            "token_type": tune.get("tokenType"),
        }
        self.rec.compare()
        if not isinstance(live, dict):
            if i.get("type") == "aws" and not self.aws_plugin():
                self.unchecked_backends.add(str(i["path"]))
                self.rec.note(
                    f"auth method {i['path']} (aws) and its roles not checked: the server has "
                    "no AWS auth plugin (OpenBao 2.x ships none)"
                )
                return
            self.rec.finding(
                "vault.auth-backend",
                str(i["path"]),
                self.env_path(),
                f"auth method {i['path']} is not enabled",
                expected=expected,
                live=None,
            )
            self.unchecked_backends.add(str(i["path"]))
            return
        tuned = self.read(f"sys/auth/{i['path']}/tune") or {}
        got = {
            "type": live.get("type"),
            "default_lease_ttl": seconds(tuned.get("default_lease_ttl")),
            "max_lease_ttl": seconds(tuned.get("max_lease_ttl")),
            "token_type": tuned.get("token_type"),
        }
        wanted = {k: v for k, v in expected.items() if v is not None}
        got = {k: got[k] for k in wanted}
        if got != wanted:
            differing = sorted(k for k in wanted if wanted[k] != got[k])
            self.rec.finding(
                "vault.auth-backend",
                str(i["path"]),
                self.env_path(),
                f"auth method {i['path']}: {', '.join(differing)} differ",
                expected={k: wanted[k] for k in differing},
                live={k: got[k] for k in differing},
            )

    def aws_client(self, r: RecordedResource) -> None:
        i = r.inputs
        if i["backend"] in self.unchecked_backends:
            return
        live = self.read(f"auth/{i['backend']}/config/client")
        expected = {
            "iam_server_id_header_value": i.get("iamServerIdHeaderValue"),
            "sts_endpoint": i.get("stsEndpoint"),
            "sts_region": i.get("stsRegion"),
        }
        got = {k: (live or {}).get(k) for k in expected} if live is not None else None
        self.rec.compare()
        if got != expected:
            self.rec.finding(
                "vault.auth-backend",
                f"{i['backend']}/config/client",
                self.env_path(),
                f"client configuration of auth method {i['backend']} differs",
                expected=expected,
                live=got,
            )

    def _service_path(self, service: str, kind: str) -> tuple[str, ...]:
        return self.t.best_path(
            ("services", service, "environments", self.env, kind),
            ("services", service, kind),
            ("services", service),
        )

    def aws_role(self, r: RecordedResource) -> None:
        i = r.inputs
        if i["backend"] in self.unchecked_backends:
            return
        role = str(i["role"])
        live = self.read(f"auth/{i['backend']}/role/{role}")
        expected = {
            "auth_type": i.get("authType"),
            "bound_iam_principal_arn": sorted(i.get("boundIamPrincipalArns") or []),
            "resolve_aws_unique_ids": bool(i.get("resolveAwsUniqueIds")),
            "token_policies": sorted(i.get("tokenPolicies") or []),
            "token_ttl": _int(i.get("tokenTtl")),
            "token_max_ttl": _int(i.get("tokenMaxTtl")),
            "token_type": i.get("tokenType"),
        }
        got = None
        if live is not None:
            got = {
                "auth_type": live.get("auth_type"),
                "bound_iam_principal_arn": sorted(live.get("bound_iam_principal_arn") or []),
                "resolve_aws_unique_ids": bool(live.get("resolve_aws_unique_ids")),
                "token_policies": sorted(live.get("token_policies") or []),
                "token_ttl": seconds(live.get("token_ttl")),
                "token_max_ttl": seconds(live.get("token_max_ttl")),
                "token_type": live.get("token_type"),
            }
        self._auth_role(f"auth/{i['backend']}/role/{role}", role, "aws", expected, got)

    def k8s_role(self, r: RecordedResource) -> None:
        i = r.inputs
        if i["backend"] in self.unchecked_backends:
            return
        role = str(i["roleName"])
        live = self.read(f"auth/{i['backend']}/role/{role}")
        expected = {
            "bound_service_account_names": sorted(i.get("boundServiceAccountNames") or []),
            "bound_service_account_namespaces": sorted(
                i.get("boundServiceAccountNamespaces") or []
            ),
            "audience": i.get("audience"),
            "token_policies": sorted(i.get("tokenPolicies") or []),
            "token_ttl": _int(i.get("tokenTtl")),
            "token_max_ttl": _int(i.get("tokenMaxTtl")),
            "token_type": i.get("tokenType"),
        }
        got = None
        if live is not None:
            got = {
                "bound_service_account_names": sorted(
                    live.get("bound_service_account_names") or []
                ),
                "bound_service_account_namespaces": sorted(
                    live.get("bound_service_account_namespaces") or []
                ),
                "audience": live.get("audience"),
                "token_policies": sorted(live.get("token_policies") or []),
                "token_ttl": seconds(live.get("token_ttl")),
                "token_max_ttl": seconds(live.get("token_max_ttl")),
                "token_type": live.get("token_type"),
            }
        self._auth_role(f"auth/{i['backend']}/role/{role}", role, "kubernetes", expected, got)

    def _auth_role(
        self, where: str, service: str, kind: str, expected: dict[str, Any], got: Any
    ) -> None:
        self.rec.compare()
        if got == expected:
            return
        if got is None:
            message, exp, live = f"login role {where} does not exist", expected, None
        else:
            differing = sorted(k for k in expected if expected[k] != got.get(k))
            message = f"login role {where}: {', '.join(differing)} differ"
            exp = {k: expected[k] for k in differing}
            live = {k: got.get(k) for k in differing}
        self.rec.finding(
            "vault.auth-role",
            where,
            self._service_path(service, kind),
            message,
            expected=exp,
            live=live,
        )
