"""A throwaway moto server (``moto_server``) on a free loopback port.

A real HTTP server, not the in-process ``mock_aws``: requests go through botocore's real
serialisation, signing and HTTP stack, and the server's answers through its real parsing,
as they would against AWS. Requests name their account with moto's ``x-moto-account-id``
header, so resources live in the account the catalog gives the environment and their ARNs
match the preview's.

A missing ``moto_server`` is an error, never a skip: the dev dependency ``moto[server]``
installs it into the virtualenv.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.client import BaseClient
from botocore.config import Config

from servers.ports import free_port

_START_ATTEMPTS = 3
_READY_TIMEOUT = 30.0
#: moto's header that selects the account a request acts in (moto/core/responses.py).
ACCOUNT_HEADER = "x-moto-account-id"
#: No retries: a server error must surface, not be retried into a different answer.
_CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60)


class MotoUnavailable(RuntimeError):
    """moto_server is missing or would not come up."""


@dataclass
class MotoServer:
    endpoint: str
    log_file: Path
    _clients: dict[tuple[str, str, str], BaseClient] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str, region: str, account: str) -> Any:
        """A boto3 client for ``service`` in ``region``, acting in ``account`` (cached;
        clients are thread-safe, their creation is serialised here)."""
        key = (service, region, account)
        with self._lock:
            return self._client(key)

    def _client(self, key: tuple[str, str, str]) -> Any:
        service, region, account = key
        if key not in self._clients:
            client = boto3.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
                config=_CLIENT_CONFIG,
            )

            def name_account(request: Any, **_: Any) -> None:
                request.headers[ACCOUNT_HEADER] = account

            client.meta.events.register("before-sign", name_account)
            self._clients[key] = client
        return self._clients[key]


def find_moto_server() -> Path:
    """``moto_server`` next to the running interpreter (the virtualenv), else on PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("moto_server")
    if found:
        return Path(found)
    raise MotoUnavailable(
        f"`moto_server` was found neither next to {sys.executable} nor on PATH; install the "
        "dev dependencies (`uv sync`, which brings moto[server]). Real-server tests fail "
        "rather than skip without it."
    )


def _ready(endpoint: str) -> bool:
    try:
        response = requests.get(f"{endpoint}/moto-api/data.json", timeout=1)
    except requests.RequestException:
        return False
    return response.status_code == 200


@contextlib.contextmanager
def running_moto() -> Iterator[MotoServer]:
    """Start ``moto_server`` on 127.0.0.1, wait until it answers, yield it, stop it."""
    binary = find_moto_server()
    root = Path(tempfile.mkdtemp(prefix="seccat-moto-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        log_file = root / "server.log"
        last = ""
        for _ in range(_START_ATTEMPTS):
            port = free_port()
            endpoint = f"http://127.0.0.1:{port}"
            with log_file.open("wb") as log:
                proc = subprocess.Popen(
                    [str(binary), "-H", "127.0.0.1", "-p", str(port)],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=root,
                    # No real credentials or endpoints may leak into the server's process.
                    env={
                        "PATH": os.environ.get("PATH", ""),
                        "HOME": str(root),
                        "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing",
                    },
                )
            deadline = time.monotonic() + _READY_TIMEOUT
            while time.monotonic() < deadline and proc.poll() is None:
                if _ready(endpoint):
                    break
                time.sleep(0.05)
            if proc.poll() is None and _ready(endpoint):
                yield MotoServer(endpoint, log_file)
                return
            last = log_file.read_text(errors="replace")[-2000:]
            _stop(proc)
            proc = None
        raise MotoUnavailable(f"moto_server did not come up:\n{last}")
    finally:
        if proc is not None:
            _stop(proc)
        shutil.rmtree(root, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
