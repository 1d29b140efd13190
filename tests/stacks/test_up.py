"""`seccat up --parallel N` (issue 12, item 3): the commands it has Pulumi's Automation API
issue, and their order.

The Pulumi CLI cannot be installed here, so a stand-in `pulumi` on PATH records every
command line the real Automation API runs (with start and end times) and answers the few
that need an answer (`version`, `stack output`, `stack history`) as the CLI does. The stand-in
can fail chosen stacks, to show what a failure stops.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE = r'''#!{python}
"""A stand-in for the Pulumi CLI: logs its command line, answers like the CLI."""
import fcntl, json, os, sys, time

args = [a for a in sys.argv[1:] if a != "--non-interactive"]
stack = args[args.index("--stack") + 1] if "--stack" in args else None
start = time.time()
if args and args[0] == "up":
    time.sleep(0.4)
failed = args and args[0] == "up" and stack in os.environ.get("FAKE_FAIL", "").split(",")
with open(os.environ["FAKE_LOG"], "a") as log:
    fcntl.flock(log, fcntl.LOCK_EX)
    log.write(json.dumps({{"argv": sys.argv[1:], "args": args, "start": start,
                          "end": time.time()}}) + "\n")
if args == ["version"]:
    print("v3.210.0")
elif args[:2] == ["stack", "output"]:
    print("{{}}")
elif args[:2] == ["stack", "history"]:
    print(json.dumps([{{"kind": "update", "startTime": "2026-12-01T10:00:00.000Z",
        "endTime": "2026-12-01T10:00:01.000Z", "message": "", "environment": {{}},
        "config": {{}}, "result": "succeeded", "resourceChanges": {{"create": 1}}}}]))
elif failed:
    print(f"error: update of {{stack}} failed: AccessDenied", file=sys.stderr)
    sys.exit(255)
elif args and args[0] == "up":
    print(f"Updating ({{stack}})")
    print("Resources: + 3 created")
'''


def _project(tmp_path: Path, split: bool = True) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    text = (ROOT / "catalog.yaml").read_text()
    (project / "catalog.yaml").write_text(text + ("stacks: {mode: split}\n" if split else ""))
    return project


def _seccat_up(
    tmp_path: Path, project: Path, *args: str, fail: str = ""
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "pulumi.log"
    log.write_text("")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_LOG": str(log),
        "FAKE_FAIL": fail,
        "NO_COLOR": "1",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "up", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    return result, calls


def _ups(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if c["args"][0] == "up"]


def _stack(call: dict[str, Any]) -> str:
    args = call["args"]
    return args[args.index("--stack") + 1]


def test_platform_first_then_team_stacks_at_most_n_at_once(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result, calls = _seccat_up(
        tmp_path, project, "--parallel", "2", "--policy-pack", "policies", "--stack", "prod"
    )
    assert result.returncode == 0, result.stderr
    ups = _ups(calls)
    assert _stack(ups[0]) == "prod"
    assert sorted(_stack(c) for c in ups[1:]) == ["prod.data", "prod.identity", "prod.payments"]
    # every team stack starts after the platform stack's update ended
    platform_end = ups[0]["end"]
    assert all(c["start"] >= platform_end for c in ups[1:])
    # never more than two updates at once
    events = sorted([(c["start"], 1) for c in ups] + [(c["end"], -1) for c in ups])
    running, peak = 0, 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    assert peak == 2
    # the command line of each update: the Automation API's, the pack, the stack, no colour
    for call in ups:
        args = call["args"]
        assert call["argv"][0] == "--non-interactive"
        assert args[:3] == ["up", "--yes", "--skip-preview"]
        assert args[args.index("--policy-pack") + 1] == "policies"
        assert args[args.index("--color") + 1] == "never"
    # each stack is selected (created when new) before its update
    selects = [c for c in calls if c["args"][:2] == ["stack", "select"]]
    assert sorted(_stack(c) for c in selects) == sorted(_stack(c) for c in ups)
    lines = result.stderr.splitlines()
    assert "[prod.payments] Resources: + 3 created" in lines
    assert lines[-4:] == [
        "prod: updated",
        "prod.data: updated",
        "prod.identity: updated",
        "prod.payments: updated",
    ]


def test_a_failed_stack_stops_before_the_next_environment(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result, calls = _seccat_up(tmp_path, project, "--parallel", "3", fail="dev.identity")
    assert result.returncode == 1
    ups = [_stack(c) for c in _ups(calls)]
    # dev's other team stacks still finish; staging and prod never start
    assert sorted(ups) == ["dev", "dev.data", "dev.identity", "dev.payments"]
    assert ups[0] == "dev"
    assert "dev.identity: FAILED: " in result.stderr
    assert "staging: not started (an earlier stack failed)" in result.stderr
    assert "prod.payments: not started (an earlier stack failed)" in result.stderr


def test_one_stack_environments_update_in_catalog_order(tmp_path: Path) -> None:
    project = _project(tmp_path, split=False)
    result, calls = _seccat_up(tmp_path, project)
    assert result.returncode == 0, result.stderr
    assert [_stack(c) for c in _ups(calls)] == ["dev", "staging", "prod"]


def test_without_a_pulumi_cli_it_says_what_it_needs(tmp_path: Path) -> None:
    project = _project(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    python_only = tmp_path / "python"
    python_only.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "up"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": str(empty)},
        timeout=120,
    )
    assert result.returncode == 2
    assert "seccat up drives the Pulumi CLI, and there is none on PATH" in result.stderr


@pytest.mark.parametrize("flag", ["--parallel", "-p"])
def test_parallel_must_be_positive(tmp_path: Path, flag: str) -> None:
    project = _project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "up", flag, "0"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
