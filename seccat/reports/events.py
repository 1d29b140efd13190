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

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def md(text: object) -> str:
    """Text for a Markdown table cell or line: every Markdown and HTML special character
    escaped, line breaks and control characters turned into spaces."""
    flat = "".join(" " if (ord(c) < 32 or ord(c) == 127) else c for c in str(text))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


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
        f"| {md(entry['time'])} | {md(entry['step'])} | {md(entry['operation'])} | "
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
            f"{md(t.created['time'] if t.created else 'not seen')} | {len(t.rotations)} | "
            f"{len(t.failures)} | {md(t.revoked['time'] if t.revoked else 'no')} |"
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
