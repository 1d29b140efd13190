"""Machine output is byte-exact: for every format, stdout, the --out file and the renderer's
in-memory string are the same bytes, and nothing a console library would rewrite
(``:secret:`` -> emoji, ``[secret]`` -> markup) is rewritten.

The in-process runs use click's runner (stdout is a real byte stream behind a text wrapper,
the path a pipe takes); the subprocess runs add a hostile terminal environment (forced
colour, a narrow width, an ASCII-only stdout encoding) that a console library would obey.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from seccat.catalog.loader import load_catalog
from seccat.checking.findings import CheckResult
from seccat.checking.packs import load_pack
from seccat.checking.runner import check as run_check
from seccat.cli import app
from seccat.cli.check import CheckFormat, render_report
from seccat.cli.preview import PreviewFormat
from seccat.cli.preview import renderer as preview_renderer
from seccat.engine.preview import Preview, run_preview
from seccat.reports.documents import documents, inventory
from seccat.reports.runbooks import runbooks
from seccat.stacks.offline import stack_check

ROOT = Path(__file__).resolve().parents[2]
CATALOG = str(ROOT / "catalog.yaml")
BAD = str(ROOT / "tests" / "fixtures" / "bad-catalog.yaml")
EMOJI_SECRET = "\u3299"  # what rich makes of ":secret:"
#: What a console library obeys and a byte writer must ignore.
HOSTILE_TERMINAL = {
    "FORCE_COLOR": "1",
    "TERM": "xterm-256color",
    "COLUMNS": "30",
    "PYTHONIOENCODING": "ascii",
    "NO_COLOR": "",
}


@pytest.fixture(autouse=True)
def _in_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads the stack file of the project in the working directory."""
    monkeypatch.chdir(ROOT)


@cache
def _preview(catalog: str, stack: str) -> Preview:
    """The preview the CLI runs: with the stack file's provider settings, as pulumi would."""
    model = load_catalog(catalog)
    checked = stack_check(model, stack, ROOT)
    assert checked.file == f"stacks/Pulumi.{stack}.yaml" and not checked.problems
    return run_preview(model, stack, catalog, stack_config=checked.config)


@cache
def _check(catalog: str, stack: str) -> CheckResult:
    return run_check(load_catalog(catalog), _preview(catalog, stack), load_pack("baseline"))


def invoke(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _same_three_ways(tmp_path: Path, command: list[str], expected: str, exit_code: int) -> bytes:
    """stdout bytes == --out bytes == the in-memory string, UTF-8 encoded."""
    to_stdout = invoke(*command)
    assert to_stdout.exit_code == exit_code, to_stdout.stderr
    out = tmp_path / "report"
    to_file = invoke(*command, "--out", str(out))
    assert to_file.exit_code == exit_code, to_file.stderr
    assert to_file.stdout_bytes == b""
    assert to_stdout.stdout_bytes == expected.encode("utf-8")
    assert out.read_bytes() == to_stdout.stdout_bytes
    assert EMOJI_SECRET.encode("utf-8") not in to_stdout.stdout_bytes
    return to_stdout.stdout_bytes


@pytest.mark.parametrize("format", list(PreviewFormat))
def test_preview_stdout_out_file_and_memory_are_the_same_bytes(
    tmp_path: Path, format: PreviewFormat
) -> None:
    expected = preview_renderer(format)(_preview(CATALOG, "prod"))
    _same_three_ways(
        tmp_path,
        ["preview", "--stack", "prod", "--catalog", CATALOG, "--format", format],
        expected,
        0,
    )


def test_report_bytes_reach_every_kind_of_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview JSON is written as the bytes it was rendered to: to a byte stream as they
    are, to a text-only stdout (an embedding host's capture) as the same text."""
    import io

    from seccat.cli.output import write_file, write_stdout

    report = b'{\n  "arn": "arn:aws:secretsmanager:x:1:secret:[secret]-\\u00e9"\n}\n'
    captured = io.StringIO()
    monkeypatch.setattr(sys, "stdout", captured)
    write_stdout(report)
    assert captured.getvalue() == report.decode("ascii")
    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", raw)
    write_stdout(report)
    assert raw.buffer.getvalue() == report
    write_file(tmp_path / "report.json", report)
    assert (tmp_path / "report.json").read_bytes() == report


@pytest.mark.parametrize("format", list(CheckFormat))
def test_check_stdout_out_file_and_memory_are_the_same_bytes(
    tmp_path: Path, format: CheckFormat
) -> None:
    # the bad catalog: findings, remediation texts and ARNs in every report
    result = _check(BAD, "prod")
    assert result.failed
    expected = render_report(format, result, ROOT)
    _same_three_ways(
        tmp_path, ["check", "--stack", "prod", "--catalog", BAD, "--format", format], expected, 1
    )


def test_every_secrets_manager_arn_survives_in_the_json_preview() -> None:
    preview = _preview(CATALOG, "prod")
    stdout = invoke("preview", "--stack", "prod", "--catalog", CATALOG, "--format", "json")
    # an ARN reaches the JSON wherever a policy or a rotation references a secret
    arns = {
        value
        for r in preview.resources
        for value in _strings(r.inputs)
        if value.startswith("arn:aws:secretsmanager:") and ":secret:" in value
    }
    assert len(arns) >= 5
    text = stdout.stdout_bytes.decode("ascii")  # the JSON is pure ASCII
    for arn in arns:
        assert arn in text
    assert json.loads(text) == preview.to_json()


def test_render_files_are_the_in_memory_documents(tmp_path: Path) -> None:
    result = invoke("render", "--stack", "prod", "--catalog", CATALOG, "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    preview = _preview(CATALOG, "prod")
    expected = {d.path: d.content.encode("utf-8") for d in documents(preview)}
    expected["inventory.json"] = inventory(preview).encode("utf-8")
    # and a runbook per secret (seccat/reports/runbooks.py)
    pages = runbooks(load_catalog(CATALOG), "prod", preview)
    expected |= {p.path: p.content.encode("utf-8") for p in pages}
    written = {
        p.relative_to(tmp_path).as_posix(): p.read_bytes()
        for p in tmp_path.rglob("*")
        if p.is_file()
    }
    manifest = json.loads(written.pop(".seccat-render.json"))
    assert manifest["files"] == sorted(expected)
    assert written == expected
    # the inventory is the preview JSON, byte for byte
    as_json = invoke("preview", "--stack", "prod", "--catalog", CATALOG, "--format", "json")
    assert written["inventory.json"] == as_json.stdout_bytes


def test_validate_json_and_text_are_exact(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    # a key with ":secret:" and a value with markup-like brackets, both reported back
    catalog.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace("owner: payments", "owner: '[bold]team:secret:'", 1)
    )
    as_json = invoke("validate", str(catalog), "--format", "json")
    assert as_json.exit_code == 1
    diagnostics = json.loads(as_json.stdout_bytes)
    assert any("[bold]team:secret:" in d["message"] for d in diagnostics), diagnostics
    as_text = invoke("validate", str(catalog))
    assert as_text.exit_code == 1
    assert "[bold]team:secret:" in as_text.stdout_bytes.decode("utf-8")
    assert EMOJI_SECRET not in as_text.stdout_bytes.decode("utf-8")


def _hostile(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, **HOSTILE_TERMINAL},
        timeout=120,
    )


def test_a_hostile_terminal_environment_changes_no_byte() -> None:
    """A real process and pipe: forced colour, 30 columns and an ASCII stdout encoding."""
    tree = _hostile("preview", "--stack", "prod", "--catalog", CATALOG)
    assert tree.returncode == 0, tree.stderr
    # the tree's box-drawing characters are UTF-8, whatever PYTHONIOENCODING says
    assert tree.stdout == preview_renderer(PreviewFormat.text)(_preview(CATALOG, "prod")).encode()
    assert "└─".encode() in tree.stdout and b"\x1b[" not in tree.stdout
    sarif = _hostile("check", "--stack", "prod", "--catalog", BAD, "--format", "sarif")
    assert sarif.returncode == 1, sarif.stderr
    assert sarif.stdout == render_report(CheckFormat.sarif, _check(BAD, "prod"), ROOT).encode()
    assert b":secret:" in sarif.stdout  # remediation texts quote the secret ARN pattern
    assert b"\x1b[" not in sarif.stderr


@pytest.mark.parametrize("command", ["", "validate", "schema", "preview", "check", "render"])
def test_help_shows_every_text_as_written(command: str) -> None:
    """Help is plain text: a docstring's "[secret]" or an option help's brackets are kept."""
    args = [command, "--help"] if command else ["--help"]
    result = invoke(*args)
    assert result.exit_code == 0
    shown = _words(result.stdout)
    texts = _help_texts(command) if command else [app.info.help or ""]
    assert texts and all(t for t in texts)
    for text in texts:
        assert _words(text) in shown, (text, result.stdout)
    if command == "preview":
        assert "Secret values show as [secret]." in shown


def _help_texts(command: str) -> list[str]:
    """The docstring paragraphs, option helps and epilog paragraphs of one command."""
    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    texts = [p for p in inspect.cleandoc(click_command.help or "").split("\n\n") if p]
    texts += [p.help for p in click_command.params if getattr(p, "help", None)]
    texts += [p.replace("\b\n", "") for p in (click_command.epilog or "").split("\n\n") if p]
    return texts


def _words(text: str) -> str:
    return " ".join(text.split())


def _strings(value: object) -> list[str]:
    """Every string in a value, and in the JSON documents embedded in its strings."""
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            out.append(v)
            # documents embedded as JSON strings hold ARNs too
            if v.startswith(("{", "[")):
                with contextlib.suppress(ValueError):
                    stack.append(json.loads(v))
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return out
