"""Golden test: `seccat preview --format json` on catalog.yaml, byte for byte.

The JSON is what `seccat check` and CI scripts consume, so any change to it must be a
reviewed change to tests/golden/preview-prod.json. Regenerate after an intended change with

    SECCAT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/cli/test_preview_golden.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "preview-prod.json"


def test_preview_json_matches_golden():
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "preview", "--stack", "prod", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    if os.environ.get("SECCAT_UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout)
    golden = GOLDEN.read_text()
    # compare parsed first for a readable diff, then the bytes for stability
    assert json.loads(result.stdout) == json.loads(golden)
    assert result.stdout == golden
