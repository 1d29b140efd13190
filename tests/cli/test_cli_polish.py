"""The command line as a person meets it: --version, shell completion, colour and progress
on a terminal only (stderr, never stdout, never a pipe; NO_COLOR respected; user text never
read as markup), and `seccat --help` loading none of the heavy libraries."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from seccat import version
from seccat.catalog.loader import load_catalog
from seccat.checking.packs import load_pack
from seccat.checking.runner import check
from seccat.cli.check import CheckFormat, render_report
from seccat.engine.preview import run_preview
from seccat.stacks.offline import stack_check

ROOT = Path(__file__).resolve().parents[2]
BAD = "tests/fixtures/bad-catalog.yaml"
SECCAT = [sys.executable, "-m", "seccat.cli"]


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SECCAT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=180,
    )


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str) -> None:
    result = _run(flag)
    assert result.returncode == 0
    assert result.stdout == f"seccat {version()}\n"
    assert version() == "0.1.0"  # pyproject.toml's, as installed
    assert result.stderr == ""


def test_shell_completion_script_and_completions() -> None:
    script = _run("--show-completion", "bash", env={"SHELL": "/bin/bash"})
    assert script.returncode == 0
    assert "complete -o default -F _seccat_completion seccat" in script.stdout

    def complete(words: str) -> list[str]:
        env = {
            "_SECCAT_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        }
        result = subprocess.run(
            [str(Path(sys.executable).with_name("seccat"))],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert complete("seccat ch") == ["check"]
    assert complete("seccat check --format s") == ["sarif"]
    # stacks come from the catalog given so far; packs from the pack files
    assert complete("seccat check --stack ") == ["dev", "staging", "prod"]
    assert complete(f"seccat check --catalog {BAD} --stack ") == ["prod"]
    assert complete("seccat preview --catalog nope.yaml --stack ") == []
    assert complete("seccat check --pack ") == [
        "baseline",
        "cis-aws-3",
        "nist-800-53-r5",
        "pci-dss-4",
        "soc2",
    ]


def test_help_loads_no_heavy_library() -> None:
    """Lazy imports keep `seccat --help` fast (timed in benchmarks/cli_startup.py)."""
    probe = (
        "import sys\n"
        "from seccat.cli import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('pulumi', 'pulumi_aws', 'pulumi_policy', 'jsonschema', 'ruamel', 'rich',"
        " 'policies', 'components', 'jinja2', 'boto3', 'botocore', 'hvac')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"


def test_validate_renders_no_template_so_loads_no_jinja2() -> None:
    """`seccat validate` imports the naming helpers beside the templates (the name
    registry's collision checks), not the template engine (about 0.06 s of CPU)."""
    probe = (
        "import sys\n"
        "from seccat.cli import app\n"
        "try:\n"
        "    app(['validate', 'catalog.yaml'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'pulumi'}),"
        " file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]"


def _on_a_terminal(*args: str, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run seccat with stderr on a pseudo-terminal (120 columns) and stdout on a pipe:
    (exit code, stdout bytes, what the terminal received)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    received: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            received.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    clean = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    process = subprocess.Popen(
        [*SECCAT, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=slave,
        env={**clean, "TERM": "xterm-256color", **env},
    )
    os.close(slave)
    stdout, _ = process.communicate(timeout=180)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, stdout, b"".join(received)


def _expected_sarif() -> bytes:
    catalog = load_catalog(ROOT / BAD)
    checked = stack_check(catalog, "prod", ROOT)
    preview = run_preview(catalog, "prod", BAD, stack_config=checked.config)
    result = check(catalog, preview, load_pack("baseline"))
    return render_report(CheckFormat.sarif, result, ROOT).encode("utf-8")


def test_colour_and_progress_on_a_terminal_only_and_never_on_stdout() -> None:
    args = ("check", "--stack", "prod", "--catalog", BAD, "--format", "sarif")
    code, stdout, terminal = _on_a_terminal(*args, env={})
    assert code == 1
    assert stdout == _expected_sarif()  # machine output: the renderer's bytes, no escape
    assert b"\x1b[" not in stdout
    text = terminal.decode("utf-8", "replace")
    assert "registering resources" in text and "evaluating rules on resources" in text
    assert "\x1b[1;31mFAILED" in text  # the verdict in bold red
    # NO_COLOR: no colour (the live display may still move the cursor)
    code, plain_stdout, plain = _on_a_terminal(*args, env={"NO_COLOR": "1"})
    assert code == 1 and plain_stdout == stdout
    assert "\x1b[1;31m" not in plain.decode("utf-8", "replace")
    assert "seccat check FAILED: stack prod" in plain.decode("utf-8", "replace")
    # not a terminal: plain lines only, whatever FORCE_COLOR says
    piped = _run(*args, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert piped.stdout.encode("utf-8") == stdout
    assert "\x1b" not in piped.stderr
    assert piped.stderr.splitlines()[-1].startswith("seccat check FAILED: stack prod")


def test_user_text_on_the_terminal_is_never_markup(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace("owner: payments", "owner: '[bold red]team:secret:'", 1)
    )
    out = tmp_path / "report.json"
    code, _, terminal = _on_a_terminal(
        "check", "--stack", "prod", "--catalog", str(catalog), "--format", "json",
        "--out", str(out),
        env={},
    )  # fmt: skip
    assert code == 1
    text = terminal.decode("utf-8", "replace")
    assert "'[bold red]team:secret:'" in text  # shown as written, not styled
    assert "\u3299" not in text  # ":secret:" is not an emoji
    assert "\x1b[1;31merror\x1b[0m:" in text  # seccat's own severity word is coloured
    assert json.loads(out.read_text())["stopped"] == "the catalog is invalid"
