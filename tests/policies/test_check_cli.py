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


def test_clean_catalog_exits_0_without_a_waiver() -> None:
    """The owner-rotated secrets (certificates, vendor keys) pass on their own detective
    controls: the example catalog needs no waiver at all."""
    result = run("--stack", "prod", "--pack", "pci-dss-4")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "seccat check passed: stack prod, pack pci-dss-4, 169 resources, 0 mandatory, "
        "0 advisory, 0 waived"
    ]


def test_waived_findings_are_shown_and_pass(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace(
            "rotation: {every: 90d, by: owner}\n    consumers:\n      - {service: checkout-api",
            "rotation: {every: 120d, by: owner}\n    consumers:\n      - {service: checkout-api",
            1,
        )
        + "waivers:\n  - {rule: SECCAT-CAT-006, target: payments/partner-tls, reason: bank renews"
        " yearly, expires: '2099-01-01', approved_by: security@example.com}\n"
    )
    result = run("--stack", "prod", "--pack", "pci-dss-4", "--catalog", str(catalog))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("seccat check passed: stack prod, pack pci-dss-4")
    assert any(": note: SECCAT-CAT-006 high:" in line and "(waived until" in line for line in lines)


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
        .replace("{every: 30d, by: owner", "{every: 40x, by: owner", 1)
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
