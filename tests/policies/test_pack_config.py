"""Pack configs that tell you when you are wrong: a misspelt rule id or option is a located
error with the closest known one, never silently ignored, and `--pack` suggests the pack a
short name means. Each case is the exact message a user sees."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.checking.packs import PackError, load_pack, parse_pack

ROOT = Path(__file__).resolve().parents[2]
KNOWN = "baseline, pci-dss-4, soc2, nist-800-53-r5, cis-aws-3, or a config JSON file"


def _errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mine.json"
    path.write_text(text)
    with pytest.raises(PackError) as caught:
        load_pack(str(path))
    assert str(caught.value) == "\n".join(d.render() for d in caught.value.diagnostics)
    return [d.render().removeprefix(f"{path}:") for d in caught.value.diagnostics]


def test_unknown_rule_ids_and_options_are_located_errors_with_did_you_mean(
    tmp_path: Path,
) -> None:
    text = (
        "{\n"
        '  "all": "advisory",\n'
        '  "SECCAT-AWS-03": "mandatory",\n'
        '  "SECCAT-LMB-004": {"enforcementLevel": "mandatory", "minRetentionDay": 30},\n'
        '  "SECCAT-IAM-001": {"enforcementLevel": "loud", "threshold": 1},\n'
        '  "seccat-kms-001": "advisory",\n'
        '  "NO-SUCH-RULE": "advisory"\n'
        "}\n"
    )
    assert _errors(tmp_path, text) == [
        "3:3: error: unknown rule 'SECCAT-AWS-03'; did you mean 'SECCAT-AWS-003'? (PACK)",
        "4:55: error: SECCAT-LMB-004: unknown option 'minRetentionDay'; did you mean "
        "'minRetentionDays'? (PACK)",
        "5:22: error: SECCAT-IAM-001.enforcementLevel 'loud' is not a level (one of advisory, "
        "mandatory, disabled, remediate) (PACK)",
        "5:50: error: SECCAT-IAM-001: unknown option 'threshold' (SECCAT-IAM-001 takes only "
        "enforcementLevel) (PACK)",
        "6:3: error: unknown rule 'seccat-kms-001'; did you mean 'SECCAT-KMS-001'? (PACK)",
        "7:3: error: unknown rule 'NO-SUCH-RULE' (every rule id is listed in "
        "docs/policies.md) (PACK)",
    ]


def test_an_option_of_the_wrong_type_is_located_too(tmp_path: Path) -> None:
    text = '{\n  "SECCAT-LMB-004": {"minRetentionDays": "a year", "bogus": true}\n}\n'
    assert _errors(tmp_path, text) == [
        "2:22: error: SECCAT-LMB-004.minRetentionDays: 'a year' is not of type 'integer' (PACK)",
        "2:52: error: SECCAT-LMB-004: unknown option 'bogus' (SECCAT-LMB-004 takes: "
        "enforcementLevel, minRetentionDays) (PACK)",
    ]


def test_invalid_json_is_located(tmp_path: Path) -> None:
    assert _errors(tmp_path, '{\n  "all": "advisory",\n}\n') == [
        "3:1: error: not valid JSON: Expecting property name enclosed in double quotes (PACK)"
    ]


def test_a_valid_custom_pack_still_loads() -> None:
    pack = parse_pack("x", {"all": "advisory", "SECCAT-LMB-004": {"minRetentionDays": 30}})
    assert pack.level("SECCAT-IAM-001") == "advisory"
    assert pack.rule_config("SECCAT-LMB-004")["minRetentionDays"] == 30


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("pci", f"unknown pack 'pci'; did you mean 'pci-dss-4'? (known: {KNOWN})"),
        ("nist", f"unknown pack 'nist'; did you mean 'nist-800-53-r5'? (known: {KNOWN})"),
        ("soc", f"unknown pack 'soc'; did you mean 'soc2'? (known: {KNOWN})"),
        ("CIS", f"unknown pack 'CIS'; did you mean 'cis-aws-3'? (known: {KNOWN})"),
        ("pcidss4", f"unknown pack 'pcidss4'; did you mean 'pci-dss-4'? (known: {KNOWN})"),
        ("baselin", f"unknown pack 'baselin'; did you mean 'baseline'? (known: {KNOWN})"),
        ("hipaa", f"unknown pack 'hipaa' (known: {KNOWN})"),
        (
            "configs/pci.json",
            "pack config configs/pci.json: no such file (packs: baseline, pci-dss-4, soc2, "
            "nist-800-53-r5, cis-aws-3, or a config JSON file)",
        ),
    ],
)
def test_pack_names_suggest_the_closest_pack(given: str, expected: str) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(given)
    assert str(caught.value) == expected
    assert caught.value.diagnostics == []


def _check(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "check", "--stack", "prod", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )


def test_cli_unknown_pack_is_a_usage_error_with_the_suggestion(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    result = _check("--pack", "pci", "--format", "sarif", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr == (
        f"seccat: error: unknown pack 'pci'; did you mean 'pci-dss-4'? (known: {KNOWN})\n"
    )
    assert not out.exists()  # a usage error: no report


def test_cli_broken_pack_file_still_writes_the_report(tmp_path: Path) -> None:
    pack = tmp_path / "mine.json"
    pack.write_text('{\n  "SECCAT-AWS-03": "mandatory"\n}\n')
    out = tmp_path / "report.json"
    result = _check("--pack", str(pack), "--format", "json", "--out", str(out))
    assert result.returncode == 2
    expected = (
        f"{pack}:2:3: error: unknown rule 'SECCAT-AWS-03'; did you mean 'SECCAT-AWS-003'? (PACK)"
    )
    assert result.stderr.splitlines() == [expected]
    report = json.loads(out.read_text())
    assert report["passed"] is False
    assert report["stopped"] == "the pack configuration is invalid"
    assert report["pack"] == "mine"
    assert [(d["file"], d["line"], d["code"]) for d in report["diagnostics"]] == [
        (str(pack), 2, "PACK")
    ]
