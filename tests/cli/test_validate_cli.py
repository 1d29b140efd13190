"""`seccat validate` and `seccat schema` as CI runs them: a subprocess, output, exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "catalogs"


def seccat(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_example_catalog_is_valid_by_default() -> None:
    result = seccat("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.strip() == "catalog.yaml: valid (13 secrets, 6 services, 3 environments)"


def test_invalid_catalog_text() -> None:
    result = seccat("validate", "tests/fixtures/catalogs/semantic-errors.yaml")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    assert lines[0] == (
        "tests/fixtures/catalogs/semantic-errors.yaml:8:24: error: services.checkout-api.team: "
        "unknown team 'payment'; did you mean 'payments'? (UNKNOWN_REF)"
    )
    assert result.stderr.strip() == (
        "tests/fixtures/catalogs/semantic-errors.yaml: 12 error(s); the catalog is invalid"
    )
    assert "Traceback" not in result.stderr


def test_invalid_catalog_json() -> None:
    result = seccat("validate", "tests/fixtures/catalogs/schema-errors.yaml", "--format", "json")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert items[6] == {
        "file": "tests/fixtures/catalogs/schema-errors.yaml",
        "line": 13,
        "column": 23,
        "path": "secrets.payments/stripe-api-key.rotation.every",
        "message": "'40x' is not a duration (a whole number and a unit: s, m, h, d or w, e.g. "
        "30d or 4h)",
        "code": "SCHEMA",
        "severity": "error",
    }
    assert len(items) == 12
    assert [(i["line"], i["column"]) for i in items] == sorted(
        (i["line"], i["column"]) for i in items
    )


def test_valid_catalog_json_is_an_empty_list() -> None:
    result = seccat("validate", "catalog.yaml", "-f", "json")
    assert result.returncode == 0
    assert json.loads(result.stdout) == []


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    missing = seccat("validate", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    assert missing.stdout.strip() == (
        f"{tmp_path / 'nope.yaml'}:1:1: error: cannot read the catalog: no such file (READ)"
    )
    directory = seccat("validate", str(tmp_path))
    assert directory.returncode == 2
    assert directory.stdout == (
        f"{tmp_path}:1:1: error: cannot read the catalog: a directory, not a regular file (READ)\n"
    )
    locked = tmp_path / "locked.yaml"
    locked.write_text("version: 1\n")
    locked.chmod(0)
    try:
        # root reads anything: then use a path whose folder does not exist instead
        target = str(tmp_path / "nope" / "x.yaml") if os.geteuid() == 0 else str(locked)
        result = seccat("validate", target)
        assert result.returncode == 2
        assert "(READ)" in result.stdout
    finally:
        locked.chmod(0o600)


def test_usage_error_exits_2() -> None:
    result = seccat("validate", "--format", "xml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_hostile_inputs_never_trace(tmp_path: Path) -> None:
    # every hostile input is covered in-process by tests/catalog; these prove the CLI path
    cases = {
        "bomb.yaml": (FIXTURES / "alias-bomb.yaml").read_bytes(),
        "big.yaml": b"a: " + b"x" * (10 * 1024 * 1024),
        "list.yaml": b"- 1\n- 2\n",
    }
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        result = seccat("validate", name, cwd=tmp_path)
        assert result.returncode == 1, (name, result.stderr)
        assert "Traceback" not in result.stderr, name
        assert result.stdout.startswith(f"{name}:1:") or result.stdout.startswith(f"{name}:"), name
    top = seccat("validate", "list.yaml", cwd=tmp_path)
    assert top.stdout.splitlines() == [
        "list.yaml:1:1: error: expected a mapping, got a list (SCHEMA)"
    ]


def test_help_shows_examples() -> None:
    result = seccat("validate", "--help")
    assert result.returncode == 0
    assert "seccat validate --format json > diagnostics.json" in result.stdout
    assert "Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable file." in result.stdout


def test_schema_prints_the_schema_file() -> None:
    result = seccat("schema")
    assert result.returncode == 0
    assert result.stdout == (ROOT / "schema" / "catalog.schema.json").read_text()
    assert json.loads(result.stdout)["title"] == "seccat catalog v1"
