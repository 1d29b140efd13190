# ruff: noqa: E501 - a catalog line is kept whole
"""`seccat validate [CATALOG]` without the command-line framework (seccat.cli.entry) is the
framework's `seccat validate`: the same stdout, stderr and exit code, byte for byte, for
valid, invalid, colliding and unreadable catalogs; every other command line goes to the
framework."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.cli import entry

ROOT = Path(__file__).resolve().parents[2]

#: The two ways in: the plain entry point (what the `seccat` script and `python -m
#: seccat.cli` run), and the framework's app called directly.
ENTRY = "import sys; from seccat.cli.entry import main; main(prog_name='seccat')"
FRAMEWORK = "import sys; from seccat.cli import app; app(prog_name='seccat')"
#: Prints, at exit, whether the framework was imported (after seccat's own exit hooks).
PROBE = (
    "import atexit, sys; "
    "atexit.register(lambda: sys.stderr.write(f'typer={\"typer\" in sys.modules}\\n')); "
)

COLLIDING = """\
version: 1
teams:
  data: {contact: data@example.com, aws: {owner_role: data-owner}}
environments:
  dev: {aws: {account_id: "111111111111", region: eu-west-1}}
services:
  rotate-token: {team: data, aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/r"}}}
secrets:
  token: {description: x, owner: data, type: api-key, store: aws-secretsmanager, classification: internal, environments: [dev], rotation: {every: 30d}, consumers: [{service: rotate-token, access: read}]}
"""


def _run(code: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("SECCAT_ENGINE", None)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )


def _same(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    plain, framework = _run(ENTRY, *args, cwd=cwd), _run(FRAMEWORK, *args, cwd=cwd)
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        framework.returncode,
        framework.stdout,
        framework.stderr,
    )
    return plain


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), 0),
        (("catalog.yaml",), 0),
        (("tests/fixtures/features-catalog.yaml",), 0),
        (("tests/fixtures/catalogs/semantic-errors.yaml",), 1),
        (("tests/fixtures/catalogs/schema-errors.yaml",), 1),
        (("./tests//fixtures/catalogs/../catalogs/minimal.yaml",), 0),
        (("no-such-catalog.yaml",), 2),
        (("tests",), 2),  # a directory
    ],
)
def test_the_plain_entry_prints_what_the_framework_prints(args: tuple[str, ...], code: int) -> None:
    assert entry.plain_validate(["validate", *args])
    result = _same("validate", *args)
    assert result.returncode == code
    assert result.stdout + result.stderr  # diagnostics, a summary, or why it cannot be read


def test_a_colliding_catalog_and_a_missing_default(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(COLLIDING)
    result = _same("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert b"generates the same names as service 'rotate-token'" in result.stdout
    (tmp_path / "catalog.yaml").unlink()
    assert _same("validate", cwd=tmp_path).returncode == 2


def test_only_the_plain_entry_skips_the_framework() -> None:
    """The point of it, and the negative control of the comparisons above: they compare two
    different code paths."""
    plain = _run(PROBE + ENTRY, "validate", "catalog.yaml")
    framework = _run(PROBE + FRAMEWORK, "validate", "catalog.yaml")
    assert plain.stderr.endswith(b"typer=False\n")
    assert framework.stderr.endswith(b"typer=True\n")
    assert plain.stderr.removesuffix(b"typer=False\n") == framework.stderr.removesuffix(
        b"typer=True\n"
    )
    options = _run(PROBE + ENTRY, "validate", "--format", "json", "catalog.yaml")
    assert options.returncode == 0
    assert options.stdout == b"[]\n"
    assert options.stderr.endswith(b"typer=True\n")


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["--version"],
        ["check"],
        ["validate", "--help"],
        ["validate", "-f", "json"],
        ["validate", "--max-diagnostics", "3", "catalog.yaml"],
        ["validate", "catalog.yaml", "extra"],
        ["validate", "-"],
        ["validate", ""],
        ["validate", "--", "catalog.yaml"],
        ["Validate", "catalog.yaml"],
    ],
)
def test_every_other_command_line_goes_to_the_framework(args: list[str]) -> None:
    assert not entry.plain_validate(args)


def test_the_environment_can_send_it_to_the_framework(monkeypatch: pytest.MonkeyPatch) -> None:
    assert entry.plain_validate(["validate", "catalog.yaml"])
    with monkeypatch.context() as patched:
        patched.setenv("SECCAT_ENGINE", "nope")  # the framework's usage error
        assert not entry.plain_validate(["validate", "catalog.yaml"])
    with monkeypatch.context() as patched:
        patched.setenv("SECCAT_ENGINE", "sdk")
        assert entry.plain_validate(["validate", "catalog.yaml"])
    with monkeypatch.context() as patched:
        patched.setenv("_SECCAT_COMPLETE", "bash_complete")  # shell completion
        assert not entry.plain_validate(["validate", "catalog.yaml"])
    with monkeypatch.context() as patched:  # a file this user may not read (root may)
        patched.setattr(entry.os, "access", lambda path, mode: False)
        assert not entry.plain_validate(["validate", "catalog.yaml"])
        assert entry.plain_validate(["validate", "no-such-catalog.yaml"])


def test_a_bad_engine_is_the_frameworks_usage_error() -> None:
    env_code = "import os; os.environ['SECCAT_ENGINE'] = 'nope'; "
    plain = _run(env_code + ENTRY, "validate", "catalog.yaml")
    framework = _run(env_code + FRAMEWORK, "validate", "catalog.yaml")
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        framework.returncode,
        framework.stdout,
        framework.stderr,
    )
    assert plain.returncode == 2


def test_the_engines_are_the_frameworks() -> None:
    from seccat.cli.app import ENGINES

    assert entry._ENGINES == ENGINES


def test_the_plain_entry_leaves_the_heap_frozen_for_shutdown() -> None:
    probe = (
        "import atexit, gc, sys; "
        "atexit.register(lambda: sys.stderr.write(f'frozen={gc.get_freeze_count() > 0}\\n')); "
    )
    result = _run(probe + ENTRY, "validate", "catalog.yaml")
    assert result.stderr.endswith(b"frozen=True\n")
