"""A rotation function's log group is written by whoever may write to it: a message that
JSON cannot be read into a value (too deep, a number too long) is skipped like any other
text that is no record, never a traceback in `seccat status` or `seccat rotate`."""

from __future__ import annotations

import json

from seccat.operations.rotation_log import attempts

STEP = {
    "timestamp": "2026-11-01T09:00:00Z",
    "level": "INFO",
    "requestId": "r1",
    "message": "createSecret: secret arn:aws:secretsmanager:eu-west-1:1:secret:x version v1",
}


def test_messages_json_cannot_build_are_skipped() -> None:
    hostile = [
        {"timestamp": 1, "message": "[" * 100_000 + "]" * 100_000},
        {"timestamp": 2, "message": "1" * 5000},
        {"timestamp": 3, "message": '{"level": "ERROR", "x": ' + "9" * 5000 + "}"},
    ]
    good = {"timestamp": 4, "message": json.dumps(STEP)}
    (attempt,) = attempts([*hostile, good])
    assert (attempt.token, attempt.steps) == ("v1", ["createSecret"])
    # negative control: without the hostile lines, the same attempt
    assert [a.token for a in attempts([good])] == ["v1"]
