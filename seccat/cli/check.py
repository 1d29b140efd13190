"""`seccat check`: policy-as-code without cloud credentials."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seccat.checking.packs import PackError, load_pack
from seccat.checking.runner import check as run_check
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, app, examples
from seccat.cli.common import emit, fail, preview_or_exit
from seccat.cli.output import say
from seccat.reports import json as json_report
from seccat.reports import junit, markdown, sarif, text


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


#: One pure renderer per format: stdout and --out get exactly the string it returns.
RENDERERS = {
    CheckFormat.text: text.render,
    CheckFormat.json: json_report.render,
    CheckFormat.sarif: sarif.render,
    CheckFormat.junit: junit.render,
    CheckFormat.markdown: markdown.render,
}


@app.command(
    epilog=examples(
        "seccat check --stack prod",
        "seccat check --stack prod --pack pci-dss-4 --format sarif --out seccat.sarif",
        "seccat check --stack dev --format markdown >> $GITHUB_STEP_SUMMARY",
        note="Exit codes: 0 no mandatory violation, 1 mandatory violations, an invalid catalog "
        "or a stack file that disagrees with it, 2 usage error or unreadable input.",
    )
)
def check(
    stack: Annotated[str, typer.Option("--stack", "-s", help="Stack name = catalog environment.")],
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    pack: Annotated[
        str,
        typer.Option(
            "--pack",
            "-p",
            help="baseline, pci-dss-4, soc2, nist-800-53-r5, cis-aws-3, or a config JSON file.",
        ),
    ] = "baseline",
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CheckFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to this file (same bytes as stdout)."),
    ] = None,
) -> None:
    """Run the catalog rules, then the policy pack's resource and stack rules over the
    offline preview of STACK, and report every violation.

    The same rule functions run under `pulumi preview --policy-pack policies`.
    """
    try:
        selected = load_pack(pack)
    except PackError as exc:
        raise fail(str(exc)) from None
    model, preview = preview_or_exit(catalog, stack)
    result = run_check(model, preview, selected)
    emit(RENDERERS[format](result), out)
    if out is not None and format is not CheckFormat.text:
        say(text.render(result).splitlines()[-1])
    raise typer.Exit(EXIT_FINDINGS if result.failed else EXIT_OK)
