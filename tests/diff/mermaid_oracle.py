"""Mermaid's own parser (the npm package, pinned in tests/mermaid and installed by
`make test` through scripts/ensure-mermaid), run with the machine's Node.js.

`@mermaid-js/parser` (2.0.1) would need no DOM, but it parses only the newer diagram types
(info, packet, pie, architecture, gitGraph, radar, treemap) and refuses flowcharts ("Unknown
diagram type: flowchart"), so the oracle is `mermaid` itself, whose flowchart database needs
a DOM for DOMPurify: linkedom provides it. mermaid 11.17.2 supports this machine's Node.js 20
(12.x asks for Node.js 22)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest

from tests.diff.conftest import ROOT

FOLDER = ROOT / "tests" / "mermaid"
_BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(markdown: str) -> list[str]:
    return _BLOCK.findall(markdown)


def parse(diagrams: list[str]) -> list[dict[str, Any]]:
    """One result per diagram: ``{"ok": True, "type": ...}`` or ``{"ok": False, ...}``. A
    missing parser fails the test: it is a test oracle, never optional."""
    if shutil.which("node") is None:
        pytest.fail("Node.js is needed for the Mermaid parser oracle (apt-get install nodejs)")
    if not (FOLDER / "node_modules" / "mermaid" / "package.json").is_file():
        pytest.fail(
            "the Mermaid parser is not installed: run scripts/ensure-mermaid (make test does)"
        )
    done = subprocess.run(
        ["node", "parse.mjs"],
        cwd=FOLDER,
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(diagrams)
    return results
