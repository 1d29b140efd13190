"""What the rotation, rollback and status tests share: the CLI as a subprocess, reading
stages and logging in to PostgreSQL, and the generated resource policies enforced on a
connection (moto enforces none)."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import psycopg
from botocore.exceptions import ClientError
from iam_evaluator import Principal, decide
from typer.testing import CliRunner

import seccat.engine.preview as engine
from operations.conftest import ENV, World
from seccat.catalog.loader import load_catalog
from seccat.cli import app

SECCAT = [sys.executable, "-m", "seccat.cli"]


def seccat(
    world: World, *args: str, role_arn: str | None = None, **env: str
) -> subprocess.CompletedProcess[bytes]:
    """`seccat ARGS --catalog catalog.yaml` in the world's folder, stdin not a terminal."""
    extra = {"role_arn": role_arn} if role_arn else {}
    return subprocess.run(
        [*SECCAT, *args, "--catalog", "catalog.yaml"],
        cwd=world.root,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=world.cli_env(**extra, **env),
        timeout=600,
    )


def on_a_terminal(
    world: World, *args: str, typed: bytes | None = None, **env: str
) -> tuple[int, bytes, bytes]:
    """`seccat ARGS --catalog catalog.yaml` with stderr on a pseudo-terminal (120 columns)
    and stdout on a pipe: (exit code, stdout bytes, what the terminal received). With
    ``typed``, stdin is the terminal too and a person types those bytes into it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    wanted = {k: v for k, v in world.cli_env(**env).items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = subprocess.Popen(
        [*SECCAT, *args, "--catalog", "catalog.yaml"],
        cwd=world.root,
        stdin=subprocess.DEVNULL if typed is None else slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**wanted, "TERM": "xterm-256color"},
    )
    os.close(slave)
    if typed is not None:
        os.write(master, typed)  # the terminal holds the line until the prompt reads it
    stdout, _ = process.communicate(timeout=600)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, stdout, b"".join(received)


@dataclass
class Ran:
    """A command's exit code and output bytes (subprocess or in-process alike)."""

    returncode: int
    stdout: bytes
    stderr: bytes


_run_preview = engine.run_preview


@cache
def _cached_preview(catalog: str, stack: str, mtime: float, config: str) -> Any:
    return _run_preview(load_catalog(catalog), stack, catalog, stack_config=json.loads(config))


def cli(world: World, *args: str, role_arn: str | None = None, **env: str) -> Ran:
    """`seccat ARGS --catalog catalog.yaml` run in this process (click's runner), in the
    world's folder, with the operator's environment: the same code path as the subprocess
    minus interpreter start-up, and with each environment's offline preview computed once
    per session (it is a pure function of the catalog file). stdin is not a terminal."""
    extra = {"role_arn": role_arn} if role_arn else {}
    wanted = world.cli_env(**extra, **env)
    overrides: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(("AWS_", "VAULT_", "SECCAT_"))
    }
    overrides |= {k: v for k, v in wanted.items() if os.environ.get(k) != v}
    original = engine.run_preview

    def run_preview(catalog: Any, stack: str, path: Any, **kwargs: Any) -> Any:
        resolved = Path(path).resolve()
        config = json.dumps(kwargs.get("stack_config") or {}, sort_keys=True)
        return _cached_preview(str(resolved), stack, resolved.stat().st_mtime, config)

    here = Path.cwd()
    engine.run_preview = run_preview  # type: ignore[assignment]
    os.chdir(world.root)
    try:
        result = CliRunner().invoke(app, [*args, "--catalog", "catalog.yaml"], env=overrides)
    finally:
        os.chdir(here)
        engine.run_preview = original  # type: ignore[assignment]
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Ran(result.exit_code, result.stdout_bytes, result.stderr_bytes)


def stages(world: World, secret_id: str) -> dict[str, list[str]]:
    described = world.sm().describe_secret(SecretId=f"{ENV}/{secret_id}")
    return {v: sorted(s) for v, s in (described.get("VersionIdsToStages") or {}).items() if s}


def version_with(world: World, secret_id: str, stage: str) -> str | None:
    found = [v for v, s in stages(world, secret_id).items() if stage in s]
    assert len(found) <= 1, (secret_id, stage, found)
    return found[0] if found else None


def value(world: World, secret_id: str, stage: str = "AWSCURRENT") -> str:
    return world.sm().get_secret_value(SecretId=f"{ENV}/{secret_id}", VersionStage=stage)[
        "SecretString"
    ]


def tags(world: World, secret_id: str) -> dict[str, str]:
    described = world.sm().describe_secret(SecretId=f"{ENV}/{secret_id}")
    return {t["Key"]: t["Value"] for t in described.get("Tags") or []}


def logs_in(world: World, user: str, password: str, dbname: str = "opsorders") -> bool:
    """A real login over TCP: the server checks the password (scram-sha-256)."""
    try:
        with world.postgres.connect(user, password, dbname) as conn:
            row = conn.execute("SELECT current_user").fetchone()
    except psycopg.OperationalError as exc:
        assert "password authentication failed" in str(exc), exc
        return False
    assert row == (user,)
    return True


def db_login(world: World, secret_id: str, stage: str = "AWSCURRENT") -> tuple[str, str]:
    data = json.loads(value(world, secret_id, stage))
    return data["username"], data["password"]


def kv_version(world: World, secret_id: str) -> int:
    target = world.targets().secrets[secret_id]
    assert target.vault is not None
    meta = world.root_vault().secrets.kv.v2.read_secret_metadata(
        path=target.vault.name, mount_point=target.vault.mount
    )
    return int(meta["data"]["current_version"])


def kv_value(world: World, secret_id: str, version: int | None = None) -> str:
    target = world.targets().secrets[secret_id]
    assert target.vault is not None
    return world.root_vault().secrets.kv.v2.read_secret_version(
        path=target.vault.name,
        version=version,
        mount_point=target.vault.mount,
        raise_on_deleted_version=True,
    )["data"]["data"]["value"]


#: A broad identity policy: the resource policy is what must stop a non-owner.
ALL_SECRETS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
}


def enforce_resource_policies(world: World, client: Any, principal_arn: str) -> list[str]:
    """Decide every Secrets Manager call ``client`` makes as ``principal_arn`` (identity
    policy: secretsmanager:* on everything) under the secret's live resource policy, with
    the team's IAM evaluator; refuse with AccessDeniedException as AWS would. Returns the
    list of (action) decisions made, for the test to check it ran."""
    observer = world.sm()
    decided: list[str] = []

    def before_call(model: Any, params: dict[str, Any], **_: Any) -> None:
        secret_id = params.get("SecretId")
        if not secret_id:
            return
        arn = observer.describe_secret(SecretId=secret_id)["ARN"]
        text = observer.get_resource_policy(SecretId=arn).get("ResourcePolicy")
        action = f"secretsmanager:{model.name}"
        decision = decide(
            Principal(arn=principal_arn),
            action,
            arn,
            [ALL_SECRETS],
            json.loads(text) if text else None,
        )
        decided.append(f"{action} {decision.value}")
        if not decision.allowed:
            raise ClientError(
                {
                    "Error": {
                        "Code": "AccessDeniedException",
                        "Message": f"User: {principal_arn} is not authorized to perform: "
                        f"{action} on resource: {arn} with an explicit deny in a "
                        "resource-based policy",
                    }
                },
                model.name,
            )

    client.meta.events.register("before-parameter-build.secrets-manager", before_call)
    return decided


def rotate_static_role(world: World, secret_id: str) -> None:
    """One rotation of a database static role, as `seccat rotate SECRET` does it (the
    ``duplicate item`` race of Vault's rotation queue included)."""
    from seccat.operations.rotate import Rotator, plan_rotation

    (outcome,) = Rotator(None, world.vault()).run(plan_rotation(world.targets(), secret=secret_id))
    assert outcome.status == "rotated", outcome.detail
