"""Every command freezes the heap at exit, so the interpreter's last cycle collection does
not rescan a large catalog and preview (a measured speedup, see docs/benchmarks.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# An exit hook registered before seccat is imported runs after seccat's own (LIFO): it
# reports how many objects are frozen when the interpreter starts shutting down.
_PROBE = """
import atexit, gc, sys
atexit.register(lambda: sys.stderr.write(f"frozen={gc.get_freeze_count() > 0}\\n"))
from seccat.cli import app
app(prog_name="seccat", args=sys.argv[1:])
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_a_command_leaves_the_heap_frozen_for_shutdown():
    result = _run("validate", "catalog.yaml")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == (
        "catalog.yaml: valid (13 secrets, 6 services, 3 environments)\nfrozen=True\n"
    )


def test_without_a_command_nothing_is_frozen():
    # negative control: --help never reaches the callback that registers the freeze
    result = _run("--help")
    assert result.returncode == 0
    assert result.stderr.endswith("frozen=False\n")


def test_the_exit_hook_is_registered_once_per_process():
    code = (
        "import atexit\n"
        "n = atexit._ncallbacks()\n"
        "from seccat.cli.app import skip_final_collection as skip\n"
        "skip(); skip(); skip()\n"
        "print(atexit._ncallbacks() - n)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout == "1\n"
