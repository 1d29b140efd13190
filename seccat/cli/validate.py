"""`seccat validate`: check a catalog and report every problem, compiler style."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.catalog.diagnostics import DEFAULT_LIMIT, limited
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import shown_path
from seccat.cli.output import escape_for_terminal, say, write_stdout

if TYPE_CHECKING:
    from seccat.catalog.diagnostics import Diagnostic


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


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
    from seccat.catalog.loader import UnreadableCatalog, check_catalog
    from seccat.collector import settled

    try:
        with settled():
            model, diagnostics = check_catalog(catalog)
    except UnreadableCatalog as exc:
        _emit(exc.diagnostics, format, max_diagnostics)
        if format is ValidateFormat.json:
            say(exc.diagnostics[0].render())
        raise typer.Exit(EXIT_USAGE) from None

    _emit(diagnostics, format, max_diagnostics)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if model is None or errors:
        say(f"{shown_path(catalog)}: {errors} error(s); the catalog is invalid")
        raise typer.Exit(EXIT_FINDINGS)
    say(
        f"{shown_path(catalog)}: valid ({len(model.secrets)} secrets, "
        f"{len(model.services)} services, {len(model.environments)} environments)"
    )
    raise typer.Exit(EXIT_OK)


def render_diagnostics(diagnostics: list[Diagnostic], format: ValidateFormat) -> str:
    """What `seccat validate` prints on stdout, as one string; the text lines are for
    terminals and editors, so a control character a catalog smuggled in is shown escaped."""
    if format is ValidateFormat.json:
        return json.dumps([d.to_json() for d in diagnostics], indent=2) + "\n"
    return "".join(escape_for_terminal(d.render()) + "\n" for d in diagnostics)


def _emit(diagnostics: list[Diagnostic], format: ValidateFormat, limit: int) -> None:
    write_stdout(render_diagnostics(limited(diagnostics, limit), format))
