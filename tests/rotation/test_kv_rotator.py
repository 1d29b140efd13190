"""The Vault KV v2 rotator against a real OpenBao dev server (token auth).

Check-and-set, kept versions and rollback are Vault behaviour, so they are proven on the
server, not on a fake: a stale writer is really refused and an old version really restored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import string
from collections.abc import Iterator
from typing import Any

import hvac
import pytest
from rotation.generator import GenerateSpec
from servers.openbao import OpenBaoServer
from vault_kv import rotator
from vault_kv.rotator import CasConflict, KvRotationError

MOUNT = f"kv-rotator-{secrets.token_hex(3)}"  # our own mount on the shared server
SPEC = GenerateSpec(length=48, exclude_punctuation=True)


@pytest.fixture(scope="module")
def bao(openbao_server: OpenBaoServer) -> Iterator[OpenBaoServer]:
    """The shared dev server, with a KV v2 mount of our own (removed afterwards)."""
    client = openbao_server.client()
    client.sys.enable_secrets_engine("kv", path=MOUNT, options={"version": "2"})
    # As seccat configures a protected environment's mount: CAS required, history kept.
    client.secrets.kv.v2.configure(max_versions=10, cas_required=True, mount_point=MOUNT)
    yield openbao_server
    client.sys.disable_secrets_engine(path=MOUNT)


@pytest.fixture
def client(bao: OpenBaoServer) -> hvac.Client:
    return bao.client()


@pytest.fixture
def path() -> str:
    return f"identity/key-{secrets.token_hex(4)}"


def read(client: hvac.Client, path: str, version: int | None = None) -> dict[str, str]:
    response = client.secrets.kv.v2.read_secret_version(
        path=path, version=version, mount_point=MOUNT, raise_on_deleted_version=True
    )
    return response["data"]["data"]


def test_rotate_writes_new_versions_and_keeps_old_ones(client: hvac.Client, path: str) -> None:
    assert rotator.current_version(client, MOUNT, path) == 0
    first = rotator.rotate(client, MOUNT, path, SPEC)
    second = rotator.rotate(client, MOUNT, path, SPEC)
    assert (first.replaced_version, first.version) == (0, 1)
    assert (second.replaced_version, second.version) == (1, 2)
    v1, v2 = read(client, path, 1), read(client, path, 2)
    assert set(v1) == set(v2) == {"value"}
    assert v1["value"] != v2["value"]
    assert read(client, path) == v2
    for value in (v1["value"], v2["value"]):
        assert SPEC.accepts(value)
        assert not set(value) & set(string.punctuation)


def test_first_rotation_after_metadata_only_write(client: hvac.Client, path: str) -> None:
    """seccat's Pulumi program writes only metadata; the rotator gives the first value."""
    client.secrets.kv.v2.update_metadata(
        path=path, mount_point=MOUNT, custom_metadata={"owner": "identity"}
    )
    assert rotator.current_version(client, MOUNT, path) == 0
    assert rotator.rotate(client, MOUNT, path).version == 1


def test_stale_check_and_set_is_refused(client: hvac.Client, path: str) -> None:
    rotator.rotate(client, MOUNT, path, SPEC)
    seen = rotator.current_version(client, MOUNT, path)
    # Another writer gets in between our read and our write.
    client.secrets.kv.v2.create_or_update_secret(
        path=path, secret={"value": "set-by-a-human"}, cas=seen, mount_point=MOUNT
    )
    with pytest.raises(CasConflict, match="concurrent write won"):
        rotator.write_version(client, MOUNT, path, {"value": "rotator"}, cas=seen)
    assert read(client, path) == {"value": "set-by-a-human"}  # the other writer's value stands
    assert rotator.current_version(client, MOUNT, path) == seen + 1


def test_rollback_restores_the_previous_data_as_a_new_version(
    client: hvac.Client, path: str
) -> None:
    rotator.rotate(client, MOUNT, path, SPEC)
    old = read(client, path)
    rotator.rotate(client, MOUNT, path, SPEC)
    result = rotator.rollback(client, MOUNT, path)
    assert (result.replaced_version, result.version) == (2, 3)
    assert read(client, path) == old
    assert read(client, path, 2) != old  # history is append-only
    # A deleted version cannot be restored by name...
    client.secrets.kv.v2.delete_secret_versions(path=path, versions=[2], mount_point=MOUNT)
    with pytest.raises(KvRotationError, match="deleted, destroyed"):
        rotator.rollback(client, MOUNT, path, to_version=2)
    with pytest.raises(KvRotationError, match="not an earlier version"):
        rotator.rollback(client, MOUNT, path, to_version=3)
    # Default target: the newest readable earlier version (2 is deleted, so 1).
    rotator.rotate(client, MOUNT, path, SPEC)  # v4
    client.secrets.kv.v2.delete_secret_versions(path=path, versions=[3], mount_point=MOUNT)
    assert rotator.rollback(client, MOUNT, path).version == 5
    assert read(client, path) == read(client, path, 1)


def test_rollback_without_history_is_refused(client: hvac.Client, path: str) -> None:
    with pytest.raises(KvRotationError, match="no version to roll back"):
        rotator.rollback(client, MOUNT, path)
    rotator.rotate(client, MOUNT, path)
    with pytest.raises(KvRotationError, match="no earlier version"):
        rotator.rollback(client, MOUNT, path)


def test_rotation_logs_no_value(
    client: hvac.Client, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rotator.rotate(client, MOUNT, path, SPEC)
    rotator.rotate(client, MOUNT, path, SPEC)
    rotator.rollback(client, MOUNT, path)
    assert "rotated" in caplog.text and "rolled back" in caplog.text
    for version in (1, 2, 3):
        assert read(client, path, version)["value"] not in caplog.text


@pytest.mark.parametrize(
    ("mount", "path"),
    [
        ("kv-dev", "../sys/policy/x"),
        ("kv-dev", "identity/../payments/key"),
        ("kv-dev", "identity//key"),
        ("kv-dev", "Identity/Key"),
        ("kv-dev", "identity/*"),
        ("kv-dev", "identity/key\n"),
        ("kv-dev", "identity/k\u0435y"),  # Cyrillic e
        ("sys", "x/../../sys/seal"),
        ("kv dev", "identity/key"),
        ("", "identity/key"),
    ],
)
def test_hostile_locations_are_refused(mount: str, path: str) -> None:
    with pytest.raises(KvRotationError, match="invalid KV"):
        rotator.validate_location(mount, path)


def test_target_from_event_or_environment() -> None:
    env = {
        "SECCAT_VAULT_KV_MOUNT": "kv-prod",
        "SECCAT_VAULT_KV_PATH": "identity/ldap-bind-password",
        "SECCAT_GENERATE_LENGTH": "20",
    }
    mount, path, spec = rotator.target_from({}, env)
    assert (mount, path, spec.length) == ("kv-prod", "identity/ldap-bind-password", 20)
    event = {"mount": "kv-dev", "path": "identity/jwt-signing-key", "generate": {"length": 64}}
    mount, path, spec = rotator.target_from(event, env)
    assert (mount, path, spec) == ("kv-dev", "identity/jwt-signing-key", GenerateSpec(64))
    with pytest.raises(KvRotationError, match="no target"):
        rotator.target_from({}, {})
    with pytest.raises(KvRotationError, match="invalid generate"):
        rotator.target_from({**event, "generate": {"length": 0}}, env)
    with pytest.raises(KvRotationError, match="invalid generate"):
        rotator.target_from({**event, "generate": {"secret": "x"}}, env)
    with pytest.raises(KvRotationError, match="missing environment variable"):
        rotator.vault_client_from_env({"VAULT_ADDR": "http://127.0.0.1:1"})


def capture_login(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the Lambda's login against a loopback stand-in for Vault's login path and return
    the JSON body it sent (the bundled OpenBao has no AWS auth plugin: "plugin not found in
    the catalog: aws"). The credentials are the execution role's, from the environment where
    the Lambda runtime puts them."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    seen: dict[str, Any] = {}

    class VaultLogin(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen["path"] = self.path
            seen["body"] = json.loads(body)
            reply = json.dumps({"auth": {"client_token": "s.fake", "policies": ["kv-writer"]}})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, *args: object) -> None:
            pass

    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    httpd = HTTPServer(("127.0.0.1", 0), VaultLogin)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        client = rotator.vault_client_from_env(
            {"VAULT_ADDR": f"http://127.0.0.1:{httpd.server_port}", **env}
        )
    finally:
        httpd.shutdown()
        thread.join()
    assert client.token == "s.fake"
    seen["client"] = client
    return seen


CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE00",
    "AWS_SECRET_ACCESS_KEY": "example-secret-key",
    "AWS_SESSION_TOKEN": "example-session-token",
}
LAMBDA_ENV = {  # as components/vault/kv_rotation.py configures the function in prod
    "SECCAT_VAULT_AUTH_ROLE": "kv-rotator-identity",
    "SECCAT_VAULT_AUTH_MOUNT": "aws-prod",
    "SECCAT_VAULT_IAM_SERVER_ID": "seccat-prod",
    "SECCAT_VAULT_STS_REGION": "eu-west-1",
}


def decoded(body: dict[str, Any]) -> tuple[str, dict[str, list[str]], str]:
    url = base64.b64decode(body["iam_request_url"]).decode()
    headers = json.loads(base64.b64decode(body["iam_request_headers"]))
    return url, headers, base64.b64decode(body["iam_request_body"]).decode()


def vault_refuses(headers: dict[str, list[str]], required: str) -> str | None:
    """Vault's own check of the server-id header, restated from its source
    (builtin/credential/aws/path_login.go, validateVaultHeaderValue): the header must be
    present, equal to iam_server_id_header_value, and among the SignedHeaders of the
    Authorization header. The refusal, or None when Vault would accept it."""
    provided = next(
        (",".join(v) for k, v in headers.items() if k.lower() == "x-vault-aws-iam-server-id"), ""
    )
    if not provided:
        return "missing header"
    if provided != required:
        return f"expected {required!r} but got {provided!r}"
    signed = re.search(r"SignedHeaders=([^,]+)", ",".join(headers.get("Authorization", [])))
    if signed is None or "x-vault-aws-iam-server-id" not in signed.group(1).split(";"):
        return "vault header wasn't signed"
    return None


def signature_valid(url: str, headers: dict[str, list[str]], body: str, secret_key: str) -> bool:
    """Recompute the SigV4 signature by AWS's documented algorithm
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html), as STS
    does when Vault forwards the request: independent of botocore, which signed it."""
    (authorization,) = headers["Authorization"]
    fields = dict(part.strip().split("=", 1) for part in authorization.split(" ", 1)[1].split(","))
    scope = fields["Credential"].split("/", 1)[1]
    date, region, service, _ = scope.split("/")
    lower = {k.lower(): v[0] for k, v in headers.items()}
    host = url.split("/")[2]
    names = fields["SignedHeaders"].split(";")
    canonical_headers = "".join(
        f"{n}:{(lower.get(n) or (host if n == 'host' else '')).strip()}\n" for n in names
    )
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            canonical_headers,
            fields["SignedHeaders"],
            hashlib.sha256(body.encode()).hexdigest(),
        ]
    )
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            lower["x-amz-date"],
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret_key}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["Signature"])


def test_lambda_login_signs_the_server_id_for_the_regional_sts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = capture_login(LAMBDA_ENV, monkeypatch)
    assert seen["path"] == "/v1/auth/aws-prod/login"
    body = seen["body"]
    assert body["role"] == "kv-rotator-identity"
    assert body["iam_http_request_method"] == "POST"
    url, headers, sts_body = decoded(body)
    assert url == "https://sts.eu-west-1.amazonaws.com/"
    assert sts_body == "Action=GetCallerIdentity&Version=2011-06-15"
    assert headers["X-Vault-AWS-IAM-Server-ID"] == ["seccat-prod"]
    assert headers["X-Amz-Security-Token"] == ["example-session-token"]
    (authorization,) = headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEEXAMPLE00/")
    assert "/eu-west-1/sts/aws4_request" in authorization
    signed = re.search(r"SignedHeaders=([^,]+)", authorization)
    assert signed is not None
    assert "x-vault-aws-iam-server-id" in signed.group(1).split(";")
    # STS would accept the signature, and Vault's prod mount the header...
    assert signature_valid(url, headers, sts_body, CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
    assert vault_refuses(headers, "seccat-prod") is None
    # ...but the dev mount (or another Vault) refuses the very same login: no replay.
    assert vault_refuses(headers, "seccat-dev") == "expected 'seccat-dev' but got 'seccat-prod'"


def test_the_checks_refuse_unsigned_or_altered_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative controls for both checks above."""
    url, headers, sts_body = decoded(capture_login(LAMBDA_ENV, monkeypatch)["body"])
    secret = CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    # A header swapped after signing: Vault's check passes for the new value, STS does not.
    swapped = {**headers, "X-Vault-AWS-IAM-Server-ID": ["seccat-dev"]}
    assert vault_refuses(swapped, "seccat-dev") is None
    assert not signature_valid(url, swapped, sts_body, secret)
    # A client that sends the header without signing it (signed first, header added after).
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method="POST", url=url, data=sts_body, headers={})
    SigV4Auth(Credentials("AKIDEXAMPLE", secret), "sts", "eu-west-1").add_auth(request)
    request.headers["X-Vault-AWS-IAM-Server-ID"] = "seccat-prod"
    unsigned = {k: [v] for k, v in request.headers.items()}
    assert signature_valid(url, unsigned, sts_body, secret)  # STS would not notice...
    assert vault_refuses(unsigned, "seccat-prod") == "vault header wasn't signed"  # Vault does
    # And no header at all.
    bare = {k: v for k, v in headers.items() if k != "X-Vault-AWS-IAM-Server-ID"}
    assert vault_refuses(bare, "seccat-prod") == "missing header"


def test_lambda_login_needs_the_server_id_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    for missing in ("SECCAT_VAULT_IAM_SERVER_ID", "SECCAT_VAULT_STS_REGION"):
        env = {k: v for k, v in LAMBDA_ENV.items() if k != missing}
        env["VAULT_ADDR"] = "http://127.0.0.1:1"
        with pytest.raises(KvRotationError, match=f"missing environment variable {missing}"):
            rotator.vault_client_from_env(env)
    for name, bad in (
        ("SECCAT_VAULT_IAM_SERVER_ID", "seccat prod\r\nX-Evil: 1"),
        ("SECCAT_VAULT_STS_REGION", "eu-west-1.evil.example"),
    ):
        for key, value in CREDENTIALS.items():
            monkeypatch.setenv(key, value)
        env = {**LAMBDA_ENV, name: bad, "VAULT_ADDR": "http://127.0.0.1:1"}
        with pytest.raises(KvRotationError, match=f"invalid {name}"):
            rotator.vault_client_from_env(env)
