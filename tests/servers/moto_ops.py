"""A moto server for the operations tests: moto 5.2.5, plus the few behaviours AWS documents
that moto lacks and `seccat verify/status/rotate/rollback` depend on.

It runs moto's own server (``ThreadedMotoServer``, real HTTP, real botocore parsing) in a
subprocess, like servers/moto.py, after patching moto's models in that process. Each patch
stands in for one documented AWS behaviour, and nothing else changes:

* **Rotation rules** (DescribeSecret ``RotationRules``): moto keeps only
  ``AutomaticallyAfterDays`` and leaves rotation disabled for a ``ScheduleExpression``; AWS
  returns the rules as configured, ``ScheduleExpression`` and ``Duration`` included.
* **RotateSecret without configuration**: moto forgets the configured function and promotes
  an empty version; AWS "starts a rotation with the values already stored in the secret"
  (RotateSecret API reference).
* **Moving AWSCURRENT** (UpdateSecretVersionStage): moto does not update its own notion of
  the current version, so a later PutSecretValue labels the wrong version AWSPREVIOUS and
  leaves two versions AWSCURRENT; AWS keeps exactly one.
* **Replica KmsKeyId**: moto reports ``alias/aws/secretsmanager`` whatever key was asked
  for; AWS encrypts the replica with the given key and reports it.
* **Lambda LoggingConfig**: moto drops it; AWS keeps and returns the function's log group.
* **Lambda Code.Location** (GetFunction): moto names a host nobody serves; AWS returns a
  presigned URL that downloads the deployed zip. Here it is a presigned GET of this server's
  S3, holding the function's zip.
* **Lambda invocation**: moto runs functions only in Docker. Here a function runs as Lambda
  runs it, without a container: its deployed zip and layers unpacked on ``PYTHONPATH``, its
  handler called in a fresh Python process with its environment variables, credentials of
  its execution role (STS AssumeRole, so its calls act in the role's account) and
  ``AWS_ENDPOINT_URL`` pointing back at this server, and its log lines written, in Lambda's
  JSON log format, to its log group. Secrets Manager's rotation calls the four steps in
  order and, as AWS does, stops at a failed step (AWSPENDING stays where it was) instead of
  promoting the new version as moto would.

Run as ``python -m servers.moto_ops PORT``; ``running_moto_ops()`` starts and stops it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from servers.moto import MotoServer, MotoUnavailable, _ready, _stop
from servers.ports import free_port

_READY_TIMEOUT = 30.0
TESTS = Path(__file__).resolve().parents[1]

#: The Lambda runtime stand-in's bootstrap: JSON logging as Lambda's ``AWS_LAMBDA_LOG_FORMAT
#: =JSON`` (awslambdaric's JsonFormatter fields), the handler, and on an uncaught exception
#: the runtime's JSON error record.
_BOOTSTRAP = r"""
import datetime, importlib, json, logging, sys, traceback
handler, request_id = sys.argv[1], sys.argv[2]
def stamp(created):
    t = datetime.datetime.fromtimestamp(created, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
class Json(logging.Formatter):
    def format(self, r):
        out = {"timestamp": stamp(r.created), "level": r.levelname, "message": r.getMessage(),
               "logger": r.name, "requestId": request_id}
        if r.exc_info:
            out.update(errorType=r.exc_info[0].__name__, errorMessage=str(r.exc_info[1]),
                       stackTrace=traceback.format_tb(r.exc_info[2]))
        return json.dumps(out)
sink = logging.StreamHandler(sys.stdout)
sink.setFormatter(Json())
root = logging.getLogger()
root.handlers[:] = [sink]
root.setLevel(logging.INFO)
event = json.loads(sys.stdin.read())
module, name = handler.rsplit(".", 1)
try:
    result = getattr(importlib.import_module(module), name)(event, None)
except Exception as exc:
    import time
    print(json.dumps({"timestamp": stamp(time.time()), "level": "ERROR",
                      "errorMessage": str(exc), "errorType": type(exc).__name__,
                      "requestId": request_id,
                      "stackTrace": traceback.format_tb(exc.__traceback__)}))
    sys.exit(1)
print(json.dumps({"__seccat_result__": result}))
"""

_ROTATING = threading.local()


class _StepFailed(Exception):
    """A rotation step failed: Secrets Manager stops the rotation there."""


def _patch(endpoint: str, scratch: Path) -> None:
    from moto.awslambda import models as lambda_models
    from moto.logs.models import logs_backends
    from moto.secretsmanager import models as sm
    from moto.sts.models import sts_backends

    # -- Secrets Manager: rotation rules, RotateSecret without configuration ------------------
    original_rotate = sm.SecretsManagerBackend.rotate_secret

    def rotate_secret(
        self: Any,
        secret_id: str,
        client_request_token: str | None = None,
        rotation_lambda_arn: str | None = None,
        rotation_rules: dict[str, Any] | None = None,
        rotate_immediately: bool = True,
    ) -> str:
        secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        if secret is not None and not rotation_lambda_arn:
            rotation_lambda_arn = secret.rotation_lambda_arn or None
        if secret is not None and rotation_rules:
            # before the function runs: its first step checks that rotation is enabled
            secret.seccat_rules = dict(rotation_rules)
            if rotation_rules.get("ScheduleExpression"):
                secret.rotation_enabled = True
        _ROTATING.active = True
        try:
            result = original_rotate(
                self,
                secret_id,
                client_request_token,
                rotation_lambda_arn,
                rotation_rules,
                rotate_immediately,
            )
        except _StepFailed:
            result = secret.to_short_dict()
        finally:
            _ROTATING.active = False
        return result

    sm.SecretsManagerBackend.rotate_secret = rotate_secret

    original_to_dict = sm.FakeSecret.to_dict

    def to_dict(self: Any) -> dict[str, Any]:
        dct = original_to_dict(self)
        if "RotationRules" in dct and getattr(self, "seccat_rules", None):
            dct["RotationRules"] = dict(self.seccat_rules)
        return dct

    sm.FakeSecret.to_dict = to_dict

    original_stage = sm.SecretsManagerBackend.update_secret_version_stage

    def update_secret_version_stage(
        self: Any,
        secret_id: str,
        version_stage: str,
        remove_from_version_id: str,
        move_to_version_id: str,
    ) -> Any:
        result = original_stage(
            self, secret_id, version_stage, remove_from_version_id, move_to_version_id
        )
        if version_stage == "AWSCURRENT" and move_to_version_id:
            self.secrets[secret_id].default_version_id = move_to_version_id
        return result

    sm.SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage

    # -- Secrets Manager: replica keys --------------------------------------------------------
    original_replicas = sm.FakeSecret.create_replicas

    def create_replicas(self: Any, replica_regions: Any, force_overwrite: bool) -> Any:
        replicas = original_replicas(self, replica_regions, force_overwrite)
        keys = {r["Region"]: r.get("KmsKeyId") for r in replica_regions or []}
        for replica in replicas:
            if keys.get(replica.region):
                replica.config["KmsKeyId"] = keys[replica.region]
        return replicas

    sm.FakeSecret.create_replicas = create_replicas

    # -- Lambda: LoggingConfig, invocation ----------------------------------------------------
    function = lambda_models.LambdaFunction
    original_init = function.__init__

    def init(self: Any, account_id: str, spec: dict[str, Any], *args: Any, **kw: Any) -> None:
        original_init(self, account_id, spec, *args, **kw)
        self.seccat_logging = spec.get("LoggingConfig")
        self.seccat_lock = threading.Lock()

    function.__init__ = init
    original_config = function.get_configuration

    def get_configuration(self: Any, on_create: bool = False) -> dict[str, Any]:
        config = original_config(self, on_create)
        if getattr(self, "seccat_logging", None):
            config["LoggingConfig"] = dict(self.seccat_logging)
        return config

    function.get_configuration = get_configuration

    # -- Lambda GetFunction: Code.Location downloads the deployed zip ----------------------
    # AWS returns "a presigned URL that you can use to download the deployment package";
    # moto names a host nobody serves. Here the zip is put in this server's S3 and the URL
    # is a real presigned GET of it (what `seccat verify` compares with the packaged code).
    original_get_code = function.get_code

    def get_code(self: Any) -> dict[str, Any]:
        import boto3
        from moto.s3.models import s3_backends

        resp = original_get_code(self)
        if not self.code_bytes:
            return resp
        bucket = f"seccat-moto-lambda-code-{self.account_id}"
        s3 = s3_backends[self.account_id][self.partition]
        if bucket not in s3.buckets:
            s3.create_bucket(bucket, self.region)
        key = f"{self.function_name}/{self.code_digest}"
        s3.put_object(bucket, key, self.code_bytes)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        url = client.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600
        )
        resp["Code"] = {"RepositoryType": "S3", "Location": url}
        return resp

    function.get_code = get_code

    def unpack(data: bytes, kind: str) -> Path:
        digest = hashlib.sha256(data).hexdigest()[:16]
        folder = scratch / f"{kind}-{digest}"
        if not folder.exists():
            tmp = scratch / f".{kind}-{digest}-{uuid.uuid4().hex}"
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(tmp)
            with contextlib.suppress(OSError):
                tmp.rename(folder)
        return folder

    def invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        code = unpack(self.code_bytes, "code")
        paths = [str(code)]
        backend = lambda_models.lambda_backends[self.account_id][self.region]
        for layer in self.layers or []:
            version = backend.layers_versions_by_arn(layer["Arn"])
            paths.append(str(unpack(version.code_bytes, "layer") / "python"))
        account = self.role.split(":")[4]
        creds = sts_backends[account]["aws"].assume_role(
            region_name=self.region,
            role_session_name=self.function_name[:64],
            role_arn=self.role,
            policy="",
            duration=900,
            external_id="",
        )
        request_id = str(uuid.uuid4())
        env = {
            "PATH": os.environ.get("PATH", ""),
            **{k: str(v) for k, v in (self.environment_vars or {}).items()},
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_LAMBDA_FUNCTION_NAME": self.function_name,
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "PYTHONPATH": os.pathsep.join(paths),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        body = event if isinstance(event, str) else json.dumps(event or {})
        with self.seccat_lock:  # reserved concurrency 1, as seccat deploys them
            done = subprocess.run(
                [sys.executable, "-c", _BOOTSTRAP, self.handler, request_id],
                input=body,
                capture_output=True,
                text=True,
                env=env,
                cwd=code,
                timeout=max(30, int(self.timeout or 30) * 2),
            )
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        result = "null"
        logged = []
        for line in lines:
            try:
                parsed = json.loads(line)
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict) and "__seccat_result__" in parsed:
                result = json.dumps(parsed["__seccat_result__"])
            else:
                logged.append(line)
        if done.returncode != 0 and not any('"ERROR"' in line for line in logged):
            logged.append(
                json.dumps(
                    {
                        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                        "level": "ERROR",
                        "errorMessage": "Runtime exited: " + done.stderr.strip()[-500:],
                        "errorType": "Runtime.ExitError",
                        "requestId": request_id,
                    }
                )
            )
        group = (getattr(self, "seccat_logging", None) or {}).get("LogGroup") or (
            f"/aws/lambda/{self.function_name}"
        )
        logs = logs_backends[self.account_id][self.region]
        with contextlib.suppress(Exception):
            logs.create_log_group(group, {})
        stream = time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()) + uuid.uuid4().hex
        logs.create_log_stream(group, stream)
        now = int(time.time() * 1000)
        logs.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in logged])
        errored = done.returncode != 0
        if errored and getattr(_ROTATING, "active", False):
            raise _StepFailed(self.function_name)
        return result, errored, "\n".join(logged)

    function._invoke_lambda = invoke_lambda


def serve(port: int) -> None:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    scratch = Path(tempfile.mkdtemp(prefix="seccat-lambda-"))
    _patch(f"http://127.0.0.1:{port}", scratch)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def running_moto_ops() -> Iterator[MotoServer]:
    """Start the patched moto server on 127.0.0.1, yield it, stop it."""
    root = Path(tempfile.mkdtemp(prefix="seccat-moto-ops-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        log_file = root / "server.log"
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}"
        with log_file.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "servers.moto_ops", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=root,
                env={
                    "PATH": os.environ.get("PATH", ""),
                    "HOME": str(root),
                    "PYTHONPATH": str(TESTS),
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                },
            )
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if _ready(endpoint):
                break
            time.sleep(0.05)
        if proc.poll() is not None or not _ready(endpoint):
            raise MotoUnavailable(
                "the operations moto server did not come up:\n"
                + log_file.read_text(errors="replace")[-2000:]
            )
        yield MotoServer(endpoint, log_file)
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
