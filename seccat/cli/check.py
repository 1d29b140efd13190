"""`seccat check`: policy-as-code without cloud credentials.

The report always lands: when the check stops before any rule runs (an invalid or
unreadable catalog, a stack file that disagrees with it, a broken pack config), the chosen
format is still written, to ``--out`` or stdout, with those problems as its results at
their lines, and the exit code says why (1 invalid, 2 unreadable). Only a usage error (an
unknown option or pack name) writes no report.
"""

from __future__ import annotations

import subprocess
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import Stop, emit, fail
from seccat.cli.output import say

if TYPE_CHECKING:
    from collections.abc import Callable

    from seccat.checking.findings import CheckResult


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


def render_report(format: CheckFormat, result: CheckResult, repo_root: Path | None = None) -> str:
    """The report in ``format``: a pure function of the result (and, for SARIF and JUnit,
    the folder file locations are relative to). stdout and --out get exactly this string."""
    return renderer(format, repo_root)(result)


def renderer(format: CheckFormat, repo_root: Path | None = None) -> Callable[[CheckResult], str]:
    """The renderer of one format; imported on use, so `seccat --help` loads no report."""
    if format is CheckFormat.sarif:
        from seccat.reports import sarif

        return lambda result: sarif.render(result, repo_root=repo_root)
    if format is CheckFormat.junit:
        from seccat.reports import junit

        return lambda result: junit.render(result, repo_root=repo_root)
    if format is CheckFormat.json:
        from seccat.reports import json as json_report

        return json_report.render
    if format is CheckFormat.markdown:
        from seccat.reports import markdown

        return markdown.render
    from seccat.reports import text

    return text.render


def repo_root(option: Path | None, catalog: Path) -> Path:
    """What SARIF URIs and JUnit files are relative to: ``--repo-root``, else the git top
    level of the catalog's folder, else the current directory (not in a git work tree)."""
    if option is not None:
        if not option.is_dir():
            raise fail(f"--repo-root {option}: not a directory")
        return option.resolve()
    folder = catalog.parent if catalog.parent.is_dir() else Path.cwd()
    try:
        found = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return Path.cwd()
    top = found.stdout.strip()
    return Path(top) if found.returncode == 0 and top else Path.cwd()


@app.command(
    epilog=examples(
        "seccat check --stack prod",
        "seccat check --stack prod --pack pci-dss-4 --format sarif --out seccat.sarif",
        "seccat check --stack dev --format markdown >> $GITHUB_STEP_SUMMARY",
        "seccat check --stack prod --strict",
        note="Exit codes: 0 no mandatory violation, 1 mandatory violations, an invalid catalog "
        "or a stack file that disagrees with it (or, with --strict, a waiver warning), 2 usage "
        "error or unreadable input. The report is written in every case but a usage error: "
        "problems that stop the check become its results, at their lines.",
    )
)
def check(
    stack: Annotated[
        str,
        typer.Option(
            "--stack",
            "-s",
            help="Stack name = catalog environment.",
            autocompletion=completion.stacks,
        ),
    ],
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    pack: Annotated[
        str,
        typer.Option(
            "--pack",
            "-p",
            help="baseline, pci-dss-4, soc2, nist-800-53-r5, cis-aws-3, or a config JSON file.",
            autocompletion=completion.packs,
        ),
    ] = "baseline",
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CheckFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to this file (same bytes as stdout)."),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--repo-root",
            help="Folder SARIF and JUnit paths are relative to (default: the git top level "
            "of the catalog's folder, else the current directory).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Waivers that match no finding or expire within 30 days are errors "
            "(exit 1), not warnings.",
        ),
    ] = False,
) -> None:
    """Run the catalog rules, then the policy pack's resource and stack rules over the
    offline preview of STACK, and report every violation.

    The same rule functions run under `pulumi preview --policy-pack policies`.
    """
    from seccat.checking.packs import PackError, load_pack
    from seccat.checking.runner import check as run_check
    from seccat.cli.common import preview_or_stop
    from seccat.cli.terminal import progress

    text_on_stdout = format is CheckFormat.text and out is None
    needs_root = format in (CheckFormat.sarif, CheckFormat.junit)
    base = repo_root(root, catalog) if needs_root else None
    try:
        try:
            selected = load_pack(pack)
        except PackError as exc:
            if not exc.diagnostics:  # an unknown name: a usage error, nothing to report on
                raise fail(str(exc)) from None
            raise Stop("the pack configuration is invalid", EXIT_USAGE, exc.diagnostics) from None
        with progress() as shown:
            model, preview = preview_or_stop(
                catalog, stack, shown.registered if shown.live else None
            )
            result = run_check(
                model,
                preview,
                selected,
                strict=strict,
                progress=shown.evaluated if shown.live else None,
            )
    except Stop as stop:
        stopped = _stopped_result(stop, stack, catalog, pack)
        emit(render_report(format, stopped, base), out)
        if not text_on_stdout:
            stop.tell()
        raise typer.Exit(stop.code) from None

    emit(render_report(format, result, base), out)
    if not text_on_stdout:
        for diagnostic in result.diagnostics:
            say(diagnostic.render())
        say(render_report(CheckFormat.text, result).splitlines()[-1])
    raise typer.Exit(EXIT_FINDINGS if result.failed else EXIT_OK)


def _stopped_result(stop: Stop, stack: str, catalog: Path, pack: str) -> CheckResult:
    """The result of a check that stopped before any rule ran: the problems, no findings."""
    from policies.packs import FRAMEWORKS
    from seccat.checking.findings import CheckResult

    return CheckResult(
        stack=stack,
        catalog_file=str(catalog),
        pack=pack if pack in FRAMEWORKS else Path(pack).stem,
        diagnostics=list(stop.diagnostics),
        stopped=stop.reason,
    )
