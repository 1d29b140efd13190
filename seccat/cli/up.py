"""`seccat up`: `pulumi up` of every planned stack, platform first, team stacks in parallel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, app, examples
from seccat.cli.common import fail, load_or_exit
from seccat.cli.output import say


@app.command(
    epilog=examples(
        "seccat up --parallel 4 --policy-pack policies",
        "seccat up --stack dev --parallel 8",
        note="Needs the Pulumi CLI on PATH and the credentials `pulumi up` needs: seccat "
        "drives it through Pulumi's Automation API. Per environment (catalog order) the "
        "platform stack first, then the team stacks, at most --parallel at once; a failure "
        "stops before the next environment. Without a CLI, deploy with the GitHub workflow "
        "(examples/ci/seccat-stacks.yml) or Pulumi Deployments (docs/stacks.md).",
    )
)
def up(
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    stack: Annotated[
        list[str] | None,
        typer.Option(
            "--stack",
            "-s",
            help="Only this environment (repeatable; default: all, in catalog order).",
            autocompletion=completion.stacks,
        ),
    ] = None,
    parallel: Annotated[
        int, typer.Option("--parallel", "-p", min=1, help="Team stacks deployed at once.")
    ] = 4,
    policy_pack: Annotated[
        list[str] | None,
        typer.Option(
            "--policy-pack", help="A CrossGuard pack folder for every stack (repeatable)."
        ),
    ] = None,
    policy_pack_config: Annotated[
        list[str] | None,
        typer.Option("--policy-pack-config", help="Its configuration file (repeatable)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Refresh each stack's state first.")
    ] = False,
) -> None:
    """Deploy every stack of the plan (`seccat stacks`) with the Pulumi CLI."""
    from seccat.stacks.deploy import CliMissing, UpOptions, deploy, summary
    from seccat.stacks.files import find_project
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
    project = find_project(Path.cwd())
    if project is None:
        raise fail("no Pulumi.yaml in this folder or above: run it in the Pulumi project")
    options = UpOptions(
        work_dir=project,
        parallel=parallel,
        policy_packs=tuple(policy_pack or ()),
        policy_pack_configs=tuple(policy_pack_config or ()),
        refresh=refresh,
        say=say,
    )
    try:
        report = deploy(plan, options)
    except CliMissing as exc:
        raise fail(str(exc)) from None
    for line in summary(report, [s.name for s in plan.stacks]):
        say(line)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FINDINGS)
