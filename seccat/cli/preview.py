"""`seccat preview`: the offline plan of one environment."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import app, examples
from seccat.cli.common import emit, preview_or_exit

if TYPE_CHECKING:
    from seccat.engine.preview import Preview


class PreviewFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def renderer(format: PreviewFormat) -> Callable[[Preview], str]:
    """The pure renderer of one format (stdout and --out get exactly the string it
    returns); imported on use, so `seccat --help` loads none of them."""
    if format is PreviewFormat.json:
        from seccat.reports.preview_json import render_json

        return render_json
    if format is PreviewFormat.markdown:
        from seccat.reports.preview_markdown import render_markdown

        return render_markdown
    from seccat.reports.preview_tree import render_tree

    return render_tree


CatalogOption = Annotated[
    Path, typer.Option("--catalog", "-c", help="Catalog file.", show_default=True)
]
StackOption = Annotated[
    str,
    typer.Option(
        "--stack", "-s", help="Stack name = catalog environment.", autocompletion=completion.stacks
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the output to this file (same bytes as stdout)."),
]


@app.command(
    epilog=examples(
        "seccat preview --stack dev",
        "seccat preview --stack prod --format json --out preview.json",
        "seccat preview --stack prod --format markdown >> $GITHUB_STEP_SUMMARY",
    )
)
def preview(
    stack: StackOption,
    catalog: CatalogOption = Path("catalog.yaml"),
    format: Annotated[
        PreviewFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PreviewFormat.text,
    out: OutOption = None,
) -> None:
    """Run the Pulumi program offline (mock monitor) and show every resource it would create.

    No Pulumi CLI, credentials or network are needed. Secret values show as [secret].
    """
    _, result = preview_or_exit(catalog, stack)
    emit(renderer(format)(result), out)
