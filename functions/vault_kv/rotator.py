"""Rotate a generated secret in a Vault/OpenBao KV v2 mount: a new version, check-and-set.

Entry point for the scheduled Lambda: ``vault_kv.rotator.handler``. The library functions
(:func:`rotate`, :func:`rollback`, :func:`current_version`) take an authenticated ``hvac``
client, so tests and operators can drive them with any token.

Why check-and-set: a rotation must never silently overwrite a value someone else wrote after
the rotator looked (a human fixing an incident, a second scheduler). Every write carries
``cas=<the version the rotator read>``; if another writer got there first Vault refuses the
write, :class:`CasConflict` is raised and the other writer's value stands. Rotation is never
retried blindly for the same reason; the next schedule tries again.

Rollback writes the chosen earlier version's data back as a *new* version (again with CAS),
so history stays append-only and consumers simply read the latest version. Earlier versions
are kept by the mount's ``max_versions`` (seccat sets at least 10).

The stored data is ``{"value": "<generated>"}``, generated exactly as the AWS rotators do
(``rotation.generator``), from the catalog's ``generate:`` block.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import hvac
import hvac.exceptions
from rotation.generator import GenerateConfigError, GenerateSpec, generate_value

VALUE_KEY = "value"

ENV_VAULT_ADDR = "VAULT_ADDR"
ENV_VAULT_NAMESPACE = "VAULT_NAMESPACE"
ENV_VAULT_CACERT = "VAULT_CACERT"
ENV_AUTH_ROLE = "SECCAT_VAULT_AUTH_ROLE"
ENV_AUTH_MOUNT = "SECCAT_VAULT_AUTH_MOUNT"
ENV_IAM_SERVER_ID = "SECCAT_VAULT_IAM_SERVER_ID"
ENV_STS_REGION = "SECCAT_VAULT_STS_REGION"
ENV_KV_MOUNT = "SECCAT_VAULT_KV_MOUNT"
ENV_KV_PATH = "SECCAT_VAULT_KV_PATH"

_MOUNT_RE = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?")
_SEGMENT_RE = re.compile(r"[a-z0-9](?:[a-z0-9_.-]{0,126}[a-z0-9])?")
_ROLE_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,126}[A-Za-z0-9])?")

logger = logging.getLogger("seccat.vault_kv")
logger.setLevel(logging.INFO)
for _noisy in ("urllib3", "botocore", "boto3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


class KvRotationError(Exception):
    """The rotation or rollback cannot proceed. Messages never contain values."""


class CasConflict(KvRotationError):
    """Another writer created a version after we read ``current_version``; theirs stands."""


@dataclass(frozen=True)
class KvWrite:
    """The outcome of a rotation or rollback (no value: callers read it from Vault)."""

    mount: str
    path: str
    version: int
    replaced_version: int


def validate_location(mount: str, path: str) -> None:
    """Strict names: a hostile path must not reach another mount or team through ``..``."""
    if not _MOUNT_RE.fullmatch(mount):
        raise KvRotationError(f"invalid KV mount name {mount!r}")
    segments = path.split("/")
    if not all(_SEGMENT_RE.fullmatch(s) and ".." not in s for s in segments):
        raise KvRotationError(f"invalid KV secret path {path!r}")


def _metadata(client: hvac.Client, mount: str, path: str) -> dict[str, Any] | None:
    try:
        response = client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=mount)
    except hvac.exceptions.InvalidPath:
        return None
    return response["data"]


def current_version(client: hvac.Client, mount: str, path: str) -> int:
    """The latest version number, 0 when the secret has no version yet."""
    validate_location(mount, path)
    metadata = _metadata(client, mount, path)
    return int(metadata["current_version"]) if metadata else 0


def write_version(
    client: hvac.Client, mount: str, path: str, data: Mapping[str, Any], cas: int
) -> int:
    """Write ``data`` as a new version only if ``cas`` is still the current version."""
    validate_location(mount, path)
    try:
        response = client.secrets.kv.v2.create_or_update_secret(
            path=path, secret=dict(data), cas=cas, mount_point=mount
        )
    except hvac.exceptions.InvalidRequest as exc:
        if "check-and-set" in str(exc):
            raise CasConflict(
                f"{mount}/{path}: version {cas} is no longer current; a concurrent write won"
            ) from None
        raise KvRotationError(f"{mount}/{path}: write refused by Vault") from None
    return int(response["data"]["version"])


def rotate(client: hvac.Client, mount: str, path: str, spec: GenerateSpec | None = None) -> KvWrite:
    """Write a freshly generated ``{"value": ...}`` as the next version, with check-and-set."""
    spec = spec or GenerateSpec()
    before = current_version(client, mount, path)
    version = write_version(client, mount, path, {VALUE_KEY: generate_value(spec)}, cas=before)
    logger.info("rotated %s/%s: version %d -> %d", mount, path, before, version)
    return KvWrite(mount, path, version, before)


def rollback(client: hvac.Client, mount: str, path: str, to_version: int | None = None) -> KvWrite:
    """Make an earlier version's data current again, as a new version (with check-and-set).

    Without ``to_version`` the newest earlier version that is neither deleted nor destroyed
    is restored.
    """
    validate_location(mount, path)
    metadata = _metadata(client, mount, path)
    current = int(metadata["current_version"]) if metadata else 0
    if current == 0 or metadata is None:
        raise KvRotationError(f"{mount}/{path} has no version to roll back from")
    versions: Mapping[str, Any] = metadata.get("versions") or {}

    def usable(n: int) -> bool:
        info = versions.get(str(n))
        return bool(info) and not info.get("destroyed") and not _deleted(info.get("deletion_time"))

    if to_version is None:
        candidates = [n for n in range(current - 1, 0, -1) if usable(n)]
        if not candidates:
            raise KvRotationError(f"{mount}/{path}: no earlier version is still readable")
        to_version = candidates[0]
    elif not 0 < to_version < current:
        raise KvRotationError(f"{mount}/{path}: version {to_version} is not an earlier version")
    elif not usable(to_version):
        raise KvRotationError(
            f"{mount}/{path}: version {to_version} was deleted, destroyed or pruned by max_versions"
        )
    old = client.secrets.kv.v2.read_secret_version(
        path=path, version=to_version, mount_point=mount, raise_on_deleted_version=True
    )
    version = write_version(client, mount, path, old["data"]["data"], cas=current)
    logger.info(
        "rolled back %s/%s to the data of version %d: new version %d",
        mount,
        path,
        to_version,
        version,
    )
    return KvWrite(mount, path, version, current)


def _deleted(deletion_time: str | None) -> bool:
    """A version is deleted once its ``deletion_time`` has passed. With ``delete_version_after``
    set (seccat sets it on every key) Vault shows the *scheduled* deletion of live versions."""
    if not deletion_time:
        return False
    when = datetime.fromisoformat(deletion_time.replace("Z", "+00:00"))
    return when <= datetime.now(UTC)


# -- Lambda ------------------------------------------------------------------------------------


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise KvRotationError(f"missing environment variable {name}")
    return value


_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
#: X-Vault-AWS-IAM-Server-ID values, as the catalog allows them (header_value).
_SERVER_ID_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
SERVER_ID_HEADER = "X-Vault-AWS-IAM-Server-ID"
STS_BODY = "Action=GetCallerIdentity&Version=2011-06-15"


def iam_login_payload(credentials: Any, region: str, server_id: str, role: str) -> dict[str, str]:
    """The body of Vault's AWS IAM login: a GetCallerIdentity request for the region's STS
    endpoint, signed by botocore (SigV4) with ``X-Vault-AWS-IAM-Server-ID`` among the signed
    headers, so Vault can check the login was made for it and STS vouches for the whole.

    Signed for ``https://sts.<region>.amazonaws.com/`` with that region's scope: the global
    endpoint accepts only us-east-1 signatures (hvac's ``iam_login`` signs the global URL
    with the given region, which STS refuses, hvac issue #251); the mount is configured with
    the same regional endpoint (``sts_endpoint``/``sts_region``).
    """
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    if not _REGION_RE.fullmatch(region):
        raise KvRotationError(f"invalid {ENV_STS_REGION}")
    if not _SERVER_ID_RE.fullmatch(server_id):
        raise KvRotationError(f"invalid {ENV_IAM_SERVER_ID}")
    url = f"https://sts.{region}.amazonaws.com/"
    request = AWSRequest(
        method="POST",
        url=url,
        data=STS_BODY,
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            SERVER_ID_HEADER: server_id,
        },
    )
    SigV4Auth(credentials, "sts", region).add_auth(request)
    headers = {name: [value] for name, value in request.headers.items()}

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return {
        "role": role,
        "iam_http_request_method": "POST",
        "iam_request_url": b64(url),
        "iam_request_body": b64(STS_BODY),
        "iam_request_headers": b64(json.dumps(headers)),
    }


def vault_client_from_env(env: Mapping[str, str] | None = None) -> hvac.Client:
    """Log in to Vault with the Lambda's own IAM role (AWS auth, iam method): no secret in env.

    The signed ``sts:GetCallerIdentity`` request proves the role to Vault; Vault's auth role
    (``SECCAT_VAULT_AUTH_ROLE``) binds that IAM role to the writer policy for the secret. The
    request signs the mount's ``X-Vault-AWS-IAM-Server-ID`` (``SECCAT_VAULT_IAM_SERVER_ID``),
    so it cannot be replayed against another Vault or another environment's mount.
    """
    import boto3  # only in Lambda: tests drive the library functions with a token client

    env = os.environ if env is None else env
    role = _require(env, ENV_AUTH_ROLE)
    if not _ROLE_RE.fullmatch(role):
        raise KvRotationError(f"invalid {ENV_AUTH_ROLE}")
    auth_mount = env.get(ENV_AUTH_MOUNT, "").strip() or "aws"
    if not _MOUNT_RE.fullmatch(auth_mount):
        raise KvRotationError(f"invalid {ENV_AUTH_MOUNT}")
    server_id = _require(env, ENV_IAM_SERVER_ID)
    region = _require(env, ENV_STS_REGION)
    client = hvac.Client(
        url=_require(env, ENV_VAULT_ADDR),
        verify=env.get(ENV_VAULT_CACERT, "").strip() or True,
        namespace=env.get(ENV_VAULT_NAMESPACE, "").strip() or None,
    )
    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise KvRotationError("no AWS credentials available for Vault's AWS IAM auth")
    payload = iam_login_payload(credentials.get_frozen_credentials(), region, server_id, role)
    client.login(f"/v1/auth/{auth_mount}/login", use_token=True, json=payload)
    return client


def target_from(event: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, str, GenerateSpec]:
    """Where and what to rotate: the schedule's input, else the function's environment.

    Neither holds anything secret: a mount, a path and the generate settings.
    """
    mount = str(event.get("mount") or env.get(ENV_KV_MOUNT, "")).strip()
    path = str(event.get("path") or env.get(ENV_KV_PATH, "")).strip()
    if not mount or not path:
        raise KvRotationError(
            f"no target: give mount/path in the event or {ENV_KV_MOUNT}/{ENV_KV_PATH}"
        )
    validate_location(mount, path)
    generate = event.get("generate")
    try:
        if generate is None:
            spec = GenerateSpec.from_env(env)
        elif isinstance(generate, Mapping):
            spec = GenerateSpec(**dict(generate))
        else:
            raise KvRotationError("event 'generate' must be an object")
    except (GenerateConfigError, TypeError) as exc:
        raise KvRotationError(f"invalid generate settings: {exc}") from None
    return mount, path, spec


def handler(event: Mapping[str, Any] | None, context: object = None) -> dict[str, Any]:
    """EventBridge Scheduler target: rotate one KV secret, return versions (never the value)."""
    env = os.environ
    mount, path, spec = target_from(event or {}, env)
    client = vault_client_from_env(env)
    result = rotate(client, mount, path, spec)
    return {"mount": result.mount, "path": result.path, "version": result.version}
