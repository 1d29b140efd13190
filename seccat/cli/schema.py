"""`seccat schema`: print the catalog's JSON Schema (for editors and other tools)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from seccat.catalog.schema import schema_path, schema_text
from seccat.cli.app import app


@app.command(
    epilog=(
        "Examples:\n\n"
        "  seccat schema > catalog.schema.json\n\n"
        "  seccat schema --write   (regenerate schema/catalog.schema.json after changing the "
        "alphabet table in seccat/catalog/alphabets.py)\n\n"
        "  Editors pick it up from the first line of catalog.yaml:\n\n"
        "  # yaml-language-server: $schema=schema/catalog.schema.json"
    )
)
def schema(
    write: Annotated[
        bool, typer.Option("--write", help="Rewrite the committed schema file in place.")
    ] = False,
) -> None:
    """Print the JSON Schema (draft 2020-12) that `seccat validate` checks catalogs against."""
    text = schema_text()
    if write:
        target: Path = schema_path()
        target.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {target}\n")
        return
    sys.stdout.write(text)
