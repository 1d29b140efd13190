"""`seccat rotate`: rotate a secret, a service's blast radius or a team's secrets now."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, app, examples
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
from seccat.cli.output import say


@app.command(
    epilog=examples(
        "seccat rotate --service checkout-api --stack prod --dry-run",
        "seccat rotate --service checkout-api --all-stacks --incident INC-2041",
        "seccat rotate payments/stripe-api-key --stack prod",
        "seccat rotate --team payments --stack staging --format json --out rotation.json",
        note="Run it as the owning team's owner role: the secret resource policies deny "
        "RotateSecret and tagging to everyone else (docs/operations.md#permissions). Exit "
        "codes: 0 everything rotated (or already rotated in this incident), 1 a rotation "
        "failed or a secret needs its issuer, 2 usage error, unreadable input or no access.",
    )
)
def rotate(
    secret: Annotated[str | None, typer.Argument(help="Catalog id of one secret.")] = None,
    service: Annotated[
        str | None, typer.Option("--service", help="Every secret this service can read.")
    ] = None,
    team: Annotated[str | None, typer.Option("--team", help="Every secret of this team.")] = None,
    stack: StackOption = None,
    all_stacks: AllStacksOption = False,
    catalog: CatalogOption = Path("catalog.yaml"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the ordered plan and change nothing.")
    ] = False,
    incident: Annotated[
        str | None,
        typer.Option("--incident", help="Incident id: tags what rotated, so a rerun skips it."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=32, help="Rotations at a time.")
    ] = 4,
    timeout: Annotated[
        int, typer.Option("--timeout", min=10, help="Seconds to wait for each rotation.")
    ] = 900,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    out: OutOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Rotate now, in order: superuser secrets before the logins they rotate, Secrets
    Manager through RotateSecret (waiting until AWSCURRENT moved and the function's test
    step passed), Vault KV with check-and-set, database static roles with rotate-role,
    dynamic roles by revoking their leases. Secrets only their issuer can renew are listed
    for their owner."""
    from seccat.cli.terminal import progress
    from seccat.operations.errors import OperationError
    from seccat.operations.rotate import Rotator, check_incident, plan_rotation
    from seccat.reports.rotation import (
        outcomes_text,
        plan_text,
        rotate_json,
        rotate_markdown,
        rotation_failed,
    )

    session = open_session(catalog, stack, all_stacks, endpoint_url, profile)
    try:
        check_incident(incident)
        prepared = []
        with progress() as shown_previews:
            for targets, config in session.targets(shown_previews):
                prepared.append(
                    (
                        targets,
                        config,
                        plan_rotation(targets, secret=secret, service=service, team=team),
                    )
                )
    except OperationError as exc:
        raise fail(exc.message, exc.code) from None
    plans = [p for _, _, p in prepared]
    if secret and not any(p.steps for p in plans):
        raise fail(f"secret {secret} is in none of {', '.join(session.environments)}")
    shown = plan_text(plans, dry_run)
    if dry_run:
        report = {
            ReportFormat.text: lambda: shown,
            ReportFormat.json: lambda: rotate_json(plans, None, incident),
            ReportFormat.markdown: lambda: rotate_markdown(plans, None, incident),
        }[format]()
        emit(report, out)
        raise typer.Exit(EXIT_OK)
    for line in shown.splitlines():
        say(line)
    outcomes = []
    total = sum(len(p.steps) - len(p.manual) for p in plans)
    finished = 0

    with progress() as live:

        def tick(_: object) -> None:
            nonlocal finished
            finished += 1
            live.count("rotating secrets", finished, total)

        for targets, config, plan in prepared:
            if not plan.steps:
                continue
            actions = {s.action for s in plan.steps}
            try:
                aws = session.aws(targets) if "aws-rotate" in actions else None
                vault = (
                    session.vault(config)
                    if actions & {"kv-rotate", "vault-rotate-role", "vault-revoke-leases"}
                    else None
                )
            except OperationError as exc:
                raise fail(exc.message, exc.code) from None
            rotator = Rotator(aws, vault, incident=incident, timeout=float(timeout))
            outcomes += rotator.run(
                plan,
                concurrency,
                on_done=tick,
            )
    report = {
        ReportFormat.text: lambda: shown + outcomes_text(outcomes),
        ReportFormat.json: lambda: rotate_json(plans, outcomes, incident),
        ReportFormat.markdown: lambda: rotate_markdown(plans, outcomes, incident),
    }[format]()
    emit(report, out)
    if out is not None or format is not ReportFormat.text:
        say(outcomes_text(outcomes).splitlines()[-1])
    sys.stdout.flush()
    raise typer.Exit(EXIT_FINDINGS if rotation_failed(outcomes) else EXIT_OK)
