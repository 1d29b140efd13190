"""`seccat stacks`: which Pulumi stacks the catalog's environments are deployed as."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import emit, fail, load_or_exit
from seccat.cli.output import say

if TYPE_CHECKING:
    from seccat.catalog.model import Catalog
    from seccat.stacks.plan import CatalogPlan


class StacksFormat(StrEnum):
    text = "text"
    json = "json"
    github_matrix = "github-matrix"


@app.command(
    epilog=examples(
        "seccat stacks",
        "seccat stacks --format json",
        'echo "plan=$(seccat stacks --format github-matrix --max-parallel 4)" >> "$GITHUB_OUTPUT"',
        "seccat stacks --write",
        "seccat stacks --check",
        "seccat stacks --diff --base origin/main",
        "seccat stacks --diff --base-preview before-upgrade.json",
        note="An environment is one stack while it fits the catalog's stacks.budget (default "
        "500 resources); above it, or with stacks.mode: split, a platform stack <env> and one "
        "stack per owner team <env>.<team>, split by a hash of the secret id when a team "
        "exceeds the budget (<env>.<team>.<n>), or by a secret's shard: label "
        "(<env>.<team>.<shard>). --write generates the team stacks' files in stacks/ from "
        "the environment's; --check fails (exit 1) when they drift. --diff lists the `pulumi "
        "state move` commands a change of owner or shard needs (docs/stacks.md).",
    )
)
def stacks(
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    stack: Annotated[
        list[str] | None,
        typer.Option(
            "--stack",
            "-s",
            help="Only this environment (repeatable; default: all).",
            autocompletion=completion.stacks,
        ),
    ] = None,
    format: Annotated[
        StacksFormat, typer.Option("--format", "-f", help="Output format.")
    ] = StacksFormat.text,
    max_parallel: Annotated[
        int,
        typer.Option("--max-parallel", min=1, help="github-matrix: team stacks deployed at once."),
    ] = 4,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the output to this file (same bytes as stdout)."),
    ] = None,
    write: Annotated[
        bool, typer.Option("--write", help="Write the team stacks' files into stacks/.")
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 when a team stack's file is missing or drifts."),
    ] = False,
    diff: Annotated[
        bool,
        typer.Option(
            "--diff",
            help="Print the `pulumi state move` commands that moving secrets between stacks "
            "needs (with --base).",
        ),
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base", help="--diff: the catalog before the change (file or git revision)."
        ),
    ] = None,
    base_preview: Annotated[
        Path | None,
        typer.Option(
            "--base-preview",
            help="--diff: instead of --base, a preview saved before the change (`seccat "
            "preview --format json`, one stack or all): how an upgrade of seccat is diffed.",
        ),
    ] = None,
) -> None:
    """Plan the Pulumi stacks of each environment: one stack, or a platform stack and
    micro-stacks per owner team, joined by stack references."""
    from seccat.stacks.plan import PlanError, plan_catalog

    model = load_or_exit(catalog)
    environments = list(stack) if stack else list(model.environments)
    unknown = [e for e in environments if e not in model.environments]
    if unknown:
        raise fail(f"--stack {unknown[0]}: no such environment in {model.source}")
    try:
        plan = plan_catalog(model, environments)
    except PlanError as exc:
        raise fail(str(exc), EXIT_FINDINGS) from None
    for env_plan in plan.environments:
        if model.stacks.mode == "single" and env_plan.resources > model.stacks.budget:
            say(
                f"seccat: note: {env_plan.environment} has {env_plan.resources} resources, above "
                f"the budget of {model.stacks.budget}: `stacks: {{mode: auto}}` in the catalog "
                "splits it into micro-stacks (docs/stacks.md)"
            )
    if diff:
        from seccat.cli.stack_moves import print_moves, print_preview_moves

        if base is not None and base_preview is not None:
            raise fail("--base and --base-preview both name the before side: give one")
        if base_preview is not None:
            print_preview_moves(base_preview, catalog, model, environments, out)
            return
        if base is None:
            raise fail(
                "--diff needs --base (the catalog before the change) or --base-preview (a "
                "saved preview)"
            )
        print_moves(base, catalog, model, environments, out)
        return
    if write or check:
        _files(model, plan, environments, write=write)
        return
    if format is StacksFormat.github_matrix:
        from seccat.stacks.matrix import github_matrix

        emit(github_matrix(plan, max_parallel), out)
    elif format is StacksFormat.json:
        from seccat.stacks.matrix import plan_json

        emit(plan_json(plan), out)
    else:
        from seccat.stacks.matrix import plan_text

        emit(plan_text(plan), out)


def _files(model: Catalog, plan: CatalogPlan, environments: list[str], *, write: bool) -> None:
    from seccat.catalog.diagnostics import limited
    from seccat.stacks.files import display, find_project
    from seccat.stacks.generated import check_files, planned_files

    project = find_project(Path.cwd())
    if project is None:
        raise fail("no Pulumi.yaml in this folder or above: run it in the Pulumi project")
    planned = planned_files(project, plan.stacks, model.source)
    if write:
        from seccat.stacks.generated import current_text, stale_files

        for p in planned:
            try:
                if not p.path.exists() or current_text(p.path) != p.text:
                    p.path.write_text(p.text, encoding="utf-8")
                    say(f"wrote {display(p.path)}")
            except OSError as exc:
                raise fail(f"{display(p.path)}: cannot write: {exc.strerror or exc}") from None
        for path in stale_files(project, planned, environments):
            say(
                f"{display(path)}: the plan has no such stack any more; move its resources "
                "(`seccat stacks --diff`) and destroy the stack before deleting it"
            )
        raise typer.Exit(EXIT_OK)
    problems = check_files(project, planned, environments)
    for diagnostic in limited(problems):
        say(diagnostic.render())
    if problems:
        say(f"{len(problems)} stack file problem(s); run `seccat stacks --write`")
        # a file that cannot be read at all is unreadable input (2), not drift (1)
        unreadable = any(d.code == "READ" for d in problems)
        raise typer.Exit(EXIT_USAGE if unreadable else EXIT_FINDINGS)
    say(f"{len(planned)} team stack file(s) agree with the plan")
