"""Bits every report shares."""

from __future__ import annotations

from policies.framework import SEVERITY_ORDER
from seccat.checking.findings import Finding

SEVERITIES = ("critical", "high", "medium", "low")


def status(finding: Finding) -> str:
    if finding.waived:
        return "waived"
    return finding.enforcement


def by_importance(findings: list[Finding]) -> list[Finding]:
    """Mandatory before advisory before waived, then most severe first, then by position."""
    rank = {"mandatory": 0, "advisory": 1, "waived": 2}
    return sorted(
        findings,
        key=lambda f: (
            rank[status(f)],
            -SEVERITY_ORDER[f.severity],
            f.file,
            f.line,
            f.column,
            f.rule_id,
        ),
    )
