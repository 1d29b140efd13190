"""`seccat rollback`: the previous value current again, after saying exactly what happens."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import emit, fail
from seccat.cli.operations import (
    AllStacksOption,
    CatalogOption,
    EndpointOption,
    OutOption,
    ProfileOption,
    ReportFormat,
    StackOption,
    open_session,
)
from seccat.cli.output import say, write_stdout


@app.command(
    epilog=examples(
        "seccat rollback payments/stripe-api-key --stack prod",
        "seccat rollback identity/jwt-signing-key --stack prod --yes --format json",
        note="Prints what it will do, then asks; without a terminal it needs --yes. Run it "
        "as the owning team's owner role: the secret resource policies deny stage moves to "
        "everyone but rotation and that role (docs/operations.md#permissions). Exit codes: "
        "0 rolled back, 1 refused (a rotation in flight, nothing earlier, a login that "
        "cannot go back) or failed, 2 usage error, no terminal without --yes, no access.",
    )
)
def rollback(
    secret: Annotated[str, typer.Argument(help="Catalog id of the secret.")],
    stack: StackOption = None,
    all_stacks: AllStacksOption = False,
    catalog: CatalogOption = Path("catalog.yaml"),
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Proceed without asking.")] = False,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    out: OutOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Make the previous value of SECRET current again: Secrets Manager moves AWSCURRENT
    back to AWSPREVIOUS, Vault KV writes the previous version again with check-and-set.
    Refuses while a rotation is in flight, and explains why database logins whose password
    already changed cannot go back and what to do instead."""
    from seccat.operations.errors import OperationError
    from seccat.operations.rollback import apply_rollback, plan_rollback
    from seccat.reports.rotation import (
        rollback_json,
        rollback_markdown,
        rollback_plan_text,
        rollback_text,
    )

    session = open_session(catalog, stack, all_stacks, endpoint_url, profile)
    if secret not in session.catalog.secrets:
        raise fail(f"secret {secret!r} is not in {session.catalog.source}")
    plans, connections = [], []
    try:
        for targets, config in session.targets():
            target = targets.secrets.get(secret)
            if target is None:
                continue
            aws = session.aws(targets) if target.aws is not None else None
            vault = session.vault(config) if target.vault and target.vault.kind == "kv" else None
            plans.append(plan_rollback(target, aws, vault))
            connections.append((aws, vault))
    except OperationError as exc:
        raise fail(exc.message, exc.code) from None
    if not plans:
        raise fail(f"secret {secret} is in none of {', '.join(session.environments)}")
    shown = rollback_plan_text(plans)
    if format is ReportFormat.text and out is None:
        write_stdout(shown)  # with --out the file gets it, and stdout nothing
    else:
        for line in shown.splitlines():
            say(line)
    possible = [p for p in plans if p.possible]
    if possible and not yes:
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            say("seccat: error: refusing to roll back without a terminal to confirm: pass --yes")
            raise typer.Exit(EXIT_USAGE)
        if not typer.confirm("Roll back as shown?", default=False, err=True):
            say("seccat rollback: nothing changed")
            raise typer.Exit(EXIT_FINDINGS)
    results = []
    try:
        for plan, (aws, vault) in zip(plans, connections, strict=True):
            results.append(apply_rollback(plan, aws, vault))
    except OperationError as exc:
        raise fail(exc.message, exc.code) from None
    report = {
        ReportFormat.text: lambda: rollback_text(results),
        ReportFormat.json: lambda: rollback_json(plans, results),
        ReportFormat.markdown: lambda: rollback_markdown(plans, results),
    }[format]()
    if format is ReportFormat.text and out is None:
        write_stdout(report)
    else:
        emit(report if format is not ReportFormat.text else shown + report, out)
        say(rollback_text(results).splitlines()[-1])
    raise typer.Exit(EXIT_OK if all(r.done for r in results) else EXIT_FINDINGS)
