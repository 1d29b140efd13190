"""What `seccat events` copies out of a record, second red-team pass: text JSON can spell but
UTF-8 cannot encode (a lone surrogate, ``\\udcff``) must not crash the Markdown report, and
the error code is redacted as the error message is (docs/events.md: ``status_detail``)."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.events.test_hostile_input import TRAIL_RECORD

ROOT = Path(__file__).resolve().parents[2]


def _events(tmp_path: Path, record: dict[str, Any], fmt: str) -> subprocess.CompletedProcess[bytes]:
    path = tmp_path / "trail.jsonl"
    path.write_text(json.dumps(record) + "\n")  # ensure_ascii: a surrogate as \udcff
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "events", "-s", "prod", "--cloudtrail", str(path),
         "-f", fmt],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


def _record(user_arn: str) -> dict[str, Any]:
    record = copy.deepcopy(TRAIL_RECORD)
    del record["errorCode"], record["errorMessage"]
    record["userIdentity"]["arn"] = user_arn
    return record


def test_a_lone_surrogate_in_a_record_is_shown_escaped_in_markdown(tmp_path: Path) -> None:
    done = _events(
        tmp_path, _record("arn:aws:sts::222222222222:assumed-role/r/a\udcffb"), "markdown"
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    text = done.stdout.decode("utf-8")  # valid UTF-8
    assert "assumed-role/r/a\\\\udcffb |" in text, text
    # negative control: the same record with plain text shows the identity as it is
    plain = _events(tmp_path, _record("arn:aws:sts::222222222222:assumed-role/r/ab"), "markdown")
    assert plain.returncode == 0 and b"assumed-role/r/ab |" in plain.stdout


def test_the_error_code_is_redacted_like_the_error_message(tmp_path: Path) -> None:
    record = copy.deepcopy(TRAIL_RECORD)
    record["errorCode"] = "AccessDenied postgres://admin:Hunter2-Sx9q@db.internal/app"
    done = _events(tmp_path, record, "jsonl")
    assert done.returncode == 0, done.stderr
    (event,) = [json.loads(line) for line in done.stdout.splitlines()]
    shown = "AccessDenied [a URL with a password, not shown]db.internal/app"
    assert (event["status_detail"], event["api"]["response"]["error"]) == (shown, shown)
    assert b"Hunter2" not in done.stdout
    # negative control: an ordinary code is copied as it is, and still makes the step denied
    record["errorCode"] = "AccessDenied"
    plain = _events(tmp_path, record, "jsonl")
    event = json.loads(plain.stdout)
    assert event["status_detail"] == "AccessDenied"
    assert event["unmapped"]["seccat"]["step"] == "denied"
