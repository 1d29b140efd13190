"""`seccat status`: rotation state, due dates, failures and certificate expiry per secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
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


def _instant(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise fail(
            f"--at {value!r}: use an ISO 8601 date-time, e.g. 2027-03-01T00:00:00Z"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command(
    epilog=examples(
        "seccat status --stack prod",
        "seccat status --all-stacks --format json --out status.json",
        "seccat status --stack prod --format markdown --window 7 --put-metrics",
        note="Reads only (docs/operations.md#permissions); --put-metrics also needs "
        "cloudwatch:PutMetricData. Exit codes: 0 nothing needs attention, 1 a secret is "
        "overdue, missing or has its rotation switched off, its last rotation failed or a "
        "certificate expired, 2 usage error, unreadable input or no access.",
    )
)
def status(
    stack: StackOption = None,
    all_stacks: AllStacksOption = False,
    catalog: CatalogOption = Path("catalog.yaml"),
    window: Annotated[
        int, typer.Option("--window", min=1, help="Days of rotation history for the metrics.")
    ] = 30,
    expiring_days: Annotated[
        int, typer.Option("--expiring-days", min=0, help="Certificates expiring within N days.")
    ] = 30,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Evaluate as of this ISO 8601 instant (default: now)."),
    ] = None,
    put_metrics: Annotated[
        bool,
        typer.Option(
            "--put-metrics", help="Also push the summary to CloudWatch (namespace seccat)."
        ),
    ] = False,
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ReportFormat.text,
    out: OutOption = None,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Per secret and environment: last rotated, next due, overdue, a rotation in flight,
    the last rotation's error, certificate notAfter and days left; then the mean time to
    rotate, the failure rate over the window, the overdue count and the time AWS Config took
    to detect a misconfiguration (mean and maximum)."""
    from seccat.cli.terminal import progress
    from seccat.operations.detection import Detection, change_triggered_rules, read_detections
    from seccat.operations.errors import OperationError
    from seccat.operations.status import collect, evaluate, summarize
    from seccat.operations.status import put_metrics as push
    from seccat.operations.verify import has_aws, has_vault
    from seccat.reports.status import RENDERERS, EnvironmentStatus, StatusReport, render_text

    when = _instant(at)
    try:
        span = timedelta(days=window)
        since = when - span
    except OverflowError:
        raise fail(f"--window {window}: reaches before year 1 from {when.isoformat()}") from None
    session = open_session(catalog, stack, all_stacks, endpoint_url, profile)
    report = StatusReport(when, float(window), expiring_days)
    total = len(session.environments)
    every_detection: list[Detection] = []
    with progress() as shown:
        for done, (targets, config) in enumerate(session.targets(shown), 1):
            try:
                aws = session.aws(targets) if has_aws(targets) else None
                vault = session.vault(config) if has_vault(targets) else None
                observed = collect(targets, aws, vault, since=since)
                statuses = [evaluate(o, when) for o in observed]
                rules = change_triggered_rules(targets) if aws is not None else []
                found = read_detections(aws.client("config"), rules) if aws and rules else []
                every_detection += found
                metrics = summarize(statuses, when, span, expiring_days, found)
                if put_metrics:
                    if aws is None:
                        raise OperationError(f"{targets.name}: --put-metrics needs AWS")
                    push(aws, targets.name, metrics, when)
            except OperationError as exc:
                raise fail(exc.message, exc.code) from None
            except OverflowError:  # a date past year 9999 or before year 1: a due date
                # or expiry window far from --at, or a live seccat:not-after near the limits
                raise fail(
                    f"{targets.name}: a date falls outside years 1 to 9999 (--at "
                    f"{when.isoformat()}, or a seccat:not-after tag or KV custom metadata "
                    "near those limits)"
                ) from None
            report.environments.append(EnvironmentStatus(targets.name, statuses, metrics))
            shown.count("reading environments", done, total)
    report.overall = summarize(
        [s for e in report.environments for s in e.secrets],
        when,
        span,
        expiring_days,
        every_detection,
    )
    emit(RENDERERS[format.value](report), out)
    if out is not None or format is not ReportFormat.text:
        say(render_text(report).splitlines()[-1])
    raise typer.Exit(EXIT_FINDINGS if report.attention else EXIT_OK)
