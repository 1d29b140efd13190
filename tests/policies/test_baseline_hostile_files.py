"""A hostile `--baseline` file (`seccat check`, one stack or `--all-stacks`): whatever it
holds is a one-line usage error naming the file, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seccat.checking.baseline import BaselineError, read_baseline


def test_a_baseline_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"schemaVersion": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(BaselineError, match=r"deep\.json: not JSON \(nested too deeply\)$"):
        read_baseline(deep, None)


def test_a_number_too_long_to_read_is_refused_plainly(tmp_path: Path) -> None:
    long = tmp_path / "long.json"
    long.write_text('{"schemaVersion": 1, "findings": [], "x": 1' + "0" * 5000 + "}")
    with pytest.raises(BaselineError, match=r"long\.json: not JSON \(a number too long\)$"):
        read_baseline(long, None)


def test_the_negative_control_reads(tmp_path: Path) -> None:
    fine = tmp_path / "fine.json"
    fine.write_text(
        json.dumps(
            {
                "schemaVersion": 1,
                "stack": "dev,prod",
                "findings": [{"ruleId": "SECCAT-AWS-001", "message": "m", "target": "t"}],
            }
        )
    )
    read = read_baseline(fine, None)
    assert (read.stack, [e.rule_id for e in read.entries]) == ("dev,prod", ["SECCAT-AWS-001"])
