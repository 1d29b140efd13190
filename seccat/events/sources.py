"""Reading raw audit records: CloudTrail in every shape AWS delivers it, Vault audit logs,
and the lineage log group.

CloudTrail records arrive as:

* the files a trail delivers to S3, ``{"Records": [...]}``, optionally gzipped
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html);
* ``aws cloudtrail lookup-events`` output, ``{"Events": [{"CloudTrailEvent": "<JSON>"}]}``;
* CloudWatch Logs: one record per log event, from a trail's log group or from seccat's lineage
  log group, where each message is the EventBridge event whose ``detail`` is the record;
  ``aws logs filter-log-events`` output (``{"events": [{"message": ...}]}``) or one message
  per line (JSON Lines);
* a single record, or a JSON array of any of the above.

Every problem is located (file and line) and raised as ``EventsInputError``; nothing of an
input's content is quoted in a message, since a malformed line could hold anything.
"""

from __future__ import annotations

import gzip
import io
import json
import stat
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seccat.events import shapes
from seccat.events.cloudtrail import SOURCE

#: Refuse absurd nesting (an input is data, not a program).
_MAX_DEPTH = 4

#: What a gzipped input may inflate to. A trail delivers files of megabytes; a gzip bomb
#: (a few megabytes that inflate to gigabytes) is refused once it passes this, having held
#: no more than this in memory.
MAX_INFLATED = 1 << 30


class EventsInputError(Exception):
    """An input that cannot be read; ``str()`` is a located, value-free message."""


@dataclass(frozen=True)
class Raw:
    """One raw record and where it came from (``file:line`` or ``log-group:stream``)."""

    record: Mapping[str, Any]
    origin: str


def _text(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        # a device (/dev/zero, /dev/random) never ends: refused at once, never read until
        # memory runs out; a pipe (`--cloudtrail <(zcat ...)`) is read like a file
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise EventsInputError(f"{path}: {what}")
        data = path.read_bytes()
    except OSError as exc:
        raise EventsInputError(f"{path}: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EventsInputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _gunzip(data: bytes, path: Path) -> bytes:
    """Every gzip member inflated, reading no more than MAX_INFLATED (+1 to tell)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as inflating:
            inflated = inflating.read(MAX_INFLATED + 1)
    except (OSError, EOFError, zlib.error):
        raise EventsInputError(f"{path}: not a readable gzip file") from None
    if len(inflated) > MAX_INFLATED:
        raise EventsInputError(
            f"{path}: inflates to more than {MAX_INFLATED >> 20} MiB, more than any trail "
            "delivers in one file; split it"
        )
    return inflated


def _unwrap(value: Any, origin: str, depth: int = 0) -> Iterator[Raw]:
    """The CloudTrail records inside any delivery envelope."""
    if depth > _MAX_DEPTH:
        raise EventsInputError(f"{origin}: records nested deeper than any AWS delivery format")
    if isinstance(value, list):
        for item in value:
            yield from _unwrap(item, origin, depth + 1)
        return
    if not isinstance(value, Mapping):
        raise EventsInputError(f"{origin}: expected a JSON object or array of CloudTrail records")
    if isinstance(value.get("Records"), list):
        yield from _unwrap(value["Records"], origin, depth + 1)
    elif isinstance(value.get("Events"), list):  # cloudtrail lookup-events
        for item in value["Events"]:
            inner = item.get("CloudTrailEvent") if isinstance(item, Mapping) else None
            if not isinstance(inner, str):
                raise EventsInputError(f"{origin}: a lookup-events entry without CloudTrailEvent")
            yield from _unwrap(_loads(inner, origin), origin, depth + 1)
    elif isinstance(value.get("events"), list):  # logs filter-log-events
        for item in value["events"]:
            message = item.get("message") if isinstance(item, Mapping) else None
            if not isinstance(message, str):
                raise EventsInputError(f"{origin}: a log event without a message")
            yield from _unwrap(_loads(message, origin), origin, depth + 1)
    elif "detail-type" in value and isinstance(value.get("detail"), Mapping):
        yield _record(value["detail"], origin)  # an EventBridge event
    elif "eventSource" in value and "eventTime" in value:
        yield _record(value, origin)
    else:
        raise EventsInputError(f"{origin}: not a CloudTrail record (no eventSource/eventTime)")


def _record(record: Mapping[str, Any], origin: str) -> Raw:
    """A CloudTrail record, its fields checked if it is one seccat reads (Secrets Manager's;
    other services' records pass as they are, to be counted and skipped)."""
    if record.get("eventSource") == SOURCE:
        try:
            shapes.check(record, shapes.CLOUDTRAIL, "eventTime")
        except shapes.ShapeError as exc:
            raise EventsInputError(f"{origin}: not a CloudTrail record: {exc}") from None
    return Raw(record, origin)


def _loads(text: str, origin: str) -> Any:
    """JSON, or a located EventsInputError: malformed text, but also what the parser refuses
    to build (an integer of more than 4,300 digits, nesting deeper than the interpreter's
    stack), which surface as other exceptions than JSONDecodeError."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EventsInputError(f"{origin}: not JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise EventsInputError(f"{origin}: not JSON seccat reads (nested too deeply)") from None
    except ValueError:  # int_max_str_digits
        raise EventsInputError(f"{origin}: not JSON seccat reads (a number too long)") from None


def cloudtrail_file(path: Path) -> list[Raw]:
    """Every CloudTrail record in a file, whichever way AWS delivered it."""
    text = _text(path)
    stripped = text.strip()
    if not stripped:
        return []
    try:
        whole = json.loads(stripped)
    except (ValueError, RecursionError):  # JSON Lines, or a bad line: located line by line
        whole = None
    if whole is not None:
        return list(_unwrap(whole, str(path)))
    out: list[Raw] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            origin = f"{path}:{number}"
            out += _unwrap(_loads(line, origin), origin)
    return out


def vault_audit_file(path: Path) -> list[Raw]:
    """Audit entries of a Vault/OpenBao file device (JSON Lines), one Raw per request: the
    response entry when it was logged, else the request entry."""
    text = _text(path)
    by_id: dict[str, Raw] = {}
    order: list[str] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        if number == len(lines) and not text.endswith("\n"):
            try:
                json.loads(line)
            except json.JSONDecodeError:
                continue  # the device is still writing this line
            except (ValueError, RecursionError):
                pass  # not a partial line: _loads says what it is
        entry = _loads(line, origin)
        if not isinstance(entry, Mapping) or entry.get("type") not in ("request", "response"):
            raise EventsInputError(f"{origin}: not a Vault audit entry (type request/response)")
        request = entry.get("request")
        if not isinstance(request, Mapping) or not isinstance(entry.get("time"), str):
            raise EventsInputError(f"{origin}: an audit entry without request or time")
        try:
            shapes.check(entry, shapes.VAULT_AUDIT, "time")
        except shapes.ShapeError as exc:
            raise EventsInputError(f"{origin}: not a Vault audit entry: {exc}") from None
        key = str(request.get("id") or origin)
        if key not in by_id:
            order.append(key)
            by_id[key] = Raw(entry, origin)
        elif entry["type"] == "response":
            by_id[key] = Raw(entry, origin)
    return [by_id[k] for k in order]


def log_group(
    client: Any,
    name: str,
    start_ms: int | None = None,
    end_ms: int | None = None,
    on_record: Callable[[int], None] | None = None,
) -> list[Raw]:
    """Every record in a CloudWatch Logs group (seccat's lineage group or a trail's), read
    with FilterLogEvents page by page; ``on_record`` hears the running count."""
    kwargs: dict[str, Any] = {"logGroupName": name}
    if start_ms is not None:
        kwargs["startTime"] = start_ms
    if end_ms is not None:
        kwargs["endTime"] = end_ms
    out: list[Raw] = []
    for page in client.get_paginator("filter_log_events").paginate(**kwargs):
        for item in page.get("events") or ():
            origin = f"{name}:{item.get('logStreamName', '?')}"
            message = item.get("message")
            if isinstance(message, str):
                out += _unwrap(_loads(message, origin), origin)
        if on_record is not None:
            on_record(len(out))
    return out
