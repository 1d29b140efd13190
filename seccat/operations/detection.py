"""Time to detect a misconfiguration: how long AWS Config took to flag a configuration change
that broke one of the detective rules seccat deploys (components/aws/detective.py).

Definition. For every ``NON_COMPLIANT`` evaluation of the environment's *change-triggered*
seccat Config rules (``GetComplianceDetailsByConfigRule``) whose ``ResultRecordedTime`` falls
in the window: ``ResultRecordedTime - EvaluationResultIdentifier.OrderingTimestamp``. AWS
defines ``OrderingTimestamp`` as the time of the event that triggered the evaluation; for a
change-triggered rule that is the configuration item change notification of the change that
made the resource non-compliant, so the difference is the time from the misconfiguration
being recorded to seccat's rule saying so. ``seccat status`` reports the mean and the maximum
(the mean hides a stuck evaluation, the maximum shows it) and the number of detections.

Periodic rules (``maximum_execution_frequency``) are left out: their evaluations are
triggered by the schedule, so ``OrderingTimestamp`` is the schedule's tick, not the change,
and the difference would measure Config's run time rather than the detection delay. Config
keeps only the latest evaluation per rule and resource, so a resource that was fixed and
broken again counts once, at its latest change; a resource fixed since is compliant and no
longer counted. Nothing here reads a secret or its value: evaluation results name resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from seccat.documents.monitoring import config_rule_name, config_rules
from seccat.operations.errors import OperationError, aws_failure, error_code
from seccat.operations.targets import EnvironmentTargets

NON_COMPLIANT = "NON_COMPLIANT"


@dataclass(frozen=True)
class Detection:
    """One non-compliant evaluation: which rule flagged which resource, and when."""

    rule: str
    resource_type: str
    resource_id: str
    #: The triggering configuration change (OrderingTimestamp).
    changed: datetime
    #: When Config recorded the evaluation result (ResultRecordedTime).
    recorded: datetime

    @property
    def seconds(self) -> float:
        return max(0.0, (self.recorded - self.changed).total_seconds())


@dataclass(frozen=True)
class DetectionSummary:
    count: int
    mean_seconds: float | None
    max_seconds: float | None


def _utc(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def detections(rule: str, results: Iterable[Mapping[str, Any]]) -> list[Detection]:
    """The non-compliant evaluations among ``results`` (EvaluationResults of one rule)."""
    out = []
    for result in results:
        if result.get("ComplianceType") != NON_COMPLIANT:
            continue
        ident = result.get("EvaluationResultIdentifier") or {}
        qualifier = ident.get("EvaluationResultQualifier") or {}
        changed, recorded = (
            _utc(ident.get("OrderingTimestamp")),
            _utc(result.get("ResultRecordedTime")),
        )
        if changed is None or recorded is None:
            continue
        out.append(
            Detection(
                rule=rule,
                resource_type=str(qualifier.get("ResourceType", "")),
                resource_id=str(qualifier.get("ResourceId", "")),
                changed=changed,
                recorded=recorded,
            )
        )
    return out


def summarize_detections(
    found: Iterable[Detection], at: datetime, window: timedelta
) -> DetectionSummary:
    """Mean and maximum time to detect over the detections recorded in ``(at-window, at]``."""
    start = at - window
    seconds = [d.seconds for d in found if start < d.recorded <= at]
    if not seconds:
        return DetectionSummary(0, None, None)
    return DetectionSummary(len(seconds), sum(seconds) / len(seconds), max(seconds))


def change_triggered_rules(targets: EnvironmentTargets) -> list[str]:
    """The names of the change-triggered Config rules seccat deploys in the environment
    (none without ``detective_controls``)."""
    env = targets.environment
    if not env.detective_controls:
        return []
    classes = [t.secret.classification for t in targets.secrets.values() if t.aws is not None]
    return [
        config_rule_name(env.name, r.suffix)
        for r in config_rules(env.name, classes)
        if not r.periodic
    ]


def read_detections(config: Any, rules: Iterable[str]) -> list[Detection]:
    """Every rule's non-compliant evaluations, all pages. A rule that is not deployed (yet)
    has none; any other refusal stops with the located AWS error."""
    from botocore.exceptions import BotoCoreError, ClientError

    out: list[Detection] = []
    for rule in rules:
        kwargs: dict[str, Any] = {
            "ConfigRuleName": rule,
            "ComplianceTypes": [NON_COMPLIANT],
            "Limit": 100,
        }
        while True:
            try:
                page = config.get_compliance_details_by_config_rule(**kwargs)
            except ClientError as exc:
                if error_code(exc) == "NoSuchConfigRuleException":
                    break
                raise OperationError(
                    aws_failure(exc, f"{rule}: GetComplianceDetailsByConfigRule")
                ) from None
            except BotoCoreError as exc:
                raise OperationError(f"{rule}: GetComplianceDetailsByConfigRule: {exc}") from None
            out += detections(rule, page.get("EvaluationResults") or [])
            if not page.get("NextToken"):
                break
            kwargs["NextToken"] = page["NextToken"]
    return out
