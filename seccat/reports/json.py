"""Stable JSON for scripts: version 1 of the `seccat check --format json` contract."""

from __future__ import annotations

import json as _json
from typing import Any

from seccat.checking.findings import CheckResult
from seccat.reports.common import SEVERITIES, status


def to_json(result: CheckResult) -> dict[str, Any]:
    counts = result.counts_by_severity()
    return {
        "schemaVersion": 1,
        "stack": result.stack,
        "catalog": result.catalog_file,
        "pack": result.pack,
        "passed": not result.failed,
        "stopped": result.stopped,
        "summary": {
            "resources": result.resources,
            "mandatory": sum(1 for f in result.findings if status(f) == "mandatory"),
            "advisory": sum(1 for f in result.findings if status(f) == "advisory"),
            "waived": sum(1 for f in result.findings if status(f) == "waived"),
            "bySeverity": {s: counts.get(s, 0) for s in SEVERITIES},
            "errors": len(result.errors),
            "warnings": len(result.warnings),
        },
        "findings": [f.to_json() for f in result.findings],
        "diagnostics": [d.to_json() for d in result.diagnostics],
    }


def render(result: CheckResult) -> str:
    return _json.dumps(to_json(result), indent=2) + "\n"
