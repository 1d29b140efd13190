"""`seccat preview`: the offline plan of one environment."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import app, console
from seccat.cli.common import preview_or_exit
from seccat.reports.preview_markdown import render_markdown
from seccat.reports.preview_tree import render_tree


class PreviewFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


CatalogOption = Annotated[
    Path, typer.Option("--catalog", "-c", help="Catalog file.", show_default=True)
]
StackOption = Annotated[
    str, typer.Option("--stack", "-s", help="Stack name = catalog environment.")
]


@app.command(
    epilog=(
        "Examples:\n\n"
        "  seccat preview --stack dev\n\n"
        "  seccat preview --stack prod --format json > preview.json\n\n"
        "  seccat preview --stack prod --format markdown >> $GITHUB_STEP_SUMMARY"
    )
)
def preview(
    stack: StackOption,
    catalog: CatalogOption = Path("catalog.yaml"),
    format: Annotated[
        PreviewFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PreviewFormat.text,
) -> None:
    """Run the Pulumi program offline (mock monitor) and show every resource it would create.

    No Pulumi CLI, credentials or network are needed. Secret values show as [secret].
    """
    _, result = preview_or_exit(catalog, stack)
    out = console()
    if format is PreviewFormat.json:
        out.print(json.dumps(result.to_json(), indent=2), markup=False)
    elif format is PreviewFormat.markdown:
        out.print(render_markdown(result), markup=False, end="")
    else:
        out.print(render_tree(result), markup=False, end="")
