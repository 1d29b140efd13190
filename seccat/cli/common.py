"""What every command that needs a catalog and a stack does first, with one behaviour:
invalid catalog or a stack file that disagrees with it -> diagnostics and exit 1;
unreadable file or unknown stack -> exit 2."""

from __future__ import annotations

from pathlib import Path

import typer

from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.cli.app import EXIT_FINDINGS, EXIT_USAGE
from seccat.cli.output import say, write_file, write_stdout
from seccat.engine.preview import Preview, ProgramError, run_preview
from seccat.stacks.files import StackFileError
from seccat.stacks.offline import stack_check


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    say(f"seccat: error: {message}")
    return typer.Exit(code)


def load_or_exit(path: Path) -> Catalog:
    if not path.exists():
        raise fail(f"{path}: no such file")
    if path.is_dir():
        raise fail(f"{path}: is a directory")
    try:
        return load_catalog(path)
    except CatalogError as exc:
        unreadable = any(d.code in _UNREADABLE_CODES for d in exc.diagnostics)
        for diagnostic in exc.diagnostics:
            say(diagnostic.render())
        say(f"{path}: {len(exc.diagnostics)} problem(s); the catalog is invalid")
        raise typer.Exit(EXIT_USAGE if unreadable else EXIT_FINDINGS) from None
    except OSError as exc:
        raise fail(f"{path}: {exc.strerror or exc}") from None


def preview_or_exit(path: Path, stack: str) -> tuple[Catalog, Preview]:
    """Load the catalog, check the stack, and run the program offline, with the CLI's exit
    codes for each failure; large catalogs report progress on stderr."""
    catalog = load_or_exit(path)
    require_stack(catalog, stack)
    stack_config = stack_config_or_exit(catalog, stack)
    try:
        preview = run_preview(
            catalog,
            stack,
            path,
            show_progress=len(catalog.secrets) >= 500,
            stack_config=stack_config,
        )
    except ProgramError as exc:
        raise fail(str(exc)) from None
    return catalog, preview


def stack_config_or_exit(catalog: Catalog, stack: str) -> dict[str, object]:
    """The provider settings of the project's `Pulumi.<stack>.yaml`, checked against the
    catalog as `pulumi up` checks them: a disagreement is exit 1 with located diagnostics,
    an unreadable stack file exit 2. No project or no stack file: nothing to check."""
    try:
        checked = stack_check(catalog, stack)
    except StackFileError as exc:
        for diagnostic in exc.diagnostics:
            say(diagnostic.render())
        raise typer.Exit(EXIT_USAGE) from None
    if checked.problems:
        for diagnostic in checked.problems:
            say(diagnostic.render())
        say(
            f"{checked.file}: {len(checked.problems)} problem(s); the stack file disagrees "
            f"with {catalog.source}"
        )
        raise typer.Exit(EXIT_FINDINGS)
    return checked.config


def require_stack(catalog: Catalog, stack: str) -> None:
    if stack not in catalog.environments:
        known = ", ".join(sorted(catalog.environments)) or "none"
        raise fail(f"stack {stack!r} names no environment in {catalog.source} (known: {known})")


#: Diagnostic codes that mean the file could not be read at all (exit 2, not 1).
_UNREADABLE_CODES = frozenset({"READ", "IO"})


def emit(report: str, out: Path | None) -> None:
    """A rendered report to ``out``, or to stdout when there is none: the same bytes."""
    if out is None:
        write_stdout(report)
        return
    try:
        write_file(out, report)
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}") from None
