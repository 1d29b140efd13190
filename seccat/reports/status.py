"""`seccat status` reports: text for a terminal, JSON for dashboards, Markdown for humans."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from seccat.cli.output import escape_for_terminal
from seccat.operations.status import Metrics, SecretStatus
from seccat.reports.ops_markdown import cell, code

SCHEMA_VERSION = 1


@dataclass
class EnvironmentStatus:
    environment: str
    secrets: list[SecretStatus]
    metrics: Metrics


@dataclass
class StatusReport:
    at: datetime
    window_days: float
    expiring_days: int
    environments: list[EnvironmentStatus] = field(default_factory=list)
    overall: Metrics | None = None

    @property
    def attention(self) -> bool:
        return any(s.needs_attention for e in self.environments for s in e.secrets)


def _day(when: datetime | None) -> str:
    return when.isoformat(timespec="seconds") if when else "never"


def _state(s: SecretStatus) -> str:
    parts = []
    if s.overdue:
        parts.append("OVERDUE")
    if s.in_flight:
        parts.append(f"in flight (AWSPENDING on {s.in_flight})")
    if s.last_error:
        parts.append(f"last rotation failed: {s.last_error}")
    if s.days_left is not None:
        word = "EXPIRED" if s.days_left < 0 else f"{s.days_left} days left"
        parts.append(f"not after {_day(s.not_after)} ({word})")
    if s.vault_ttl is not None:
        parts.append(f"Vault rotates it in {s.vault_ttl} s")
    parts += s.notes
    return "; ".join(parts) or "ok"


def _rate(m: Metrics) -> str:
    return "n/a" if m.failure_rate is None else f"{m.failure_rate * 100:.1f}%"


def _mttr(m: Metrics) -> str:
    return "n/a" if m.mean_time_to_rotate is None else f"{m.mean_time_to_rotate:.0f} s"


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} s"


def _mttd(m: Metrics) -> str:
    """Mean and maximum time to detect a misconfiguration, with how many were detected."""
    if m.detected == 0:
        return "n/a (0 detected)"
    return (
        f"mean {_seconds(m.mean_time_to_detect)}, max {_seconds(m.max_time_to_detect)} "
        f"({m.detected} detected)"
    )


def _metrics_line(label: str, m: Metrics, expiring_days: int) -> str:
    return (
        f"{label}: {m.overdue} overdue, {m.attempts} rotation attempt(s) in {m.window_days:g} "
        f"days ({m.succeeded} succeeded, {m.failed} failed), failure rate {_rate(m)}, mean time "
        f"to rotate {_mttr(m)}, {m.expiring} certificate(s) expiring within {expiring_days} "
        f"days, {m.expired} expired, time to detect a misconfiguration {_mttd(m)}"
    )


def render_text(report: StatusReport) -> str:
    lines = []
    for env in report.environments:
        for s in env.secrets:
            lines.append(
                f"{s.environment}/{s.secret}  {s.rotation}  last {_day(s.last_rotated)}  next "
                f"{_day(s.next_due)}  {_state(s)}"
            )
        lines.append(_metrics_line(env.environment, env.metrics, report.expiring_days))
    verdict = "needs attention" if report.attention else "ok"
    lines.append(f"seccat status: {verdict} as of {_day(report.at)}")
    return "\n".join(escape_for_terminal(line) for line in lines) + "\n"


def to_json(report: StatusReport) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "at": _day(report.at),
        "windowDays": report.window_days,
        "expiringDays": report.expiring_days,
        "attention": report.attention,
        "environments": [
            {
                "environment": e.environment,
                "metrics": e.metrics.to_json(),
                "secrets": [s.to_json() for s in e.secrets],
            }
            for e in report.environments
        ],
        "metrics": report.overall.to_json() if report.overall else None,
    }


def render_json(report: StatusReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return cell(text)


def render_markdown(report: StatusReport) -> str:
    icon = "⚠️ needs attention" if report.attention else "✅ ok"
    lines = ["<!-- seccat-status -->", f"## seccat status {icon}", "", f"As of {_day(report.at)}."]
    for env in report.environments:
        m = env.metrics
        lines += [
            "",
            f"### {code(env.environment, table=False)}",
            "",
            "| Secret | Rotation | Last rotated | Next due | State |",
            "|---|---|---|---|---|",
        ]
        for s in env.secrets:
            lines.append(
                f"| {code(s.secret)} | {_cell(s.rotation)} | {_day(s.last_rotated)} "
                f"| {_day(s.next_due)} | {_cell(_state(s))} |"
            )
        lines += [
            "",
            "| Overdue | Attempts | Failed | Failure rate | Mean time to rotate | Expiring "
            "| Expired | Time to detect a misconfiguration |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {m.overdue} | {m.attempts} | {m.failed} | {_rate(m)} | {_mttr(m)} | {m.expiring} "
            f"| {m.expired} | {_mttd(m)} |",
        ]
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
