"""The composite GitHub Action (action.yml) and the pre-commit hooks
(.pre-commit-hooks.yaml), checked with the tools that run them: actionlint resolves the
action's inputs from a workflow that uses it, shellcheck reads its scripts, pre-commit's own
schema reads the hooks, and the hooks' entry runs on catalogs as pre-commit would call it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pre_commit.clientlib import load_manifest
from ruamel.yaml import YAML

from tests.ci.test_workflows import BIN, ROOT, _lint, outdated_actions

ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

USES_IT = """\
name: seccat
on:
  pull_request:
permissions: {}
jobs:
  seccat:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
      security-events: write
    steps:
      - uses: actions/checkout@v6
        with:
          persist-credentials: false
      - uses: ./
        with:
          pack: pci-dss-4
          approval-label: seccat-access-approved
          approvals-file: .github/seccat-approvals.txt
"""


def _action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text())


def _lint_with_action(workflow: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "action.yml").write_text(ACTION.read_text())
    return _lint({"seccat.yml": workflow}, tmp_path)


def test_a_workflow_using_the_action_passes_actionlint(tmp_path: Path) -> None:
    result = _lint_with_action(USES_IT, tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_reads_the_actions_inputs(tmp_path: Path) -> None:
    """Negative control: an input the action does not have is found."""
    result = _lint_with_action(USES_IT.replace("pack: pci-dss-4", "stack: prod"), tmp_path)
    assert result.returncode == 1
    assert 'input "stack" is not defined in action "seccat" defined at "./"' in result.stdout


def _scripts() -> list[tuple[str, str]]:
    steps = _action()["runs"]["steps"]
    return [(s.get("name", s.get("id", "")), s["run"]) for s in steps if "run" in s]


def _shellcheck(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "step.sh"
    path.write_text("#!/usr/bin/env bash\nset -eo pipefail\n" + script)
    return subprocess.run(
        [str(BIN / "shellcheck"), "--format=gcc", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", [name for name, _ in _scripts()])
def test_every_script_of_the_action_passes_shellcheck(name: str, tmp_path: Path) -> None:
    script = dict(_scripts())[name]
    # inputs reach scripts as environment variables, never spliced into the code
    assert "${{" not in script
    result = _shellcheck(script, tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_shellcheck_rejects_a_broken_script(tmp_path: Path) -> None:
    result = _shellcheck('for stack in "$STACKS"; do echo $stack > $OUT; done\n', tmp_path)
    assert result.returncode == 1
    assert "SC2066" in result.stdout and "SC2086" in result.stdout


def test_the_action_is_composite_uses_current_actions_and_one_comment() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert outdated_actions(ACTION.read_text()) == []
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
    comment = next(s for s in steps if s.get("uses", "").startswith("marocchino/"))
    assert comment["with"]["header"] == "seccat"
    diff = next(s for s in steps if s.get("id") == "diff")["run"]
    assert ".venv/bin/seccat diff" in diff and "--all-stacks" in diff
    # runtime dependencies only, as every workflow
    assert "make setup" in [s.get("run", "").strip() for s in steps]


def test_pre_commit_reads_the_hooks() -> None:
    hooks = load_manifest(str(HOOKS))
    assert [(h["id"], h["entry"], h["language"]) for h in hooks] == [
        ("seccat-validate", "seccat pre-commit validate", "python"),
        ("seccat-check", "seccat pre-commit check", "python"),
    ]
    pattern = re.compile(hooks[0]["files"])
    assert pattern.search("catalog.yaml") and pattern.search("team/catalog.prod.yml")
    assert not pattern.search("README.md") and not pattern.search("catalogs/readme.txt")


def _hook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "pre-commit", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def test_the_hooks_entry_as_pre_commit_calls_it(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace(
            "service: checkout-api, access: read, environments: [dev, prod]",
            "service: chekout-api, access: read, environments: [dev, prod]",
            1,
        )
    )
    validate = _hook("validate", "catalog.yaml", str(bad))
    assert validate.returncode == 1
    assert validate.stderr.splitlines() == [
        f"{bad}:111:19: error: secrets.payments/stripe-api-key.consumers[0].service: unknown "
        "service 'chekout-api'; did you mean 'checkout-api'? (UNKNOWN_REF)",
        f"{bad}: the catalog is invalid",
    ]
    assert _hook("validate", "catalog.yaml").returncode == 0
    check = _hook("check", "tests/fixtures/bad-catalog.yaml")
    assert check.returncode == 1
    assert "seccat check FAILED: stack prod, pack baseline" in check.stdout
