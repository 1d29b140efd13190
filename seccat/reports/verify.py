"""`seccat verify` reports: compiler-style text, JSON for scripts, Markdown for a ticket or a
pull-request comment, SARIF for code scanning (each result on the catalog line).

Live values (a tag someone typed, a policy someone pasted) are untrusted text: the text
report escapes control characters, Markdown puts them in fences longer than any backtick
run they contain and escapes table cells, JSON and SARIF escape as JSON does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from seccat.cli.output import escape_for_terminal
from seccat.operations.verify.findings import CHECKS, Finding, VerifyResult
from seccat.reports.ops_markdown import cell, code, fence, own
from seccat.reports.sarif import SCHEMA_URI, SECURITY_SEVERITY, TOOL_URI

SCHEMA_VERSION = 1
MARKER = "<!-- seccat-verify -->"


def _summary(result: VerifyResult) -> str:
    verdict = "DRIFT" if result.failed else "no drift"
    envs = ", ".join(result.environments)
    compared = sum(result.compared.values())
    return (
        f"seccat verify: {verdict}: {len(result.findings)} finding(s), {compared} comparisons "
        f"in {envs}"
    )


def render_text(result: VerifyResult) -> str:
    lines = []
    for f in result.sorted_findings():
        lines.append(
            escape_for_terminal(f"{f.file}:{f.line}:{f.column}: error: {f.id}: {f.message}")
        )
        lines.append(escape_for_terminal(f"  expected: {_compact(f.expected)}"))
        lines.append(escape_for_terminal(f"  live:     {_compact(f.live)}"))
        for d in f.diff:
            lines.append(escape_for_terminal(f"    {d}"))
    for n in result.notes:
        lines.append(escape_for_terminal(f"note: {n.environment}: {n.message}"))
    lines.append(_summary(result))
    return "\n".join(lines) + "\n"


def _compact(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 400 else text[:397] + "..."


def to_json(result: VerifyResult) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "catalog": result.catalog_file,
        "environments": result.environments,
        "passed": not result.failed,
        "summary": {
            "findings": len(result.findings),
            "comparisons": dict(result.compared),
            "byCheck": _by_check(result.findings),
        },
        "findings": [f.to_json() for f in result.sorted_findings()],
        "notes": [{"environment": n.environment, "message": n.message} for n in result.notes],
    }


def _by_check(findings: list[Finding]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.check] = counts.get(f.check, 0) + 1
    return dict(sorted(counts.items()))


def render_json(result: VerifyResult) -> str:
    return json.dumps(to_json(result), indent=2, ensure_ascii=False, default=str) + "\n"


def _cell(text: str) -> str:
    return cell(text)


def render_markdown(result: VerifyResult) -> str:
    verdict = "❌ drift" if result.failed else "✅ no drift"
    envs = ", ".join(code(e, table=False) for e in result.environments)
    compared = sum(result.compared.values())
    lines = [
        MARKER,
        f"## seccat verify {verdict}: {envs}",
        "",
        f"{len(result.findings)} finding(s) from {compared} comparisons with "
        f"{code(result.catalog_file, table=False)}.",
    ]
    if result.findings:
        lines += ["", "| Severity | Where | Finding | Id |", "|---|---|---|---|"]
        for f in result.sorted_findings():
            lines.append(
                f"| {f.severity} | {code(f'{f.file}:{f.line}')} | {_cell(f.message)} "
                f"| {code(f.id)} |"
            )
        lines += ["", "### Details", ""]
        for f in result.sorted_findings():
            check = CHECKS[f.check]
            lines += [f"#### {code(f.id, table=False)}", "", f"{_cell(f.message)}", ""]
            lines += [f"Fix: {own(check.remediation)}.", ""]
            if f.diff:
                lines += fence("\n".join(f.diff), "diff")
            else:
                lines += ["Expected:", ""]
                lines += fence(
                    json.dumps(f.expected, indent=2, sort_keys=True, default=str), "json"
                )
                lines += ["", "Live:", ""]
                lines += fence(json.dumps(f.live, indent=2, sort_keys=True, default=str), "json")
            lines.append("")
    if result.notes:
        lines += ["", "Not checked:", ""]
        lines += [f"- {code(n.environment, table=False)}: {_cell(n.message)}" for n in result.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def to_sarif(result: VerifyResult, version: str = "0.1.0") -> dict[str, Any]:
    rules = list(CHECKS.values())
    index = {c.id: i for i, c in enumerate(rules)}
    results = []
    for f in result.sorted_findings():
        results.append(
            {
                "ruleId": f.check,
                "ruleIndex": index[f.check],
                "level": "error",
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.file)},
                            "region": {"startLine": f.line, "startColumn": f.column},
                        },
                        "logicalLocations": [
                            {
                                "fullyQualifiedName": f"{f.environment}/{f.subject}",
                                "kind": "resource",
                            }
                        ],
                    }
                ],
                # the id, not the line: a finding survives unrelated catalog edits
                "partialFingerprints": {
                    "seccatDrift/v1": hashlib.sha256(f.id.encode()).hexdigest()[:32]
                },
                "properties": {
                    "id": f.id,
                    "environment": f.environment,
                    "severity": f.severity,
                    "expected": f.expected,
                    "live": f.live,
                },
            }
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "seccat-verify",
                        "informationUri": TOOL_URI,
                        "semanticVersion": version,
                        "rules": [
                            {
                                "id": c.id,
                                "name": "".join(
                                    w.capitalize() for w in c.id.replace("-", ".").split(".")
                                ),
                                "shortDescription": {"text": c.title},
                                "help": {"text": c.remediation},
                                "defaultConfiguration": {"level": "error"},
                                "properties": {
                                    "tags": ["security", "drift"],
                                    "security-severity": SECURITY_SEVERITY[c.severity],
                                },
                            }
                            for c in rules
                        ],
                    }
                },
                "automationDetails": {"id": f"seccat-verify/{'+'.join(result.environments)}/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"environments": result.environments},
            }
        ],
    }


def render_sarif(result: VerifyResult) -> str:
    return json.dumps(to_sarif(result), indent=2, default=str) + "\n"


RENDERERS = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "sarif": render_sarif,
}
