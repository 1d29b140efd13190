"""Monitoring documents for AWS rotation: the EventBridge pattern and the dashboard body.

Pure functions of validated names, like the IAM documents, so `seccat render` shows them and
tests compare them exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seccat.documents.names import require
from seccat.documents.templating import render_json

#: Secrets Manager records these rotation outcomes as CloudTrail *service* events, which
#: EventBridge delivers with detail-type "AWS Service Event via CloudTrail" and the secret's
#: ARN in ``detail.additionalEventData.SecretId``:
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html
#: (section "Log entries for rotation") and
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/monitoring-eventbridge.html
#: RotationAbandoned: a new version was put by hand while a rotation was pending.
#: TestRotationFailed: the rotation function's testSecret step failed.
ROTATION_FAILURE_EVENTS: tuple[str, ...] = (
    "RotationAbandoned",
    "RotationFailed",
    "TestRotationFailed",
)

#: An alarm-status widget lists at most 100 alarms; a graph holds at most 500 metrics, so
#: 100 functions (two metrics each on the errors graph) stays well inside.
ALARMS_PER_WIDGET = 100
FUNCTIONS_PER_WIDGET = 100


def secret_arn_prefix(region: str, account_id: str, environment: str) -> str:
    """Every secret of one environment (names are ``<env>/<id>``)."""
    return (
        f"arn:aws:secretsmanager:{require(region, 'region')}:"
        f"{require(account_id, 'account_id')}:secret:{require(environment, 'name')}/"
    )


def rotation_failure_pattern(region: str, account_id: str, environment: str) -> dict[str, Any]:
    """EventBridge pattern for failed or abandoned rotations of one environment's secrets."""
    return render_json(
        "aws/rotation-events-pattern.json.j2",
        event_names=list(ROTATION_FAILURE_EVENTS),
        secret_arn_prefix=secret_arn_prefix(region, account_id, environment),
    )


def _chunks(values: Sequence[str], size: int) -> list[list[str]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


def rotation_dashboard(
    *, environment: str, region: str, function_names: Sequence[str], alarm_arns: Sequence[str]
) -> dict[str, Any]:
    """Alarm states first (what on-call looks at), then invocations and errors per function."""
    functions = sorted(require(f, "aws_name") for f in function_names)
    alarms = sorted(require(a, "arn") for a in alarm_arns)
    return render_json(
        "aws/rotation-dashboard.json.j2",
        env=require(environment, "name"),
        region=require(region, "region"),
        alarm_chunks=_chunks(alarms, ALARMS_PER_WIDGET),
        function_chunks=_chunks(functions, FUNCTIONS_PER_WIDGET),
    )
