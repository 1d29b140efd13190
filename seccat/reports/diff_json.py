"""`seccat diff --format json`: version 1 of the contract in docs/diff-json.md.

ASCII by construction (``ensure_ascii``), two-space indent, one trailing newline: the same
bytes on stdout and in ``--out`` whatever the terminal."""

from __future__ import annotations

import json

from seccat.diff.model import DiffResult


def render(result: DiffResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=True) + "\n"
