"""`seccat check` as CI runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]
BAD = "tests/fixtures/bad-catalog.yaml"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SECCAT, "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


def test_clean_catalog_exits_0_with_waived_findings_shown() -> None:
    result = run("--stack", "prod", "--pack", "pci-dss-4")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("seccat check passed: stack prod, pack pci-dss-4")
    assert any(": note: SECCAT-AWS-002 high:" in line and "(waived until" in line for line in lines)


def test_mandatory_violations_exit_1_and_sarif_goes_to_the_out_file(tmp_path: Path) -> None:
    out = tmp_path / "seccat.sarif"
    result = run("--stack", "prod", "--catalog", BAD, "--format", "sarif", "--out", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "seccat check FAILED: stack prod, pack baseline" in result.stderr
    document = json.loads(out.read_text())
    located = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in document["runs"][0]["results"]
    }
    assert ("SECCAT-AWS-003", 43) in located and ("SECCAT-VLT-008", 76) in located
    assert (
        document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
            "uri"
        ]
        == BAD
    )


def test_usage_errors_exit_2_and_an_invalid_catalog_exits_1(tmp_path: Path) -> None:
    unknown_pack = run("--stack", "prod", "--pack", "hipaa")
    assert unknown_pack.returncode == 2
    assert "unknown pack 'hipaa'" in unknown_pack.stderr
    nope = tmp_path / "nope.yaml"
    missing = run("--stack", "prod", "--catalog", str(nope))
    assert missing.returncode == 2
    assert missing.stdout.splitlines() == [
        f"{nope}:1:1: error: cannot read the catalog: no such file (READ)",
        "seccat check FAILED: stack prod, pack baseline: the catalog cannot be read (1 error); "
        "no rule ran",
    ]
    as_sarif = run("--stack", "prod", "--catalog", str(nope), "--format", "sarif")
    assert (
        as_sarif.returncode == 2
        and as_sarif.stderr == f"{nope}:1:1: error: cannot read the catalog: no such file (READ)\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace("{every: 30d, window: 2h", "{every: 40x, window: 2h", 1)
    )
    invalid = run("--stack", "prod", "--catalog", str(broken))
    assert invalid.returncode == 1
    line, column = _position(broken, "every: 40x")
    # the text report is the diagnostics, then the verdict: no rule ran, so no waiver can
    # hide a schema error
    assert invalid.stdout.splitlines() == [
        f"{broken}:{line}:{column}: error: secrets.payments/stripe-api-key.rotation.every: "
        "'40x' is not a duration (a whole number and a unit: s, m, h, d or w, e.g. 30d or 4h) "
        "(SCHEMA)",
        "seccat check FAILED: stack prod, pack baseline: the catalog is invalid (1 error); "
        "no rule ran",
    ]
    assert invalid.stderr == ""  # the report on stdout says it all, once


def _position(path: Path, text: str) -> tuple[int, int]:
    """1-based line and column of the value after ``key: `` in ``text``'s first occurrence."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number, line.index(text) + text.index(":") + 3
    raise AssertionError(f"{text!r} not in {path}")
