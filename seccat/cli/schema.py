"""`seccat schema`: print the catalog's JSON Schema (for editors and other tools)."""

from __future__ import annotations

import sys

from seccat.catalog.schema import schema_path
from seccat.cli.app import app


@app.command(
    epilog=(
        "Examples:\n\n"
        "  seccat schema > catalog.schema.json\n\n"
        "  Editors pick it up from the first line of catalog.yaml:\n\n"
        "  # yaml-language-server: $schema=schema/catalog.schema.json"
    )
)
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) that `seccat validate` checks catalogs against."""
    sys.stdout.write(schema_path().read_text(encoding="utf-8"))
