"""`seccat validate`: check a catalog and report every problem, compiler style."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.catalog.diagnostics import DEFAULT_LIMIT
from seccat.cli.app import app, examples
from seccat.cli.validating import ValidateFormat, render_diagnostics, run_validate

__all__ = ["ValidateFormat", "render_diagnostics", "validate"]


@app.command(
    epilog=examples(
        "seccat validate",
        "seccat validate path/to/catalog.yaml",
        "seccat validate --format json > diagnostics.json",
        note="Exit codes: 0 valid, 1 invalid, 2 usage error or unreadable file.",
    )
)
def validate(
    catalog: Annotated[Path, typer.Argument(help="Catalog file.", show_default=True)] = Path(
        "catalog.yaml"
    ),
    format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ValidateFormat.text,
    max_diagnostics: Annotated[
        int,
        typer.Option(
            "--max-diagnostics",
            min=0,
            help="Print at most this many problems, then one line counting the rest (0: all).",
        ),
    ] = DEFAULT_LIMIT,
) -> None:
    """Validate a catalog: YAML, JSON Schema, references, rotation rules, secret values.

    Every problem is reported at once, sorted by position, one per line:

    FILE:LINE:COLUMN: error: PATH: MESSAGE (CODE)

    --format json gives the same as a list of objects. Past --max-diagnostics problems,
    one more entry (code LIMIT) counts the rest.
    """
    raise typer.Exit(run_validate(catalog, format, max_diagnostics))
