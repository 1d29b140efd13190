"""Rotation attempts read back from a rotation function's CloudWatch log group.

seccat's rotation functions log in Lambda's JSON format (``logging_config.log_format =
JSON``): each record has ``timestamp``, ``level``, ``message`` and ``requestId``; an uncaught
exception is one record with ``level`` (older runtimes ``log_level``) ``ERROR``,
``errorType`` and ``errorMessage``. Every step's first line names the version it works on
(functions/rotation/common.py)::

    createSecret: secret <arn> version <token>
    testSecret: version <token> of <arn> works
    finishSecret: AWSCURRENT moved from <old> to <token> for <arn>
    finishSecret: version <token> already AWSCURRENT for <arn>

so each invocation (``requestId``) belongs to one rotation (the version token), and an
attempt is: started at its first record, succeeded at finishSecret, failed at an ERROR
record of one of its invocations. Messages never hold a value (the functions log ARNs,
versions, steps and login names only).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from seccat.catalog.untrusted import redact

_STEP = re.compile(r"^(createSecret|setSecret|testSecret|finishSecret): secret \S+ version (\S+)$")
_TESTED = re.compile(r"^testSecret: version (\S+) of \S+ works$")
_FINISHED = re.compile(
    r"^finishSecret: (?:AWSCURRENT moved from \S+ to (\S+) for|version (\S+) already AWSCURRENT)"
)


@dataclass
class Attempt:
    """One rotation (one version token) as its function's log tells it."""

    token: str
    started: datetime
    finished: datetime | None = None
    tested: bool = False
    failed_at: datetime | None = None
    error: str | None = None
    steps: list[str] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.finished is not None

    @property
    def failed(self) -> bool:
        return self.finished is None and self.failed_at is not None

    @property
    def seconds(self) -> float | None:
        return (self.finished - self.started).total_seconds() if self.finished else None


def _record(message: str) -> dict[str, Any] | None:
    try:
        parsed = json.loads(message)
    # ValueError: not JSON, or an integer past 4,300 digits; RecursionError: nested deeper
    # than the interpreter's stack (anyone who may write to the log group writes the text)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _when(record: Mapping[str, Any], fallback_ms: Any) -> datetime:
    """The record's time, else the log event's; anyone who may write to the log group can
    put any text there, so a time that is no time or lies outside years 1 to 9999 (which
    ``astimezone`` and ``fromtimestamp`` raise on) falls back, down to the epoch."""
    stamp = record.get("timestamp")
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
        except (ValueError, OverflowError):
            pass
    try:
        return datetime.fromtimestamp((fallback_ms or 0) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.fromtimestamp(0, UTC)


def _event_ms(event: Mapping[str, Any]) -> float:
    stamp = event.get("timestamp")
    return stamp if isinstance(stamp, int | float) and not isinstance(stamp, bool) else 0


def attempts(events: Iterable[Mapping[str, Any]]) -> list[Attempt]:
    """Rotation attempts from CloudWatch Logs events (``message``, ``timestamp`` in ms), in
    the order they started."""
    by_token: dict[str, Attempt] = {}
    request_token: dict[str, str] = {}
    errors: list[tuple[str, datetime, str]] = []
    ordered = sorted(events, key=_event_ms)
    for event in ordered:
        record = _record(str(event.get("message", "")))
        if record is None:
            continue
        when = _when(record, event.get("timestamp"))
        request = str(record.get("requestId") or "")
        level = str(record.get("level") or record.get("log_level") or "").upper()
        message = str(record.get("message") or "")
        step = _STEP.match(message)
        if step:
            token = step.group(2)
            attempt = by_token.setdefault(token, Attempt(token, when))
            attempt.steps.append(step.group(1))
            if request:
                request_token[request] = token
        if (tested := _TESTED.match(message)) and tested.group(1) in by_token:
            by_token[tested.group(1)].tested = True
        if finished := _FINISHED.match(message):
            token = finished.group(1) or finished.group(2)
            if token in by_token and by_token[token].finished is None:
                by_token[token].finished = when
        if level == "ERROR":
            text = str(record.get("errorMessage") or message)
            kind = record.get("errorType")
            # an exception message is the one free text copied out (status's lastError,
            # rotate's detail): a credential of a well-known format in it is not shown
            errors.append((request, when, redact(f"{kind}: {text}" if kind else text)))
    for request, when, text in errors:
        token = request_token.get(request)
        attempt = by_token.get(token) if token else None
        if attempt is not None and attempt.finished is None:
            attempt.failed_at = when
            attempt.error = text
    return sorted(by_token.values(), key=lambda a: a.started)


def read_log_group(logs: Any, group: str, since: datetime | None = None) -> list[dict[str, Any]]:
    """Every event of ``group`` since ``since`` (all when None), through FilterLogEvents."""
    kwargs: dict[str, Any] = {"logGroupName": group}
    if since is not None:
        kwargs["startTime"] = int(since.timestamp() * 1000)
    events: list[dict[str, Any]] = []
    for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
        events.extend(page.get("events") or [])
    return events
