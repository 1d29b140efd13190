"""`seccat events` output: JSON Lines for the SIEM, the timeline document, a Markdown report.

Every renderer returns the exact text written (seccat/cli/output.py writes it as bytes). In
Markdown, everything that came from an audit record or the catalog is escaped: a secret id
is safe by its alphabet, but an identity ARN, a user agent or an error message is not ours.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from seccat.events.timeline import Timeline, document
from seccat.reports.escape import md_text


def md(text: object) -> str:
    """Text for a Markdown table cell or line, as `seccat diff`'s comment escapes it: one
    line, Markdown and HTML inert, no mention, issue reference, emoji or autolink, control
    and bidi characters shown as escapes."""
    return md_text(str(text))


#: A time as seccat writes it (seccat.events.ocsf.iso): nothing in it means anything to
#: Markdown, so it stays as it is (md would break ``:00:`` apart as if it were an emoji).
_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _time(text: object) -> str:
    return str(text) if _ISO.fullmatch(str(text)) else md(text)


def jsonl(events: Iterable[Mapping[str, Any]]) -> str:
    """One OCSF event per line, compact, ASCII-only (any byte-safe pipe can carry it)."""
    return "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=True) + "\n" for e in events)


def timeline_json(items: list[Timeline], stacks: list[str]) -> str:
    return json.dumps(document(items, stacks), indent=2, ensure_ascii=True) + "\n"


def _who(entry: Mapping[str, Any]) -> str:
    actor = entry["actor"]
    kind = actor["kind"]
    if actor.get("service"):
        return f"service {actor['service']}"
    if kind == "rotation":
        return "rotation"
    if kind == "owner":
        return "owner role"
    return kind


def _row(entry: Mapping[str, Any]) -> str:
    version = entry.get("version") or ""
    return (
        f"| {_time(entry['time'])} | {md(entry['step'])} | {md(entry['operation'])} | "
        f"{md(_who(entry))} | {md(entry.get('actor', {}).get('identity', ''))} | "
        f"{md(version)} | {md(entry['source'])} |"
    )


def markdown(items: list[Timeline], stacks: list[str]) -> str:
    lines = [
        f"# Secret lineage: {md(', '.join(stacks) or 'all environments')}",
        "",
    ]
    if not items:
        lines += ["No event of a catalog secret in the inputs.", ""]
        return "\n".join(lines)
    lines += [
        "| Environment | Secret | Team | Created | Rotations | Failures | Revoked |",
        "|---|---|---|---|---:|---:|---|",
    ]
    for t in items:
        lines.append(
            f"| {md(t.environment)} | {md(t.secret)} | {md(t.team or '')} | "
            f"{_time(t.created['time'] if t.created else 'not seen')} | {len(t.rotations)} | "
            f"{len(t.failures)} | {_time(t.revoked['time'] if t.revoked else 'no')} |"
        )
    for t in items:
        lines += [
            "",
            f"## {md(t.environment)} / {md(t.secret)}",
            "",
            f"Store {md(t.store or 'unknown')}, team {md(t.team or 'unknown')}: "
            f"{len(t.rotations)} rotation(s), {len(t.failures)} failed, {t.reads} read(s), "
            f"{t.denied} refused request(s).",
            "",
            "| Time (UTC) | Step | Operation | By | Identity | Version | Source |",
            "|---|---|---|---|---|---|---|",
            *(_row(e) for e in t.events),
        ]
    return "\n".join(lines) + "\n"
