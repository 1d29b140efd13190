"""`seccat status --at/--window` far from today: a usage error, not a traceback (a red-team
pass found ``OverflowError: date value out of range`` from ``--at 0001-01-01`` and from a
huge ``--window``). Checked before any connection, so no server is needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--at", "0001-01-01T00:00:00Z"],
            "seccat: error: --window 30: reaches before year 1 from 0001-01-01T00:00:00+00:00\n",
        ),
        (
            ["--at", "2026-01-01T00:00:00Z", "--window", "99999999999"],
            "seccat: error: --window 99999999999: reaches before year 1 from "
            "2026-01-01T00:00:00+00:00\n",
        ),
    ],
)
def test_dates_out_of_range_are_a_usage_error(args: list[str], message: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VAULT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "status", "--stack", "dev", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
