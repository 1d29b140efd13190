"""`seccat render` never leaves a stale document behind: it writes into a fresh folder, or,
with --clean, into one it rendered before after removing exactly what it wrote then (its
manifest says what), and never touches a file it did not write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.reports.render_folder import MANIFEST, FolderError, prepare, write_manifest

ROOT = Path(__file__).resolve().parents[2]


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rendered(folder: Path, files: dict[str, str]) -> None:
    """A folder as an earlier render left it: the files and their manifest."""
    for relative, content in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(content)
    write_manifest(folder, files)


def test_a_fresh_or_empty_folder_is_ready(tmp_path: Path) -> None:
    prepare(tmp_path / "new", ["a.json"], clean=False)
    (tmp_path / "empty").mkdir()
    prepare(tmp_path / "empty", ["a.json"], clean=False)
    assert not (tmp_path / "new").exists()  # created by the writer, not by prepare


def test_a_non_empty_folder_is_refused_without_clean(tmp_path: Path) -> None:
    _rendered(tmp_path, {"iam/policies/a.json": "{}"})
    before = _tree(tmp_path)
    with pytest.raises(FolderError) as refused:
        prepare(tmp_path, ["iam/policies/a.json"], clean=False)
    assert str(refused.value) == (
        f"{tmp_path}: the folder is not empty; render writes into a fresh folder (--clean "
        "replaces what an earlier seccat render wrote there)"
    )
    assert _tree(tmp_path) == before


def test_clean_removes_only_what_seccat_wrote(tmp_path: Path) -> None:
    _rendered(
        tmp_path,
        {"iam/policies/old.json": "{}", "iam/policies/kept.json": "{}", "inventory.json": "{}"},
    )
    (tmp_path / "NOTES.md").write_text("mine")
    (tmp_path / "iam" / "mine.txt").write_text("mine too")
    prepare(tmp_path, ["iam/policies/kept.json", "inventory.json"], clean=True)
    # every file of the earlier render is gone (the writer puts back what is current),
    # the user's files stay, and so does a folder that still holds one
    assert _tree(tmp_path) == {"NOTES.md": b"mine", "iam/mine.txt": b"mine too"}
    assert not (tmp_path / "iam" / "policies").exists()


def test_clean_refuses_a_folder_seccat_did_not_render(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")
    with pytest.raises(FolderError) as refused:
        prepare(tmp_path, ["inventory.json"], clean=True)
    assert str(refused.value) == (
        f"{tmp_path}: no {MANIFEST} in the folder, so seccat did not render it; --clean "
        "removes only files seccat wrote (choose a fresh folder)"
    )
    assert _tree(tmp_path) == {"thesis.tex": b"years of work"}


def test_clean_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path) -> None:
    _rendered(tmp_path, {"inventory.json": "{}"})
    (tmp_path / "kms").mkdir()
    (tmp_path / "kms" / "prod-kms.json").write_text("hand-written")
    before = _tree(tmp_path)
    with pytest.raises(FolderError, match="not written by seccat, and this render would"):
        prepare(tmp_path, ["inventory.json", "kms/prod-kms.json"], clean=True)
    assert _tree(tmp_path) == before  # refused before anything was deleted


@pytest.mark.parametrize("entry", ["../outside.txt", "/etc/hostname", "a/../../outside.txt", ""])
def test_a_tampered_manifest_cannot_delete_outside_the_folder(tmp_path: Path, entry: str) -> None:
    folder = tmp_path / "rendered"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text("keep")
    (folder / MANIFEST).write_text(json.dumps({"schemaVersion": 1, "files": [entry]}))
    with pytest.raises(FolderError, match="not a rendered file"):
        prepare(folder, ["inventory.json"], clean=True)
    assert (tmp_path / "outside.txt").read_text() == "keep"


def test_a_symlink_in_the_manifest_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "rendered"
    folder.mkdir()
    (tmp_path / "outside.txt").write_text("keep")
    (folder / "link.json").symlink_to(tmp_path / "outside.txt")
    write_manifest(folder, ["link.json"])
    with pytest.raises(FolderError, match="not a regular file"):
        prepare(folder, ["inventory.json"], clean=True)
    assert (tmp_path / "outside.txt").read_text() == "keep"


def _render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "render", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=180,
    )


def test_render_into_a_used_folder_needs_clean_and_then_leaves_nothing_stale(
    tmp_path: Path,
) -> None:
    out = tmp_path / "rendered"
    assert _render("--stack", "prod", "--out", str(out)).returncode == 0
    prod = set(_tree(out))
    assert "kms/key-policies/prod-kms.json" in prod
    (out / "REVIEW.md").write_text("my notes")

    again = _render("--stack", "dev", "--out", str(out))
    assert again.returncode == 2
    assert again.stderr == (
        f"seccat: error: {out}: the folder is not empty; render writes into a fresh folder "
        "(--clean replaces what an earlier seccat render wrote there)\n"
    )
    cleaned = _render("--stack", "dev", "--out", str(out), "--clean")
    assert cleaned.returncode == 0, cleaned.stderr
    dev = _tree(out)
    manifest = json.loads(dev.pop(MANIFEST))
    assert dev.pop("REVIEW.md") == b"my notes"
    # exactly dev's documents: no prod document survived
    assert sorted(dev) == manifest["files"]
    assert not any(path.startswith(("kms/key-policies/prod-", "iam/roles/prod-")) for path in dev)
    assert "kms/key-policies/dev-kms.json" in dev
    assert cleaned.stderr == f"wrote {len(dev)} files to {out}\n"
