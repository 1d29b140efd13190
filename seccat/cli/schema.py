"""`seccat schema`: print the catalog's JSON Schema (for editors and other tools)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import app, examples
from seccat.cli.output import say, write_file, write_stdout


@app.command(
    epilog=examples(
        "seccat schema > catalog.schema.json",
        "seccat schema --write",
        note="--write regenerates schema/catalog.schema.json after a change to the alphabet "
        "table in seccat/catalog/alphabets.py.\n\n"
        "Editors pick the schema up from the first line of catalog.yaml:\n\n\b\n"
        "  # yaml-language-server: $schema=schema/catalog.schema.json",
    )
)
def schema(
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite the committed schema file in place.")
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) that `seccat validate` checks catalogs against."""
    from seccat.catalog.schema import schema_path, schema_text

    text = schema_text()
    if write:
        target: Path = schema_path()
        write_file(target, text)
        say(f"wrote {target}")
        return
    write_stdout(text)
