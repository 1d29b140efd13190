"""A `--pack FILE` config JSON nested deeper than the interpreter's stack is a located
PACK error like any other invalid JSON, not a RecursionError traceback (red-team pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.checking.packs import PackError, load_pack


def test_a_pack_nested_too_deeply_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"all": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(PackError) as exc:
        load_pack(str(path))
    assert [d.render() for d in exc.value.diagnostics] == [
        f"{path}:1:1: error: not valid JSON: nested too deeply (PACK)"
    ]


def test_a_shallow_pack_of_the_same_shape_reads(tmp_path: Path) -> None:
    """Negative control: the same file, shallow, is JSON (the value is then judged)."""
    path = tmp_path / "shallow.json"
    path.write_text('{"all": "advisory"}')
    assert load_pack(str(path)).level("SECCAT-IAM-001") == "advisory"
