"""An AWS endpoint that is no URL (``--endpoint-url`` or ``AWS_ENDPOINT_URL``), or a
``VAULT_CACERT`` that does not exist, is a usage error on one line, exit 2; a red-team pass
found botocore's ``ValueError: Invalid endpoint`` and requests' ``OSError`` for the CA
bundle escaping as tracebacks with exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def seccat(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VAULT_"))}
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**clean, "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x", **env},
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["verify", "--stack", "dev", "--only", "aws", "--endpoint-url", "localhost:4566"],
            {},
            "seccat: error: cannot make an AWS sts client: Invalid endpoint: localhost:4566\n",
        ),
        (
            ["status", "--stack", "dev"],
            {"AWS_ENDPOINT_URL": "not a url\x1b[2J"},
            "seccat: error: cannot make an AWS sts client: Invalid endpoint: not a url\\x1b[2J\n",
        ),
        (
            ["events", "--stack", "dev", "--log-group", "-", "--endpoint-url", "moto"],
            {},
            "seccat: error: log group /seccat/dev/secret-lineage: Invalid endpoint: moto\n",
        ),
        (
            ["verify", "--stack", "prod", "--only", "vault"],
            {
                "VAULT_ADDR": "https://127.0.0.1:9",
                "VAULT_TOKEN": "x",
                "VAULT_CACERT": "/nonexistent/ca.pem",
            },
            "seccat: error: VAULT_CACERT=/nonexistent/ca.pem: no such file or folder of CA "
            "certificates\n",
        ),
    ],
)
def test_an_endpoint_that_is_no_url_is_a_usage_error(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = seccat(*args, **env)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
