"""`seccat events`: CloudTrail and Vault/OpenBao audit records as one attributed stream, and
each credential's lineage (docs/events.md)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from seccat.cli.app import app, examples
from seccat.cli.common import Stop, emit, fail, load_or_exit, require_stack
from seccat.cli.output import say


class EventsFormat(StrEnum):
    jsonl = "jsonl"
    timeline = "timeline"
    markdown = "markdown"


def _time_ms(value: str | None, option: str) -> int | None:
    if value is None:
        return None
    from seccat.events.ocsf import epoch_ms, parse_time

    try:
        return epoch_ms(parse_time(value))
    except (ValueError, OverflowError):  # OverflowError: before year 1 or after 9999 in UTC
        raise fail(f"{option}: {value!r} is not an ISO 8601 date or time") from None


@app.command(
    epilog=examples(
        "seccat events --stack prod --cloudtrail trail/*.json.gz --vault-audit audit.log",
        "seccat events --stack prod --log-group --since 2026-11-01 > prod-events.jsonl",
        "seccat events --stack prod --log-group --format timeline --out lineage.json",
        "seccat events --all-stacks --vault-audit audit.log --secret identity/jwt-signing-key "
        "--format markdown",
        note="--format jsonl (default) writes one OCSF API Activity event per line for the "
        "SIEM; timeline and markdown give each credential's creation, rotations and "
        "revocation. --log-group without a name reads each stack's lineage log group "
        "(/seccat/<env>/secret-lineage) with the standard AWS credential chain; "
        "--endpoint-url or AWS_ENDPOINT_URL points it elsewhere. No value is ever read or "
        "written: audit records carry none, and only named metadata fields are copied.",
    )
)
def events(
    stack: Annotated[
        str | None, typer.Option("--stack", "-s", help="Stack name = catalog environment.")
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all-stacks", help="Every environment of the catalog.")
    ] = False,
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    cloudtrail_files: Annotated[
        list[Path] | None,
        typer.Option(
            "--cloudtrail",
            help="CloudTrail records: a trail's S3 file (.json or .json.gz), lookup-events or "
            "filter-log-events output, or JSON Lines. Repeatable.",
        ),
    ] = None,
    vault_files: Annotated[
        list[Path] | None,
        typer.Option("--vault-audit", help="A Vault/OpenBao file audit log. Repeatable."),
    ] = None,
    log_group: Annotated[
        list[str] | None,
        typer.Option(
            "--log-group",
            help="Read CloudWatch Logs with FilterLogEvents: a log group name, or '-' for "
            "each stack's lineage log group. Repeatable.",
        ),
    ] = None,
    endpoint_url: Annotated[
        str | None, typer.Option("--endpoint-url", help="AWS endpoint (moto, LocalStack).")
    ] = None,
    secret: Annotated[
        str | None, typer.Option("--secret", help="Only this catalog secret id.")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events at or after (ISO 8601, UTC).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only events before (ISO 8601, UTC).")
    ] = None,
    format: Annotated[
        EventsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = EventsFormat.jsonl,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the output to this file (same bytes as stdout)."),
    ] = None,
) -> None:
    """Normalise CloudTrail and Vault/OpenBao audit records of the catalog's secrets into OCSF
    API Activity events, attributed to environment, secret, team and service."""
    from seccat.cli.terminal import progress
    from seccat.events import collect
    from seccat.events.sources import EventsInputError, cloudtrail_file, vault_audit_file
    from seccat.events.timeline import timelines
    from seccat.reports import events as report

    if (stack is None) == (not all_stacks):
        raise fail("give --stack ENV or --all-stacks (one of them)")
    if not (cloudtrail_files or vault_files or log_group):
        raise fail("nothing to read: give --cloudtrail, --vault-audit or --log-group")
    model = load_or_exit(catalog)
    if stack is not None:
        try:
            require_stack(model, stack)
        except Stop as stop:
            raise stop.exit() from None
    stacks = [stack] if stack is not None else sorted(model.environments)
    if secret is not None and secret not in model.secrets:
        raise fail(f"--secret: {secret!r} is not a secret of {model.source}")
    since_ms, until_ms = _time_ms(since, "--since"), _time_ms(until, "--until")

    with progress() as shown:  # live counts on a terminal's stderr only
        try:
            trail = [r for p in cloudtrail_files or () for r in cloudtrail_file(p)]
            audit = [r for p in vault_files or () for r in vault_audit_file(p)]
            for name in log_group or ():
                trail += _read_log_groups(
                    model,
                    stacks,
                    name,
                    endpoint_url,
                    since_ms,
                    until_ms,
                    lambda n: shown.count("reading log records", n),
                )
        except EventsInputError as exc:
            raise fail(str(exc)) from None
        total = len(trail) + len(audit)
        collected = collect(
            model,
            None if all_stacks else stacks,
            trail,
            audit,
            secret=secret,
            since_ms=since_ms,
            until_ms=until_ms,
            on_record=lambda n: shown.count("normalising records", n, total),
        )
    if format is EventsFormat.jsonl:
        text = report.jsonl(collected.events)
    elif format is EventsFormat.timeline:
        text = report.timeline_json(timelines(collected.events), stacks)
    else:
        text = report.markdown(timelines(collected.events), stacks)
    emit(text, out)
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(collected.skipped.items()))
    say(
        f"seccat events: {len(collected.events)} event(s) from {len(trail)} CloudTrail and "
        f"{len(audit)} audit record(s)" + (f"; skipped {skipped}" if skipped else "")
    )


def _read_log_groups(
    model: Any,
    stacks: list[str],
    name: str,
    endpoint_url: str | None,
    since_ms: int | None,
    until_ms: int | None,
    on_record: Any = None,
) -> list[Any]:
    """Records of one log group, or (``-``) of each stack's lineage log group, each read in
    its environment's region. A named group (a trail's) is read in every region of the
    stacks: where it does not exist is skipped, but it must exist in one of them."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from seccat.documents.lineage import log_group_name
    from seccat.events.sources import EventsInputError, log_group

    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    targets: list[tuple[str, str | None]] = []
    for env_name in stacks:
        env = model.environments[env_name]
        region = env.aws.region if env.aws else None
        if name == "-":
            if env.aws is not None:
                targets.append((log_group_name(env_name), region))
        elif (name, region) not in targets:
            targets.append((name, region))
    out: list[Any] = []
    missing: list[str] = []
    for group, region in targets:
        try:
            client = boto3.client("logs", region_name=region, endpoint_url=endpoint)
            out += log_group(client, group, since_ms, until_ms, on_record)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if name == "-" or code != "ResourceNotFoundException":
                raise EventsInputError(f"log group {group}: {exc}") from None
            missing.append(region or "the default region")
        except (BotoCoreError, ValueError) as exc:  # ValueError: a bad endpoint
            raise EventsInputError(f"log group {group}: {exc}") from None
    if targets and len(missing) == len(targets):
        raise EventsInputError(f"log group {name}: not found in {', '.join(missing)}")
    return out
