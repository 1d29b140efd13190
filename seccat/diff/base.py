"""Where the base catalog of a comparison comes from: a file, or the same catalog file at a
git revision, read from git's object store (`git show REV:path`) into memory, so the work
tree, the index and the checked-out branch are never touched."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from seccat.catalog.yamlsource import MAX_BYTES


class BaseError(ValueError):
    """``--base`` names neither a readable file nor a revision that has the catalog."""


@dataclass(frozen=True)
class BaseCatalog:
    """The base catalog's bytes (None when the revision has no such file: everything is new),
    the name its diagnostics carry, and the revision it came from."""

    source: str
    raw: bytes | None
    revision: str | None = None
    commit: str | None = None


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, env=env, timeout=60, check=False
    )


def repo_root(start: Path) -> Path | None:
    """The git work tree ``start`` lies in, or None."""
    directory = start if start.is_dir() else start.parent
    try:
        found = _git(["rev-parse", "--show-toplevel"], directory.resolve())
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0:
        return None
    return Path(found.stdout.decode("utf-8", "replace").strip())


def resolve_base(spec: str, catalog: Path) -> BaseCatalog:
    """``spec`` as a file when one exists at that path, otherwise as a git revision holding
    ``catalog`` at the same place in the repository."""
    if not spec:  # pathlib reads "" as the current folder
        raise BaseError(f"--base {spec!r}: not a file, and not a git revision")
    as_file = Path(spec)
    if as_file.is_file():
        try:
            with open(as_file, "rb") as handle:
                return BaseCatalog(str(as_file), handle.read(MAX_BYTES + 1))
        except OSError as exc:
            raise BaseError(f"--base {spec}: {exc.strerror or exc}") from None
    if as_file.is_dir():
        raise BaseError(f"--base {spec}: is a directory, not a catalog file or a git revision")
    if not spec or spec.startswith("-"):
        raise BaseError(f"--base {spec!r}: not a file, and not a git revision")
    root = repo_root(catalog.resolve().parent)
    if root is None:
        raise BaseError(
            f"--base {spec}: no such file, and {catalog} is not in a git repository to read a "
            "revision from"
        )
    commit = _git(["rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}"], root)
    if commit.returncode != 0:
        raise BaseError(
            f"--base {spec}: no such file, and not a revision of {root.name} (fetch it first, "
            "e.g. git fetch origin main)"
        )
    sha = commit.stdout.decode().strip()
    relative = catalog.resolve().relative_to(root.resolve()).as_posix()
    source = f"{spec}:{relative}"
    exists = _git(["cat-file", "-e", f"{sha}:{relative}"], root)
    if exists.returncode != 0:
        return BaseCatalog(source, None, spec, sha)
    shown = _git(["cat-file", "blob", f"{sha}:{relative}"], root)
    if shown.returncode != 0:
        raise BaseError(f"--base {spec}: git cannot read {relative} at {sha[:12]}")
    # Capped like a file read: the loader refuses anything past the cap.
    return BaseCatalog(source, shown.stdout[: MAX_BYTES + 1], spec, sha)
