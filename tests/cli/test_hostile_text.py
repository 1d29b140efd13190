"""Diagnostics that cannot be weaponised (issue 8): whatever a catalog or a file name holds
reaches the terminal and every report format as inert, bounded text, secrets are never
echoed, and only regular files are read.

Every command runs as CI runs it (a subprocess); the bytes it prints are checked.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "fixtures" / "catalogs" / "minimal.yaml").read_text()

#: A newline, an ANSI clear-screen, an OSC window title, a right-to-left override and
#: Unicode tag characters: everything a key must not do to a terminal.
HOSTILE = "x\n\x1b[2J\x1b]0;pwned\x07\u202e\U000e0041\U000e0042"
#: How HOSTILE reads once escaped.
ESCAPED = "x\\n\\x1b[2J\\x1b]0;pwned\\x07\\u202e<2 invisible tag characters>"
#: Characters no output line may contain.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)


def seccat(*args: str, cwd: Path = ROOT, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"},
        timeout=timeout,
    )


def _yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, every non-ASCII or control character as an
    escape (YAML's \\xNN, \\uNNNN and \\UNNNNNNNN)."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return '"' + "".join(out) + '"'


def _inert(output: str) -> None:
    assert FORBIDDEN.search(output) is None, repr(output)


@pytest.fixture(scope="module")
def hostile_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = MINIMAL.replace(
        "    team: payments\n", f"    team: payments\n    {_yaml_string(HOSTILE)}: 1\n", 1
    )
    path = tmp_path_factory.mktemp("hostile") / "catalog.yaml"
    path.write_text(text)
    return path


EXPECTED_LINE = (
    f"catalog.yaml:9:5: error: services.checkout-api.{ESCAPED}: unknown key '{ESCAPED}' "
    "(allowed here: team, aws, kubernetes, environments) (SCHEMA)"
)


def test_validate_text_escapes_a_hostile_key(hostile_catalog: Path) -> None:
    result = seccat("validate", "catalog.yaml", cwd=hostile_catalog.parent)
    assert result.returncode == 1
    assert result.stdout == EXPECTED_LINE + "\n"
    _inert(result.stdout + result.stderr)


def test_validate_json_escapes_a_hostile_key(hostile_catalog: Path) -> None:
    result = seccat("validate", "catalog.yaml", "--format", "json", cwd=hostile_catalog.parent)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {
            "file": "catalog.yaml",
            "line": 9,
            "column": 5,
            "path": f"services.checkout-api.{ESCAPED}",
            "message": f"unknown key '{ESCAPED}' (allowed here: team, aws, kubernetes, "
            "environments)",
            "code": "SCHEMA",
            "severity": "error",
        }
    ]
    # decoded, the JSON holds no control character either (not merely JSON-escaped ones)
    _inert(json.dumps(json.loads(result.stdout), ensure_ascii=False))


@pytest.mark.parametrize(
    "command",
    [
        ("preview", "--stack", "prod", "--format", "json"),
        ("preview", "--stack", "prod", "--format", "markdown"),
        ("check", "--stack", "prod", "--format", "sarif"),
        ("check", "--stack", "prod", "--format", "junit"),
        ("render", "--stack", "prod", "--out", "rendered"),
    ],
)
def test_preview_check_and_render_report_the_same_escaped_line(
    hostile_catalog: Path, command: tuple[str, ...]
) -> None:
    result = seccat(*command, "--catalog", "catalog.yaml", cwd=hostile_catalog.parent)
    assert result.returncode == 1
    assert EXPECTED_LINE + "\n" in result.stderr
    _inert(result.stderr)
    if command[0] == "check":
        # a check that stops still reports, in its format, the same escaped problem
        decoded = (
            json.dumps(json.loads(result.stdout), ensure_ascii=False)
            if command[-1] == "sarif"
            else result.stdout
        )
        fragment = "\\x1b]0;pwned\\x07\\u202e"
        assert fragment in decoded or json.dumps(fragment)[1:-1] in decoded
        _inert(decoded)
    else:
        assert result.stdout == ""


def test_a_hostile_file_name_is_escaped_in_every_check_format(tmp_path: Path) -> None:
    """The file name is user text too: it lands in every finding of every report."""
    name = "cat\x1b]0;pwned\x07\u202e.yaml"
    (tmp_path / name).write_text((ROOT / "tests" / "fixtures" / "bad-catalog.yaml").read_text())
    for format in ("text", "json", "sarif", "junit", "markdown"):
        result = seccat(
            "check", "--stack", "prod", "--catalog", name, "--format", format, cwd=tmp_path
        )
        assert result.returncode == 1, result.stderr
        structured = format in ("json", "sarif")
        shown = json.dumps(json.loads(result.stdout)) if structured else result.stdout
        # JSON escapes the backslashes of the escaped name once more
        escaped = "cat\\x1b]0;pwned\\x07\\u202e.yaml"
        if format != "sarif":  # SARIF carries the name as a percent-encoded URI
            assert (json.dumps(escaped)[1:-1] if structured else escaped) in shown, format
        decoded = json.dumps(json.loads(result.stdout), ensure_ascii=False) if structured else shown
        _inert(decoded + result.stderr)


def test_secret_values_used_as_keys_are_reported_and_never_echoed(tmp_path: Path) -> None:
    aws_key = "AKIAIOSFODNN7EXAMPLE"
    github = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
    slack = "xoxb-1234567890"
    text = (
        MINIMAL.replace("services:\n", f"services:\n  {aws_key}: {{team: payments}}\n", 1)
        .replace("    team: payments\n", f"    team: payments\n    {github}: 1\n", 1)
        .replace(
            "services:\n",
            f"services:\n  {slack}: {{team: payments}}\n  other: {{team: payments}}\n",
            1,
        )
        # close to the Slack token, but not a token itself: the did-you-mean would echo it
        + "  other/key:\n    owner: payments\n    type: generic\n    store: vault-kv\n"
        "    classification: internal\n    rotation: {every: 30d, by: owner}\n"
        "    consumers: [{service: xoxb-123456789}]\n"
    )
    (tmp_path / "catalog.yaml").write_text(text)
    result = seccat("validate", "catalog.yaml", cwd=tmp_path)
    assert result.returncode == 1
    for secret in (aws_key, github, slack, "AKIA", "ghp_", "1234567890"):
        assert secret not in result.stdout + result.stderr, secret
    assert result.stdout.splitlines() == [
        "catalog.yaml:7:3: error: services.<a value that looks like a Slack token (not shown)>: "
        "this key looks like a secret value (a Slack token); a key is a name, never a "
        "credential; the catalog holds metadata only; store values in AWS Secrets Manager or "
        "Vault (see README 'Filling externally issued secrets') (SECRET_VALUE)",
        "catalog.yaml:9:3: error: services.<a value that looks like an AWS access key id (not "
        "shown)>: this key looks like a secret value (an AWS access key id); a key is a name, "
        "never a credential; the catalog holds metadata only; store values in AWS Secrets "
        "Manager or Vault (see README 'Filling externally issued secrets') (SECRET_VALUE)",
        "catalog.yaml:12:5: error: services.checkout-api.<a value that looks like a GitHub "
        "token (not shown)>: this key looks like a secret value (a GitHub token); a key is a "
        "name, never a credential; the catalog holds metadata only; store values in AWS "
        "Secrets Manager or Vault (see README 'Filling externally issued secrets') "
        "(SECRET_VALUE)",
        "catalog.yaml:30:27: error: secrets.other/key.consumers[0].service: unknown service "
        "'xoxb-123456789'; did you mean a value that looks like a Slack token (not shown)? "
        "(UNKNOWN_REF)",
    ]


def test_a_stripe_key_hidden_in_tag_characters_is_refused_and_never_shown(
    tmp_path: Path,
) -> None:
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "sk_live_4eC39HqLyjWDarjtT1zdp7dc")
    text = MINIMAL.replace(
        "description: Stripe restricted key used by checkout",
        f"description: {_yaml_string('Stripe key ' + hidden)}",
    )
    (tmp_path / "catalog.yaml").write_text(text)
    result = seccat("validate", "catalog.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == (
        "catalog.yaml:12:18: error: secrets.payments/stripe-api-key.description: contains "
        "U+E0073 (an invisible Unicode tag character) at character 12; free text must be plain "
        "visible text, since such characters hide or reorder what reviewers see (SCHEMA)\n"
    )
    preview = seccat(
        "preview", "--stack", "prod", "--format", "json", "--catalog", "catalog.yaml", cwd=tmp_path
    )
    assert preview.returncode == 1 and preview.stdout == ""
    _inert(preview.stderr)


def _special_files(tmp_path: Path) -> dict[str, tuple[str, str]]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    sock = tmp_path / "sock.yaml"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    return {
        str(fifo): (str(fifo), "a FIFO (named pipe), not a regular file"),
        "/dev/zero": ("/dev/zero", "a character device, not a regular file"),
        str(tmp_path): (str(tmp_path), "a directory, not a regular file"),
        str(sock): (str(sock), "a socket, not a regular file"),
    }


def test_only_regular_files_are_read_and_nothing_blocks(tmp_path: Path) -> None:
    for argument, (shown, reason) in _special_files(tmp_path).items():
        # a FIFO with no writer used to hang forever: the timeout turns that into a failure
        result = seccat("validate", argument, timeout=60)
        assert result.returncode == 2, argument
        assert result.stdout == f"{shown}:1:1: error: cannot read the catalog: {reason} (READ)\n"
        preview = seccat("preview", "--stack", "prod", "--catalog", argument, timeout=60)
        assert preview.returncode == 2
        assert preview.stderr == result.stdout


def test_diagnostics_are_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    entries = "".join(f"  s{i}: 1\n" for i in range(300))
    text = MINIMAL.split("secrets:\n")[0] + "secrets:\n" + entries
    (tmp_path / "catalog.yaml").write_text(text)
    result = seccat("validate", "catalog.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 201
    assert lines[199] == (
        "catalog.yaml:210:9: error: secrets.s199: expected a mapping, got a number (1) (SCHEMA)"
    )
    assert lines[200] == (
        "catalog.yaml:211:9: error: 100 more problem(s) from here on not shown (the first 200 "
        "are; --max-diagnostics 0 shows all) (LIMIT)"
    )
    assert result.stderr == "catalog.yaml: 300 error(s); the catalog is invalid\n"
    as_json = json.loads(
        seccat(
            "validate", "catalog.yaml", "-f", "json", "--max-diagnostics", "10", cwd=tmp_path
        ).stdout
    )
    assert len(as_json) == 11 and as_json[-1]["code"] == "LIMIT"
    assert as_json[-1]["message"].startswith("290 more problem(s)")
    every = seccat("validate", "catalog.yaml", "--max-diagnostics", "0", cwd=tmp_path)
    assert len(every.stdout.splitlines()) == 300


def test_the_check_comment_keeps_catalog_text_inert(tmp_path: Path) -> None:
    """`seccat check --format markdown` is the pull-request comment: a red-team pass found a
    team contact quoted in a finding reaching it as live HTML, a mention and a link."""
    from markdown_it import MarkdownIt

    hostile = "<img src=https://evil.example/p.png> @octocat [x](https://evil.example) | y"
    text = (ROOT / "catalog.yaml").read_text()
    text = text.replace(
        "{contact: identity-oncall@example.com}", f"{{contact: {json.dumps(hostile)}}}"
    )
    text = text.replace("$schema=schema/", f"$schema={ROOT}/schema/")
    (tmp_path / "catalog.yaml").write_text(text)
    result = seccat("check", "--stack", "prod", "--format", "markdown", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "teams.identity.contact" in result.stdout
    html = MarkdownIt("commonmark").enable(["table"]).render(result.stdout)
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    for live in ("<img", "@octocat", "href="):
        assert live not in outside_code, live
    row = next(r for r in html.split("<tr>") if "teams.identity.contact" in r)
    assert row.count("<td>") == 3  # the pipe in the contact did not split the cell
