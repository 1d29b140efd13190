"""Monitoring documents for AWS rotation: the EventBridge pattern and the dashboard body.

Pure functions of validated names, like the IAM documents, so `seccat render` shows them and
tests compare them exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from seccat.catalog.model import CLASSIFICATION_RANK, MAX_ROTATION_DAYS
from seccat.documents.names import bounded, require
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


#: Metric alarms on every rotation function: any error or throttle in a 5-minute period.
FUNCTION_METRICS = ("Errors", "Throttles")
#: Target id of the alarm topic on the rotation-failure rule (unique within the rule).
ALARM_TOPIC_TARGET_ID = "seccat-alarm-topic"


def alarm_name(function_name: str, metric: str) -> str:
    """CloudWatch alarm on one metric of one rotation function (255-character limit)."""
    return bounded(f"{require(function_name, 'aws_name')}-{metric.lower()}", 255)


def alarm_names(function_name: str) -> list[str]:
    return [alarm_name(function_name, metric) for metric in FUNCTION_METRICS]


def rotation_failure_rule_name(environment: str) -> str:
    return f"seccat-{require(environment, 'name')}-rotation-failures"


def dashboard_name(environment: str) -> str:
    return f"seccat-{require(environment, 'name')}-rotation"


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


#: SECRETSMANAGER_SECRET_UNUSED's default, as in Security Hub SecretsManager.3.
UNUSED_DAYS = 90


@dataclass(frozen=True)
class ConfigRule:
    """One AWS Config managed rule of an environment's detective controls."""

    suffix: str
    identifier: str
    description: str
    parameters: dict[str, str] | None = None
    #: (tag key, tag value) the rule is scoped to; change-triggered rules only.
    scope_tag: tuple[str, str] | None = None
    periodic: bool = False


def config_rule_name(environment: str, suffix: str) -> str:
    return f"seccat-{require(environment, 'name')}-{suffix}"


def config_rules(environment: str, classifications: Iterable[str]) -> list[ConfigRule]:
    """The rules for an environment whose Secrets Manager secrets have ``classifications``."""
    classes = sorted(set(classifications), key=CLASSIFICATION_RANK.__getitem__)
    if not classes:
        return []
    # Change-triggered rules take a tag scope: one rule per classification, so each secret
    # is held to its own classification's interval.
    rules = [
        ConfigRule(
            f"secret-rotation-enabled-{cls}",
            "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
            f"{cls} secrets rotate at least every {MAX_ROTATION_DAYS[cls]} days",
            parameters={"maximumAllowedRotationFrequency": str(MAX_ROTATION_DAYS[cls])},
            scope_tag=("seccat:classification", cls),
        )
        for cls in classes
    ]
    rules += [
        ConfigRule(
            "secret-rotation-succeeds",
            "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
            f"rotations of {environment} secrets happen as scheduled",
            scope_tag=("seccat:environment", environment),
        ),
        # Periodic rules cannot be scoped by tag, so they take the loosest interval in use:
        # catching a secret nobody rotated (also the externally issued ones) without
        # flagging a secret that honours its own, stricter, classification (checked above).
        ConfigRule(
            "secret-periodic-rotation",
            "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
            f"every secret was rotated within {MAX_ROTATION_DAYS[classes[0]]} days",
            parameters={"maxDaysSinceRotation": str(MAX_ROTATION_DAYS[classes[0]])},
            periodic=True,
        ),
        ConfigRule(
            "secret-unused",
            "SECRETSMANAGER_SECRET_UNUSED",
            f"no secret goes unread for {UNUSED_DAYS} days (retire it in the catalog)",
            parameters={"unusedForDays": str(UNUSED_DAYS)},
            periodic=True,
        ),
        ConfigRule(
            "kms-key-rotation",
            "CMK_BACKING_KEY_ROTATION_ENABLED",
            "customer managed keys rotate their backing key",
            periodic=True,
        ),
    ]
    return rules
