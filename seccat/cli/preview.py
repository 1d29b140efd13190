"""`seccat preview`: the offline plan of one environment."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import app, examples
from seccat.cli.common import emit, emit_pieces, preview_or_exit

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
    str | None,
    typer.Option(
        "--stack",
        "-s",
        help="Stack name: a catalog environment, or one of its team stacks (seccat stacks).",
        autocompletion=completion.stacks,
    ),
]
AllStacksOption = Annotated[
    bool,
    typer.Option(
        "--all-stacks",
        help="Every stack of every environment, in parallel worker processes.",
    ),
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        envvar="SECCAT_JOBS",
        show_envvar=True,
        help="Worker processes. --all-stacks: default the CPUs. One stack: by default the "
        "CPUs from 3,000 estimated resources on, else 1; 1 runs in this process. The output "
        "is the same (docs/stacks.md).",
    ),
]


def one_stack(stack: str | None, all_stacks: bool) -> str | None:
    """The stack to run, or None for --all-stacks; a usage error for neither or both."""
    from seccat.cli.common import fail

    if stack is None and not all_stacks:
        raise fail("name a stack: --stack NAME, or --all-stacks")
    if stack is not None and all_stacks:
        raise fail("--stack and --all-stacks exclude each other")
    return stack


OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the output to this file (same bytes as stdout)."),
]


@app.command(
    epilog=examples(
        "seccat preview --stack dev",
        "seccat preview --stack prod --format json --out preview.json",
        "seccat preview --stack prod --format markdown >> $GITHUB_STEP_SUMMARY",
        "seccat preview --all-stacks --format json --out previews.json",
        note="With --all-stacks, JSON is one document whose stacks are the single-stack "
        "documents (docs/stacks.md); text and Markdown are the stacks' reports in turn.",
    )
)
def preview(
    stack: StackOption = None,
    catalog: CatalogOption = Path("catalog.yaml"),
    format: Annotated[
        PreviewFormat, typer.Option("--format", "-f", help="Output format.")
    ] = PreviewFormat.text,
    out: OutOption = None,
    all_stacks: AllStacksOption = False,
    jobs: JobsOption = None,
) -> None:
    """Run the Pulumi program offline (mock monitor) and show every resource it would create.

    No Pulumi CLI, credentials or network are needed. Secret values show as [secret].
    """
    name = one_stack(stack, all_stacks)
    if name is None:
        from seccat.cli.all_stacks import preview_all

        preview_all(catalog, format.value, out, jobs)
        return
    _, result = preview_or_exit(catalog, name, jobs)
    if format is PreviewFormat.json:
        from seccat.reports.preview_json import json_pieces

        # the ASCII bytes as made, no text round trip, a batch of resources at a time
        emit_pieces(json_pieces(result), out)
        return
    emit(renderer(format)(result), out)
