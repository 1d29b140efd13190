"""The rotation functions' code and dependency layer, packaged from the repository.

Code: an explicit, sorted AssetArchive of the ``.py`` files under ``functions/rotation/``
(functions/README.md), not a FileArchive of the folder, so ``__pycache__`` and editor files
never change the code hash and never cause a spurious Lambda update. ``functions/`` is the
import root, so the handlers are ``rotation.generated.handler`` and
``rotation.postgres.handler``.

Dependencies: the PostgreSQL rotator needs pg8000, which the runtime lacks. It ships as a
pure-Python layer built by ``python functions/build_layer.py build/lambda-layer`` (the same
layer serves x86_64 and arm64); `pulumi up` needs that folder, the offline preview does not.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pulumi

from seccat.datafiles import CHECKOUT, FUNCTIONS, SOURCE_ROOT, shown_path

#: The checkout (or, installed, the package) holding ``functions/``.
ROOT = SOURCE_ROOT
FUNCTIONS_DIR = FUNCTIONS
#: The rotators' package inside the import root: the only code the Lambdas receive.
PACKAGE = "rotation"
#: Built into the project being deployed: the checkout, or (installed) the working directory.
LAYER_DIR = (ROOT if CHECKOUT else Path.cwd()) / "build" / "lambda-layer"

HANDLERS = {
    "generated": "rotation.generated.handler",
    "postgres": "rotation.postgres.handler",
}


@cache
def source_files(root: Path = FUNCTIONS_DIR) -> tuple[str, ...]:
    """Archive paths (relative to ``functions/``) of the rotators' modules, sorted."""
    return tuple(
        sorted(
            p.relative_to(root).as_posix()
            for p in (root / PACKAGE).rglob("*.py")
            if "__pycache__" not in p.parts
        )
    )


def handler_module(kind: str) -> str:
    """``rotation/generated.py`` for ``rotation.generated.handler``."""
    return HANDLERS[kind].rsplit(".", 1)[0].replace(".", "/") + ".py"


def code_archive(kind: str) -> pulumi.AssetArchive:
    files = source_files()
    module = handler_module(kind)
    if module not in files:
        raise pulumi.RunError(f"rotation handler functions/{module} is missing from the repository")
    return pulumi.AssetArchive({rel: pulumi.FileAsset(str(FUNCTIONS_DIR / rel)) for rel in files})


def dependency_layer() -> pulumi.FileArchive:
    """The built layer folder (``python/...`` inside). `pulumi up` without it fails here with
    the command to run, rather than deep in the engine."""
    if not LAYER_DIR.is_dir() and not pulumi.runtime.is_dry_run():
        raise pulumi.RunError(
            f"{shown_path(str(LAYER_DIR))} is missing: run "
            "`python functions/build_layer.py build/lambda-layer` before `pulumi up`"
        )
    return pulumi.FileArchive(str(LAYER_DIR))
