"""Bits every report shares."""

from __future__ import annotations

import os
from pathlib import Path

from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.findings import CheckResult, Finding
from seccat.policies.framework import SEVERITY_ORDER

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


def diagnostic_text(d: Diagnostic) -> str:
    """A diagnostic's message with the place it names: ``waivers[0]: ... (WAIVER_EXPIRING)``."""
    where = f"{d.path}: " if d.path else ""
    return f"{where}{d.message} ({d.code})"


def stop_summary(result: CheckResult) -> str:
    """Why no rule ran, with the number of errors: ``the catalog is invalid (3 errors)``."""
    errors = len(result.errors)
    return f"{result.stopped} ({errors} error{'s' if errors != 1 else ''}); no rule ran"


def repo_relative(file: str, root: Path) -> str | None:
    """``file`` (as the user named it, relative to the current directory or absolute) as a
    '/'-separated path under ``root``, or None when it lies outside. Symlinks are tried
    both unresolved and resolved (git reports a resolved top level)."""
    path = Path(os.path.abspath(file))
    for candidate, base in ((path, root), (path.resolve(), root.resolve())):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return None
