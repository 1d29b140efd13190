"""A saved preview (`stacks --diff --base-preview`) or baseline (`check --baseline`) named
as a device is refused at once: /dev/zero never ends, and both were read until memory ran
out (a MemoryError traceback, or the machine's memory). A pipe is read like a file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _seccat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("stacks", "--diff", "--base-preview", "/dev/zero"), "--base-preview /dev/zero: "),
        (("check", "-s", "prod", "--baseline", "/dev/zero"), "/dev/zero: "),
    ],
)
def test_a_device_is_refused_at_once(args: tuple[str, ...], message: str) -> None:
    done = _seccat(*args)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr[-500:]
    assert done.stderr == f"seccat: error: {message}not a regular file\n"


def test_a_pipe_is_read_like_a_file(tmp_path: Path) -> None:
    """Negative control: process substitution (a FIFO) still works."""
    fifo = tmp_path / "saved.fifo"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "seccat.cli", "stacks", "--diff", "--base-preview", str(fifo)]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as reader:
        fifo.write_text('{"schemaVersion": 1, "stack": "qa", "resources": []}')
        out, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert out.splitlines()[0] == f"# dev: not in {fifo}, nothing to compare"
