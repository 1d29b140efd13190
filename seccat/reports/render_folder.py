"""The folder `seccat render` writes: fresh, or cleaned of exactly what seccat wrote before.

A render into a folder that already holds files would leave documents behind that no longer
exist (a policy removed from the catalog), and `git diff --no-index` would show them as
current. So a render goes into an empty or missing folder, or, with ``clean``, into a folder
that seccat rendered before: the manifest it left there (``MANIFEST``) lists the files it
wrote, and only those are removed. Anything else in the folder is left alone, and a render
that would overwrite such a file is refused before anything is deleted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

#: Written last into the output folder: what this render wrote, for the next --clean.
MANIFEST = ".seccat-render.json"


class FolderError(Exception):
    """The folder cannot be rendered into (a usage error); the message says why and how."""


def prepare(out_dir: Path, planned: Iterable[str], clean: bool) -> None:
    """Make ``out_dir`` ready for the ``planned`` files ('/'-separated, relative), or raise
    ``FolderError`` having changed nothing."""
    planned = set(planned)
    if out_dir.exists() and not out_dir.is_dir():
        raise FolderError(f"{out_dir}: exists and is not a folder")
    if not out_dir.exists() or not any(out_dir.iterdir()):
        return
    manifest = out_dir / MANIFEST
    if not clean:
        raise FolderError(
            f"{out_dir}: the folder is not empty; render writes into a fresh folder "
            "(--clean replaces what an earlier seccat render wrote there)"
        )
    if not manifest.is_file() or manifest.is_symlink():
        raise FolderError(
            f"{out_dir}: no {MANIFEST} in the folder, so seccat did not render it; --clean "
            "removes only files seccat wrote (choose a fresh folder)"
        )
    previous = _read_manifest(out_dir, manifest)
    for relative in sorted(planned - previous):
        if os.path.lexists(out_dir / relative):
            raise FolderError(
                f"{out_dir / relative}: not written by seccat, and this render would "
                "overwrite it; move it away or choose a fresh folder"
            )
    for relative in sorted(previous):
        target = out_dir / relative
        if os.path.lexists(target):
            target.unlink()
    _remove_empty_folders(out_dir, previous)
    manifest.unlink()


def write_manifest(out_dir: Path, written: Iterable[str]) -> None:
    data = {"schemaVersion": 1, "files": sorted(written)}
    (out_dir / MANIFEST).write_bytes((json.dumps(data, indent=2) + "\n").encode("utf-8"))


def _read_manifest(out_dir: Path, manifest: Path) -> set[str]:
    """The files an earlier render wrote, each checked to lie inside ``out_dir`` and to be
    a regular file (or gone): a tampered manifest can never make --clean delete elsewhere."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        files = data["files"]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError("files is not a list of paths")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FolderError(f"{manifest}: not a seccat render manifest ({exc})") from None
    root = out_dir.resolve()
    out: set[str] = set()
    for relative in files:
        parts = PurePosixPath(relative).parts
        if (
            not relative
            or PurePosixPath(relative).is_absolute()
            or any(p in ("", ".", "..") for p in parts)
            or relative == MANIFEST
        ):
            raise FolderError(f"{manifest}: refusing to remove {relative!r}: not a rendered file")
        target = out_dir / relative
        if os.path.lexists(target):
            if target.is_symlink() or not target.is_file():
                raise FolderError(f"{target}: not a regular file; --clean leaves it alone")
            if root not in target.resolve().parents:
                raise FolderError(f"{target}: outside {out_dir}; --clean leaves it alone")
        out.add(relative)
    return out


def _remove_empty_folders(out_dir: Path, removed: set[str]) -> None:
    """Folders that held removed files and are now empty, deepest first."""
    folders = {
        out_dir.joinpath(*PurePosixPath(r).parts[:i])
        for r in removed
        for i in range(1, len(PurePosixPath(r).parts))
    }
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()
