"""`--all-stacks` as CI runs it (issue 12, item 4): every planned stack in worker processes,
the same findings, previews and documents as the stacks run one by one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]
BAD = ROOT / "tests" / "fixtures" / "bad-catalog.yaml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*SECCAT, *args],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
    )


def _split(source: Path, target: Path, budget: int = 500) -> Path:
    """``source`` split into micro-stacks; the key goes last, so every line stays put."""
    text = source.read_text()
    target.write_text(text.rstrip("\n") + f"\nstacks: {{mode: split, budget: {budget}}}\n")
    return target


def _finding_keys(document: dict[str, Any]) -> list[tuple[object, ...]]:
    return sorted(
        (
            f["ruleId"],
            f["enforcement"],
            f["waived"],
            f["location"]["line"],
            f["location"]["column"],
            f["message"],
            f["target"],
            (f["resource"] or {}).get("type"),
            (f["resource"] or {}).get("name"),
        )
        for f in document["findings"]
    )


def test_check_all_stacks_of_a_split_catalog_finds_what_each_environment_finds(
    tmp_path: Path,
) -> None:
    """Stack rules (AWS-003 on a team stack's secrets) and resource-reading catalog rules
    (VLT-008 on a team stack's static roles) still fire; catalog rules and waivers count
    once per environment."""
    split = _split(BAD, tmp_path / "bad.yaml", budget=60)
    plan = json.loads(run("stacks", "-c", str(split), "-f", "json").stdout)
    assert all(e["mode"] == "split" for e in plan["environments"])
    every = run("check", "--all-stacks", "-c", str(split), "-f", "json", "--jobs", "2")
    assert every.returncode == 1, every.stderr
    together = json.loads(every.stdout)
    expected: list[tuple[object, ...]] = []
    environments = [e["environment"] for e in plan["environments"]]
    for env in environments:
        alone = run("check", "--stack", env, "-c", str(BAD), "-f", "json")
        assert alone.returncode in (0, 1), alone.stderr
        expected += _finding_keys(json.loads(alone.stdout))
    assert _finding_keys(together) == sorted(set(expected))
    rules = {k[0] for k in _finding_keys(together)}
    assert {"SECCAT-AWS-003", "SECCAT-VLT-008"} <= rules, rules
    # one progress line per stack, platform stacks first
    progress = [
        line
        for line in every.stderr.decode().splitlines()
        if line.startswith("seccat: ") and " resources, " in line
    ]
    names = [line.split(": ")[1] for line in progress]
    planned = [s["name"] for e in plan["environments"] for s in e["stacks"]]
    assert sorted(names) == sorted(planned)
    assert names[: len(environments)] == environments
    assert len(planned) > len(environments)


def test_check_all_stacks_judges_platform_duties_with_the_platform_stack(
    tmp_path: Path,
) -> None:
    """The shipped catalog, split: its owner-rotated KV secrets' renewal watch is deployed by
    the platform stack, so a team stack's worker must not judge it (SECCAT-VLT-010 once
    fired on every team stack that held such a secret)."""
    split = _split(ROOT / "catalog.yaml", tmp_path / "catalog.yaml")
    every = run("check", "--all-stacks", "-c", str(split), "-f", "json", "--jobs", "2")
    together = json.loads(every.stdout)
    expected: list[tuple[object, ...]] = []
    codes = set()
    for env in ("dev", "staging", "prod"):
        alone = run("check", "--stack", env, "-c", str(ROOT / "catalog.yaml"), "-f", "json")
        codes.add(alone.returncode)
        expected += _finding_keys(json.loads(alone.stdout))
    assert _finding_keys(together) == sorted(set(expected))
    assert every.returncode == max(codes), every.stderr
    assert "SECCAT-VLT-010" not in {k[0] for k in _finding_keys(together)}


def test_preview_all_stacks_json_holds_each_stacks_own_document(tmp_path: Path) -> None:
    split = _split(ROOT / "catalog.yaml", tmp_path / "catalog.yaml")
    out = tmp_path / "all.json"
    streamed = run("preview", "--all-stacks", "-c", str(split), "-f", "json", "--jobs", "2")
    written = run(
        "preview", "--all-stacks", "-c", str(split), "-f", "json", "--out", str(out), "-j", "1"
    )
    assert streamed.returncode == 0 and written.returncode == 0, streamed.stderr
    # stdout and --out get the same bytes, with one worker or two
    assert streamed.stdout == out.read_bytes()
    document = json.loads(streamed.stdout)
    names = [s["stack"] for s in document["stacks"]]
    assert names[:3] == ["dev", "staging", "prod"] and len(names) == 12
    for stack in document["stacks"]:
        if stack["stack"] not in ("prod", "prod.payments", "dev.identity"):
            continue  # a platform, the biggest and a small team stack: enough, and quick
        alone = run("preview", "--stack", stack["stack"], "-c", str(split), "-f", "json")
        assert json.loads(alone.stdout) == stack
    # machine output never passes a terminal library: ARNs keep ':secret:'
    assert b":secret:prod/payments/" in streamed.stdout


def test_render_all_stacks_writes_each_stack_into_its_folder(tmp_path: Path) -> None:
    split = _split(ROOT / "catalog.yaml", tmp_path / "catalog.yaml")
    out = tmp_path / "rendered"
    result = run("render", "--all-stacks", "-c", str(split), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir())[:4] == [
        "dev",
        "dev.data",
        "dev.identity",
        "dev.payments",
    ]
    alone = tmp_path / "alone"
    single = run("render", "--stack", "prod.payments", "-c", str(split), "--out", str(alone))
    assert single.returncode == 0, single.stderr
    mine = {p.relative_to(alone): p.read_bytes() for p in alone.rglob("*") if p.is_file()}
    theirs = {
        p.relative_to(out / "prod.payments"): p.read_bytes()
        for p in (out / "prod.payments").rglob("*")
        if p.is_file()
    }
    assert mine == theirs and len(mine) > 5
    again = run("render", "--all-stacks", "-c", str(split), "--out", str(out))
    assert again.returncode == 2 and b"not empty" in again.stderr
    # Each runbook is written once, in the stack that deploys the alarms linking to it, and
    # reads as it does when the environment is one stack.
    whole = tmp_path / "whole"
    one = run("render", "--stack", "prod", "--out", str(whole))
    assert one.returncode == 0, one.stderr
    expected = {
        p.relative_to(whole): p.read_bytes()
        for p in (whole / "runbooks").rglob("*.md")
        if p.name != "README.md"
    }
    spread: dict[Path, bytes] = {}
    for folder in out.glob("prod*"):
        for page in (folder / "runbooks").rglob("*.md"):
            if page.name != "README.md":
                assert page.relative_to(folder) not in spread, page
                spread[page.relative_to(folder)] = page.read_bytes()
    assert spread == expected and len(expected) > 5


def test_stack_and_all_stacks_exclude_each_other() -> None:
    both = run("preview", "--stack", "prod", "--all-stacks")
    neither = run("check")
    assert both.returncode == 2 and b"exclude each other" in both.stderr
    assert neither.returncode == 2 and b"--all-stacks" in neither.stderr


def test_render_all_stacks_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """Red-team finding: `--out FILE` raised NotADirectoryError from iterdir()."""
    target = tmp_path / "a-file"
    target.write_text("keep me\n")
    result = run("render", "--all-stacks", "--out", str(target))
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == f"seccat: error: {target}: exists and is not a folder\n"
    assert target.read_text() == "keep me\n"


def test_check_all_stacks_ships_evaluations_only_for_junit(tmp_path: Path) -> None:
    """Only the JUnit report lists rule x subject evaluations (a rule without findings is
    a passed test case, not "nothing to check"); other formats leave them in the workers,
    with the same findings and diagnostics."""
    from seccat.cli.all_stacks import check_all
    from seccat.reports.junit import render

    split = _split(ROOT / "catalog.yaml", tmp_path / "catalog.yaml", budget=60)
    full, stopped = check_all(split, "baseline", False, 1, evaluations=True)
    lean, stopped_lean = check_all(split, "baseline", False, 1, evaluations=False)
    assert stopped is None and stopped_lean is None
    assert full is not None and lean is not None
    assert lean.evaluations == [] and len(full.evaluations) > full.resources
    assert lean.findings == full.findings and lean.diagnostics == full.diagnostics
    assert lean.resources == full.resources
    skipped = "nothing to check in stack"
    assert render(lean).count(skipped) > render(full).count(skipped)
    # the CLI's JUnit report is the one with every evaluation
    junit = run("check", "--all-stacks", "-c", str(split), "-f", "junit", "-j", "2")
    assert junit.returncode in (0, 1), junit.stderr
    assert junit.stdout.decode().count(skipped) == render(full).count(skipped)
