"""What `seccat validate` does and prints, without the command-line framework: the command
(seccat.cli.validate) and the plain entry point (seccat.cli.entry) both run it."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from seccat.catalog.diagnostics import limited
from seccat.cli.exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from seccat.cli.output import escape_for_terminal, say, shown_path, write_stdout

if TYPE_CHECKING:
    from seccat.catalog.diagnostics import Diagnostic


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def run_validate(catalog: Path, format: ValidateFormat, max_diagnostics: int) -> int:
    """Validate ``catalog``, print the diagnostics and the summary: the exit code."""
    from seccat.catalog.loader import UnreadableCatalog, check_catalog
    from seccat.collector import settled

    try:
        with settled():
            model, diagnostics = check_catalog(catalog)
    except UnreadableCatalog as exc:
        _emit(exc.diagnostics, format, max_diagnostics)
        if format is ValidateFormat.json:
            say(exc.diagnostics[0].render())
        return EXIT_USAGE

    _emit(diagnostics, format, max_diagnostics)
    errors = sum(1 for d in diagnostics if d.severity == "error")
    if model is None or errors:
        say(f"{shown_path(catalog)}: {errors} error(s); the catalog is invalid")
        return EXIT_FINDINGS
    say(
        f"{shown_path(catalog)}: valid ({len(model.secrets)} secrets, "
        f"{len(model.services)} services, {len(model.environments)} environments)"
    )
    return EXIT_OK


def render_diagnostics(diagnostics: list[Diagnostic], format: ValidateFormat) -> str:
    """What `seccat validate` prints on stdout, as one string; the text lines are for
    terminals and editors, so a control character a catalog smuggled in is shown escaped."""
    if format is ValidateFormat.json:
        return json.dumps([d.to_json() for d in diagnostics], indent=2) + "\n"
    return "".join(escape_for_terminal(d.render()) + "\n" for d in diagnostics)


def _emit(diagnostics: list[Diagnostic], format: ValidateFormat, limit: int) -> None:
    write_stdout(render_diagnostics(limited(diagnostics, limit), format))
