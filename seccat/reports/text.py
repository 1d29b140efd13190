"""Compiler-style lines, so terminals and editors jump to the catalog line."""

from __future__ import annotations

from seccat.checking.findings import CheckResult
from seccat.reports.common import by_importance, status, stop_summary

_LEVEL = {"mandatory": "error", "advisory": "warning", "waived": "note"}


def render(result: CheckResult) -> str:
    rows: list[tuple[str, int, int, str, str]] = []
    for d in result.diagnostics:
        rows.append((d.file, d.line, d.column, "", d.render()))
    for f in result.findings:
        where = f" [{f.resource_type} {f.resource_name}]" if f.resource_name else ""
        waived = f" (waived until {f.waiver.expires}: {f.waiver.reason})" if f.waiver else ""
        known = " (in the baseline)" if f.baseline == "unchanged" else ""
        rows.append(
            (
                f.file,
                f.line,
                f.column,
                f.rule_id,
                f"{f.file}:{f.line}:{f.column}: {_LEVEL[status(f)]}: {f.rule_id} "
                f"{f.severity}: {f.message}{where}{waived}{known}",
            )
        )
    lines = [row[-1] for row in sorted(rows, key=lambda r: r[:4])]
    verdict = "FAILED" if result.failed else "passed"
    head = f"seccat check {verdict}: stack {result.stack}, pack {result.pack}"
    if result.stopped is not None:
        lines.append(f"{head}: {stop_summary(result)}")
        return "\n".join(lines) + "\n"
    ordered = by_importance(result.findings)
    mandatory = sum(1 for f in ordered if status(f) == "mandatory")
    advisory = sum(1 for f in ordered if status(f) == "advisory")
    waived = sum(1 for f in ordered if status(f) == "waived")
    tail = "".join(
        f", {n} {word}{'s' if n != 1 else ''}"
        for n, word in ((len(result.errors), "error"), (len(result.warnings), "warning"))
        if n
    )
    lines.append(
        f"{head}, {result.resources} resources, {mandatory} mandatory, {advisory} advisory, "
        f"{waived} waived{tail}"
    )
    return "\n".join(lines) + "\n"
