"""A pull-request comment: the verdict, counts by severity, then each violation with its
remediation."""

from __future__ import annotations

from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.findings import CheckResult
from seccat.policies.registry import RULES_BY_ID
from seccat.reports.common import SEVERITIES, by_importance, diagnostic_text, status, stop_summary
from seccat.reports.escape import md_code, md_text

#: Lets CI find and update its own earlier comment instead of adding a new one.
MARKER = "<!-- seccat-check -->"


def _cell(text: str) -> str:
    """seccat's own text (a rule's title or remediation) for a table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _problems(title: str, diagnostics: list[Diagnostic]) -> list[str]:
    """A table of problems that are not rule findings, each at its file and line."""
    lines = ["", f"### {title}", "", "| Severity | Where | Problem |", "|---|---|---|"]
    for d in diagnostics:
        lines.append(
            f"| {d.severity} | {md_code(f'{d.file}:{d.line}:{d.column}')} "
            f"| {md_text(diagnostic_text(d))} |"
        )
    return lines


def render(result: CheckResult) -> str:
    verdict = "❌ failed" if result.failed else "✅ passed"
    head = (
        f"## seccat check {verdict}: {md_code(result.stack, table=False)} with pack "
        f"{md_code(result.pack, table=False)}"
    )
    if result.stopped is not None:
        catalog = md_code(result.catalog_file, table=False)
        lines = [MARKER, head, "", f"{catalog}: {stop_summary(result)}."]
        lines += _problems("Fix these first", result.diagnostics)
        return "\n".join(lines) + "\n"
    lines = [
        MARKER,
        head,
        "",
        f"{result.resources} resources checked from {md_code(result.catalog_file, table=False)}.",
        "",
        "| Severity | Mandatory | Advisory | Waived |",
        "|---|---:|---:|---:|",
    ]
    for severity in SEVERITIES:
        row = [f for f in result.findings if f.severity == severity]
        lines.append(
            f"| {severity} | {sum(status(f) == 'mandatory' for f in row)} "
            f"| {sum(status(f) == 'advisory' for f in row)} "
            f"| {sum(status(f) == 'waived' for f in row)} |"
        )
    if not result.findings:
        lines += ["", "No violations."]
        if result.diagnostics:
            lines += _problems("Waivers to look at", result.diagnostics)
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| Status | Severity | Rule | Where | Finding | Remediation |",
        "|---|---|---|---|---|---|",
    ]
    for f in by_importance(result.findings):
        rule = RULES_BY_ID[f.rule_id]
        where = md_code(f"{f.file}:{f.line}") + (
            f" {md_code(f.resource_name)}" if f.resource_name else ""
        )
        note = f" (waived: {f.waiver.reason}, until {f.waiver.expires})" if f.waiver else ""
        lines.append(
            f"| {status(f)} | {f.severity} | [{f.rule_id}]({rule.help_uri}) {_cell(rule.title)} "
            f"| {where} | {md_text(f.message + note)} | {_cell(rule.remediation)} |"
        )
    if result.diagnostics:
        lines += _problems("Waivers to look at", result.diagnostics)
    return "\n".join(lines) + "\n"
