"""The rotation functions' code, packaged from the repository's ``functions/`` folder.

An explicit AssetArchive of source files (not a FileArchive of the folder) so the package is
the same on every machine: ``__pycache__``, editor files and tests never change the code
hash and so never cause a spurious Lambda update. The archive root is ``functions/``, so the
handlers are ``rotation.generated.handler`` and ``rotation.postgres.handler`` and vendored
pure-Python dependencies (pg8000 and its own) sit next to ``rotation/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pulumi

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"

HANDLERS = {
    "generated": "rotation.generated.handler",
    "postgres": "rotation.postgres.handler",
}

_SKIP_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_SKIP_SUFFIXES = (".pyc", ".pyo", ".md", "~", ".swp")


@cache
def source_files(root: Path = FUNCTIONS_DIR) -> tuple[str, ...]:
    """Archive paths (relative to ``functions/``) of every file the Lambda needs."""
    files: list[str] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part in _SKIP_DIRS for part in rel.parts):
            continue
        if rel.name.startswith(".") or rel.name.endswith(_SKIP_SUFFIXES):
            continue
        files.append(rel.as_posix())
    return tuple(files)


def handler_module(kind: str) -> str:
    """``rotation/generated.py`` for ``rotation.generated.handler``."""
    return HANDLERS[kind].rsplit(".", 1)[0].replace(".", "/") + ".py"


def code_archive(kind: str) -> pulumi.AssetArchive:
    files = source_files()
    module = handler_module(kind)
    if module not in files:
        raise pulumi.RunError(f"rotation handler functions/{module} is missing from the repository")
    return pulumi.AssetArchive({rel: pulumi.FileAsset(str(FUNCTIONS_DIR / rel)) for rel in files})
