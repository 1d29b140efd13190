"""Compiler-style lines, so terminals and editors jump to the catalog line."""

from __future__ import annotations

from seccat.checking.findings import CheckResult
from seccat.reports.common import by_importance, status

_LEVEL = {"mandatory": "error", "advisory": "warning", "waived": "note"}


def render(result: CheckResult) -> str:
    lines: list[str] = []
    for f in sorted(result.findings, key=lambda f: (f.file, f.line, f.column, f.rule_id)):
        where = f" [{f.resource_type} {f.resource_name}]" if f.resource_name else ""
        waived = f" (waived until {f.waiver.expires}: {f.waiver.reason})" if f.waiver else ""
        lines.append(
            f"{f.file}:{f.line}:{f.column}: {_LEVEL[status(f)]}: {f.rule_id} "
            f"{f.severity}: {f.message}{where}{waived}"
        )
    ordered = by_importance(result.findings)
    mandatory = sum(1 for f in ordered if status(f) == "mandatory")
    advisory = sum(1 for f in ordered if status(f) == "advisory")
    waived = sum(1 for f in ordered if status(f) == "waived")
    verdict = "FAILED" if result.failed else "passed"
    lines.append(
        f"seccat check {verdict}: stack {result.stack}, pack {result.pack}, "
        f"{result.resources} resources, {mandatory} mandatory, {advisory} advisory, "
        f"{waived} waived"
    )
    return "\n".join(lines) + "\n"
