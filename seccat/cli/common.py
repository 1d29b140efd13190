"""What every command that needs a catalog and a stack does first, with one behaviour:
invalid catalog -> diagnostics and exit 1; unreadable file or unknown stack -> exit 2."""

from __future__ import annotations

from pathlib import Path

import typer

from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.cli.app import EXIT_FINDINGS, EXIT_USAGE, console
from seccat.engine.preview import Preview, ProgramError, run_preview


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    console(stderr=True).print(f"seccat: error: {message}", markup=False)
    return typer.Exit(code)


def load_or_exit(path: Path) -> Catalog:
    if not path.exists():
        raise fail(f"{path}: no such file")
    if path.is_dir():
        raise fail(f"{path}: is a directory")
    try:
        return load_catalog(path)
    except CatalogError as exc:
        err = console(stderr=True)
        unreadable = any(d.code in _UNREADABLE_CODES for d in exc.diagnostics)
        for diagnostic in exc.diagnostics:
            err.print(diagnostic.render(), markup=False)
        err.print(
            f"{path}: {len(exc.diagnostics)} problem(s); the catalog is invalid", markup=False
        )
        raise typer.Exit(EXIT_USAGE if unreadable else EXIT_FINDINGS) from None
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror or exc}") from None


def preview_or_exit(path: Path, stack: str) -> tuple[Catalog, Preview]:
    """Load the catalog, check the stack, and run the program offline, with the CLI's exit
    codes for each failure; large catalogs report progress on stderr."""
    catalog = load_or_exit(path)
    require_stack(catalog, stack)
    try:
        preview = run_preview(catalog, stack, path, show_progress=len(catalog.secrets) >= 500)
    except ProgramError as exc:
        raise fail(str(exc)) from None
    return catalog, preview


def require_stack(catalog: Catalog, stack: str) -> None:
    if stack not in catalog.environments:
        known = ", ".join(sorted(catalog.environments)) or "none"
        raise fail(f"stack {stack!r} names no environment in {catalog.source} (known: {known})")


#: Diagnostic codes that mean the file could not be read at all (exit 2, not 1).
_UNREADABLE_CODES = frozenset({"READ", "IO"})
