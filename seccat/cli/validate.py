"""`seccat validate`: check a catalog and report every problem, compiler style."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.loader import UnreadableCatalog, check_catalog
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, console


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(
    epilog=(
        "Examples:\n\n"
        "  seccat validate\n\n"
        "  seccat validate path/to/catalog.yaml\n\n"
        "  seccat validate --format json > diagnostics.json\n\n"
        "Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable file."
    )
)
def validate(
    catalog: Annotated[Path, typer.Argument(help="Catalog file.", show_default=True)] = Path(
        "catalog.yaml"
    ),
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ValidateFormat.text,
) -> None:
    """Validate a catalog: YAML, JSON Schema, references, rotation rules, secret values.

    Every problem is reported at once, sorted by position, one per line:

    FILE:LINE:COLUMN: error: PATH: MESSAGE (CODE)

    --format json gives the same as a list of objects.
    """
    out, err = console(), console(stderr=True)
    try:
        model, diagnostics = check_catalog(catalog)
    except UnreadableCatalog as exc:
        _emit(exc.diagnostics, format)
        if format is ValidateFormat.json:
            err.print(exc.diagnostics[0].render(), markup=False)
        raise typer.Exit(EXIT_USAGE) from None

    _emit(diagnostics, format)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if model is None or errors:
        err.print(f"{catalog}: {errors} error(s); the catalog is invalid", markup=False)
        raise typer.Exit(EXIT_FINDINGS)
    err.print(
        f"{catalog}: valid ({len(model.secrets)} secrets, {len(model.services)} services, "
        f"{len(model.environments)} environments)",
        markup=False,
    )
    out.file.flush()
    raise typer.Exit(EXIT_OK)


def _emit(diagnostics: list[Diagnostic], format: ValidateFormat) -> None:
    out = console()
    if format is ValidateFormat.json:
        out.file.write(json.dumps([d.to_json() for d in diagnostics], indent=2) + "\n")
        return
    for diagnostic in diagnostics:
        out.print(diagnostic.render(), markup=False, highlight=False)
