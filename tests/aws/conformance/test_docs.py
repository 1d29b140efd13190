"""docs/aws-conformance.md's per-type table is what the harness does (regenerate with
SECCAT_UPDATE_DOCS=1 after adding or changing an applier)."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from tests.aws.conformance.conftest import World
from tests.aws.conformance.report import coverage_table, replace_table

DOC = Path(__file__).resolve().parents[3] / "docs" / "aws-conformance.md"


def test_docs_table_matches_the_harness(worlds: list[World]) -> None:
    compared: dict[str, set[str]] = defaultdict(set)
    for w in worlds:
        for findings in w.findings.values():
            for f in findings:
                compared[f.type].add(f.compared.field)
    document = DOC.read_text()
    current = replace_table(document, coverage_table(compared))
    if os.environ.get("SECCAT_UPDATE_DOCS"):
        DOC.write_text(current)
    assert document == current
