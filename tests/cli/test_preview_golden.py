"""Golden test: `seccat preview --format json` on catalog.yaml, byte for byte.

The JSON is what `seccat check` and CI scripts consume, so any change to it must be a
reviewed change to tests/golden/preview-prod.json. Regenerate after an intended change with

    SECCAT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/cli/test_preview_golden.py

then read the diff: the guards below refuse a golden file a terminal library has touched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "preview-prod.json"
CATALOG = ROOT / "catalog.yaml"


def test_preview_json_matches_golden():
    # no NO_COLOR: the bytes must not depend on the terminal settings
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "preview", "--stack", "prod", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        env={**env, "FORCE_COLOR": "1", "TERM": "xterm-256color"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    if os.environ.get("SECCAT_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(result.stdout)
    golden = GOLDEN.read_bytes()
    # compare parsed first for a readable diff, then the bytes for stability
    assert json.loads(result.stdout) == json.loads(golden)
    assert result.stdout == golden


def test_golden_file_has_no_character_the_catalog_did_not_have():
    """A terminal library once turned every ':secret:' into U+3299 and the golden file
    blessed it. The JSON is ASCII-escaped, so any other character came from somewhere else."""
    golden = GOLDEN.read_text(encoding="utf-8")
    assert "\u3299" not in golden
    allowed = {c for c in CATALOG.read_text(encoding="utf-8") if not c.isascii()}
    foreign = sorted({c for c in golden if not c.isascii()} - allowed)
    assert foreign == [], foreign
    assert "\x1b" not in golden


def test_golden_file_keeps_every_secret_arn_intact():
    doc = json.loads(GOLDEN.read_text(encoding="utf-8"))
    secrets = [r for r in doc["resources"] if r["type"] == "aws:secretsmanager/secret:Secret"]
    assert secrets
    text = GOLDEN.read_text(encoding="utf-8")
    for secret in secrets:
        name = secret["inputs"]["name"]
        assert f"arn:aws:secretsmanager:eu-west-1:222222222222:secret:{name}-" in text, name
