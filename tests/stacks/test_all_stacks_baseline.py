"""`check --all-stacks` with `--baseline`/`--base`/`--new-only`: a split catalog's findings
matched across micro-stacks by their resources' URNs, as a pull request's CI compares them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BAD = (ROOT / "tests" / "fixtures" / "bad-catalog.yaml").read_text()
SPLIT = "stacks: {mode: split, budget: 60}\n"
#: A second restricted secret with the first one's flaws, inserted above it (so every old
#: finding moves down the file): new catalog findings and a new finding on a team stack's
#: rotation schedule.
COPY = """  payments/card-vault-key-2:
    description: A second key for the card tokenisation vault
    owner: payments
    type: api-key
    store: aws-secretsmanager
    classification: restricted
    compliance: [pci-dss]
    rotation: {schedule: "cron(0 3 1 1 ? *)", window: 2h}
    consumers:
      - {service: checkout-api, access: read}

"""
HEAD = BAD.replace("  payments/card-vault-key:\n", COPY + "  payments/card-vault-key:\n", 1)
assert HEAD != BAD
NEW_SCHEDULE = (
    "urn:pulumi:prod.payments::seccat::seccat:aws:ManagedSecret$"
    "aws:secretsmanager/secretRotation:SecretRotation::prod/payments/card-vault-key-2/"
    "rotation-schedule"
)


def seccat(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
        timeout=300,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """base.yaml and catalog.yaml (HEAD), both split into micro-stacks; base's
    `check --all-stacks` result saved as base.json."""
    path = tmp_path_factory.mktemp("all-stacks-baseline")
    (path / "base.yaml").write_text(BAD + SPLIT)
    (path / "catalog.yaml").write_text(HEAD + SPLIT)
    saved = seccat(
        "check", "--all-stacks", "-c", "base.yaml", "-f", "json", "-o", "base.json", "-j", "2",
        cwd=path,
    )  # fmt: skip
    assert saved.returncode == 1, saved.stderr
    return path


def _states(stdout: str) -> list[tuple[str, str | None, str | None, str]]:
    return sorted(
        (f["ruleId"], f["target"], (f["resource"] or {}).get("urn"), f["baselineState"])
        for f in json.loads(stdout)["findings"]
    )


def _base_findings(folder: Path) -> list[dict[str, Any]]:
    return json.loads((folder / "base.json").read_text())["findings"]


def test_a_saved_all_stacks_result_marks_only_the_change_as_new(folder: Path) -> None:
    base = _base_findings(folder)
    # the saved result spans the team stacks: a resource finding on prod.payments
    assert any(
        (f["resource"] or {}).get("urn", "").startswith("urn:pulumi:prod.payments::") for f in base
    )
    done = seccat("check", "--all-stacks", "-f", "json", "--baseline", "base.json", cwd=folder)
    assert done.returncode == 1, done.stderr
    states = _states(done.stdout)
    unchanged = [s for s in states if s[3] == "unchanged"]
    new = [s for s in states if s[3] == "new"]
    assert len(unchanged) == len(base) == 9
    assert sorted((f["ruleId"], f["target"]) for f in base) == sorted(
        (rule, target) for rule, target, _, _ in unchanged
    )
    assert new == [
        ("SECCAT-AWS-003", "payments/card-vault-key-2", NEW_SCHEDULE, "new"),
        ("SECCAT-CAT-006", "payments/card-vault-key-2", None, "new"),
    ]
    only = seccat(
        "check", "--all-stacks", "-f", "json", "--baseline", "base.json", "--new-only",
        cwd=folder,
    )  # fmt: skip
    assert only.returncode == 1
    assert _states(only.stdout) == new


def test_the_base_against_itself_fails_nothing(folder: Path) -> None:
    same = seccat(
        "check", "--all-stacks", "-c", "base.yaml", "--baseline", "base.json", "--new-only",
        cwd=folder,
    )  # fmt: skip
    assert same.returncode == 0, same.stderr
    assert same.stdout.splitlines()[:-1] == []
    assert same.stdout.splitlines()[-1].startswith("seccat check passed")


def test_base_runs_the_base_catalogs_stacks_and_agrees_with_its_saved_result(
    folder: Path,
) -> None:
    by_base = seccat("check", "--all-stacks", "-f", "json", "--base", "base.yaml", cwd=folder)
    by_file = seccat("check", "--all-stacks", "-f", "json", "--baseline", "base.json", cwd=folder)
    assert by_base.returncode == by_file.returncode == 1
    assert _states(by_base.stdout) == _states(by_file.stdout)
    # the base's stacks are run and said to be the base's
    assert "seccat: base prod.payments: " in by_base.stderr, by_base.stderr


def test_an_invalid_base_makes_every_finding_new(folder: Path) -> None:
    (folder / "broken.yaml").write_text("secrets: [\n")
    done = seccat("check", "--all-stacks", "-f", "json", "--base", "broken.yaml", cwd=folder)
    assert done.returncode == 1
    assert "the base catalog broken.yaml is invalid: every finding is new" in done.stderr
    assert {s[3] for s in _states(done.stdout)} == {"new"}


def test_baselines_of_other_stacks_and_changed_only_are_usage_errors(folder: Path) -> None:
    (folder / "waived.yaml").write_text(
        (ROOT / "tests" / "fixtures" / "waived-catalog.yaml").read_text()
    )
    saved = seccat("check", "-s", "prod", "-c", "waived.yaml", "-f", "json", "-o", "p.json",
                   cwd=folder)  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    wrong = seccat("check", "--all-stacks", "-c", "waived.yaml", "--baseline", "p.json",
                   cwd=folder)  # fmt: skip
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == (
        "seccat: error: p.json: the baseline is of 'prod', not of the stacks 'dev,staging,prod'; "
        "save one with `seccat check --all-stacks --format json`\n"
    )
    changed = seccat("check", "--all-stacks", "--base", "base.yaml", "--changed-only", cwd=folder)
    assert (changed.returncode, changed.stdout) == (2, "")
    assert "--changed-only compares one stack's previews" in changed.stderr
