"""What `--base SPEC` (check, diff, stacks --diff) says about a SPEC that names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.diff.base import BaseError, resolve_base

ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_base_is_neither_a_file_nor_a_revision() -> None:
    """An empty string is the current folder to pathlib: it was called a directory."""
    with pytest.raises(BaseError) as exc:
        resolve_base("", ROOT / "catalog.yaml")
    assert str(exc.value) == "--base '': not a file, and not a git revision"


def test_a_folder_is_still_named_one(tmp_path: Path) -> None:
    """Negative control: a real folder keeps its message."""
    with pytest.raises(BaseError, match="is a directory, not a catalog file"):
        resolve_base(str(tmp_path), ROOT / "catalog.yaml")
