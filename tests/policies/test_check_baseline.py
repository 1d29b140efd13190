"""`seccat check --baseline/--base/--new-only/--changed-only/--hard-fail-on/--soft-fail-on`
and `seccat rules`, as CI runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.checking.fail_policy import FailPolicyError, parse_fail_policy
from seccat.checking.findings import Finding
from seccat.policies.registry import RULES

ROOT = Path(__file__).resolve().parents[2]
#: catalog.yaml with two waived findings: the pre-existing, unchanged ones.
GOOD = (ROOT / "tests" / "fixtures" / "waived-catalog.yaml").read_text()
#: Two confidential secrets now rotate every 120 days: past their 90-day limit.
LONGER = GOOD.replace("    rotation: {every: 60d}\n", "    rotation: {every: 120d}\n").replace(
    "    classification: confidential\n    rotation: {every: 90d, by: owner}\n",
    "    classification: confidential\n    rotation: {every: 120d, by: owner}\n",
)
assert LONGER.count("every: 120d") == 3  # the two changed, and the waived partner-tls
LDAP = "secret 'identity/ldap-bind-password' may go 120 days between rotations; the limit for confidential is 90 days"  # noqa: E501
OAUTH = "secret 'identity/oauth-client-secret' may go 120 days between rotations; the limit for confidential is 90 days"  # noqa: E501


def seccat(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base.yaml (the example), catalog.yaml (LONGER), and base's prod result saved."""
    path = tmp_path_factory.mktemp("baseline")
    (path / "base.yaml").write_text(GOOD)
    (path / "catalog.yaml").write_text(LONGER)
    saved = seccat(
        "check", "-s", "prod", "-c", "base.yaml", "-f", "json", "-o", "prod.json", cwd=path
    )
    assert saved.returncode == 0, saved.stderr
    return path


def _findings(stdout: str) -> list[tuple[str, str, str | None]]:
    """Findings that are not waived (the waived ones are asserted where they matter)."""
    return [
        (f["ruleId"], f["message"], f.get("baselineState"))
        for f in json.loads(stdout)["findings"]
        if not f["waived"]
    ]


def _waived(stdout: str) -> set[tuple[str, str, str | None]]:
    return {
        (f["ruleId"], f["target"], f.get("baselineState"))
        for f in json.loads(stdout)["findings"]
        if f["waived"]
    }


def test_without_a_baseline_every_mandatory_finding_fails(folder: Path) -> None:
    done = seccat("check", "-s", "prod", "-f", "json", cwd=folder)
    assert done.returncode == 1
    assert "baselineState" not in done.stdout  # unchanged contract without a baseline
    assert [m for r, m, _ in _findings(done.stdout) if r == "SECCAT-CAT-006"] == [LDAP, OAUTH]


def test_a_baseline_marks_findings_and_only_new_ones_fail(folder: Path) -> None:
    done = seccat("check", "-s", "prod", "-f", "json", "--baseline", "prod.json", cwd=folder)
    assert done.returncode == 1
    found = _findings(done.stdout)
    assert ("SECCAT-CAT-006", LDAP, "new") in found and ("SECCAT-CAT-006", OAUTH, "new") in found
    assert _waived(done.stdout) == {
        ("SECCAT-CAT-006", "payments/partner-tls", "unchanged"),
        ("SECCAT-CAT-006", "data/segment-write-key", "unchanged"),
    }
    only = seccat("check", "-s", "prod", "--baseline", "prod.json", "--new-only", cwd=folder)
    assert only.returncode == 1
    assert [line.split(": ", 2)[2] for line in only.stdout.splitlines()[:-1]] == [
        f"SECCAT-CAT-006 high: {LDAP}",
        f"SECCAT-CAT-006 high: {OAUTH}",
    ]
    # the base against itself: everything is known, nothing fails, --new-only shows nothing
    same = seccat(
        "check",
        "-s",
        "prod",
        "-c",
        "base.yaml",
        "--baseline",
        "prod.json",
        "--new-only",
        cwd=folder,
    )
    assert same.returncode == 0
    assert same.stdout.splitlines()[:-1] == []


def test_sarif_carries_the_baseline_state(folder: Path) -> None:
    done = seccat("check", "-s", "prod", "-f", "sarif", "--base", "base.yaml", cwd=folder)
    results = json.loads(done.stdout)["runs"][0]["results"]
    assert sorted({r["baselineState"] for r in results}) == ["new", "unchanged"]
    assert done.returncode == 1


def test_changed_only_reports_what_the_change_touches(folder: Path) -> None:
    base = seccat(
        "check", "-s", "prod", "-f", "json", "--base", "base.yaml", "--changed-only", cwd=folder
    )
    targets = sorted({f["target"] for f in json.loads(base.stdout)["findings"]})
    # the two rotations changed; the waived secrets did not
    assert targets == ["identity/ldap-bind-password", "identity/oauth-client-secret"]
    assert base.returncode == 1


def test_hard_and_soft_fail_on_from_the_command_line(folder: Path) -> None:
    soft = seccat("check", "-s", "prod", "--soft-fail-on", "high", cwd=folder)
    assert soft.returncode == 0
    assert soft.stdout.splitlines()[-1].endswith("0 mandatory, 2 advisory, 2 waived")
    # a rule id beats a severity: the rule still fails although high is soft
    rule = seccat(
        "check",
        "-s",
        "prod",
        "--soft-fail-on",
        "high",
        "--hard-fail-on",
        "SECCAT-CAT-006",
        cwd=folder,
    )
    assert rule.returncode == 1
    typo = seccat("check", "-s", "prod", "--hard-fail-on", "SECCAT-CAT-06", cwd=folder)
    assert typo.returncode == 2
    assert typo.stderr == (
        "seccat: error: --hard-fail-on 'SECCAT-CAT-06': not a severity (critical, high, medium, "
        "low) or a rule id (seccat rules lists them); did you mean SECCAT-CAT-006?\n"
    )


def test_baseline_usage_errors(folder: Path, tmp_path: Path) -> None:
    wrong = seccat("check", "-s", "dev", "--baseline", "prod.json", cwd=folder)
    assert (wrong.returncode, wrong.stderr) == (
        2,
        "seccat: error: prod.json: the baseline is of stack 'prod', not 'dev'; "
        "save one per stack\n",
    )
    (tmp_path / "x.json").write_text("[]")
    junk = seccat("check", "-s", "prod", "--baseline", str(tmp_path / "x.json"), cwd=folder)
    assert junk.returncode == 2 and "not a `seccat check --format json` result" in junk.stderr
    alone = seccat("check", "-s", "prod", "--new-only", cwd=folder)
    assert (
        alone.stderr
        == "seccat: error: --new-only needs a baseline: --baseline FILE or --base REVISION\n"
    )
    scope = seccat("check", "-s", "prod", "--changed-only", cwd=folder)
    assert (
        scope.stderr == "seccat: error: --changed-only needs --base (the catalog to compare with)\n"
    )


def _finding(rule: str, severity: str, enforcement: str) -> Finding:
    return Finding(rule, severity, enforcement, "m", "catalog", "c.yaml", 1, 1)  # type: ignore[arg-type]


def test_fail_policy_precedence() -> None:
    policy = parse_fail_policy(["medium", "SECCAT-CAT-002"], ["high", "SECCAT-AWS-001"])
    # hard severity medium..critical, soft low..high: overlapping, hard wins at the same level
    assert policy.level(_finding("SECCAT-KMS-001", "high", "advisory")) == "mandatory"
    assert policy.level(_finding("SECCAT-KMS-001", "low", "mandatory")) == "advisory"
    # a rule id beats any severity
    assert policy.level(_finding("SECCAT-AWS-001", "critical", "mandatory")) == "advisory"
    assert policy.level(_finding("SECCAT-CAT-002", "low", "advisory")) == "mandatory"
    # nothing given: the pack decides
    assert parse_fail_policy([], []).level(_finding("SECCAT-X", "high", "advisory")) == "advisory"
    with pytest.raises(FailPolicyError, match="SECCAT-CAT-002 is in both"):
        parse_fail_policy(["SECCAT-CAT-002"], ["seccat-cat-002"])


def test_rules_lists_every_rule_with_its_enforcement_per_pack(tmp_path: Path) -> None:
    done = seccat("rules", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0
    rules = json.loads(done.stdout)["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    cat7 = next(r for r in rules if r["id"] == "SECCAT-CAT-007")
    assert set(cat7["enforcement"].values()) == {"mandatory"}  # always on
    aws1 = next(r for r in rules if r["id"] == "SECCAT-AWS-001")
    assert aws1["enforcement"] == {
        "baseline": "mandatory",
        "pci-dss-4": "disabled",
        "soc2": "disabled",
        "nist-800-53-r5": "disabled",
        "cis-aws-3": "disabled",
    }
    text = seccat("rules", cwd=tmp_path).stdout.splitlines()
    assert text[0].split() == [
        "ID",
        "SEVERITY",
        "SCOPE",
        "baseline",
        "pci-dss-4",
        "soc2",
        "nist-800-53-r5",
        "cis-aws-3",
    ]
    assert text[1].split() == ["SECCAT-AWS-001", "high", "resource", "mandatory", *["disabled"] * 4]
    markdown = seccat("rules", "--format", "markdown", cwd=tmp_path).stdout.splitlines()
    assert len(markdown) == 2 + len(RULES)
    assert markdown[2].startswith("| [`SECCAT-AWS-001`](docs/policies.md#seccat-aws-001) |")


def test_the_clis_light_copies_match_their_sources() -> None:
    """The CLI names these without importing the engine (fast --help); they must agree."""
    from seccat.catalog.model import CLASSIFICATION_RANK
    from seccat.cli import diff, rules
    from seccat.diff import model
    from seccat.policies.packs import FRAMEWORKS

    assert tuple(FRAMEWORKS) == rules.PACKS
    assert (diff.FAIL_ON, diff.DEFAULT_FAIL_ON) == (model.FAIL_ON, model.DEFAULT_FAIL_ON)
    assert tuple(CLASSIFICATION_RANK) == diff.CLASSIFICATIONS
