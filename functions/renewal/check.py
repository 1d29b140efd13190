"""How long until an owner-rotated secret is due: measured, published as a metric.

Entry point for the scheduled Lambda: ``renewal.check.handler``. EventBridge Scheduler
invokes it every few hours per owner-rotated secret (``rotation.by: owner``) with the
catalog's renewal interval in the event; it publishes ``seccat/Renewal DaysUntilDue`` for the
secret, and two CloudWatch alarms on that metric do the rest: a reminder to the owning team
when the renewal is near, an overdue alarm when it is past (and when the metric stops
arriving, because then this check is broken).

"Due" is counted from the last *renewal*, not from a fixed calendar: the creation date of
the version that is ``AWSCURRENT`` now (the owner's last ``PutSecretValue``), plus the
interval. ``LastChangedDate`` would be wrong, because tagging the secret or editing its
description changes it too, and a fixed schedule drifts from reality as soon as someone
renews early or late. A certificate's ``seccat:not-after`` tag, written by whoever renews
it, brings the due date forward when the certificate expires before the interval is up.

Nothing here reads a value: ``DescribeSecret`` and ``ListSecretVersionIds`` return metadata
only, and the function's role may call nothing else on the secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

NAMESPACE = "seccat/Renewal"
METRIC = "DaysUntilDue"
#: Tag the renewal procedure writes on a certificate: its notAfter, ISO 8601 (UTC).
NOT_AFTER_TAG = "seccat:not-after"
CURRENT = "AWSCURRENT"
DAY = 86400

_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,62}/[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?")

logger = logging.getLogger("seccat.renewal")
logger.setLevel(logging.INFO)
for _noisy in ("botocore", "boto3", "urllib3"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)


class RenewalCheckError(Exception):
    """The event or the secret's metadata cannot be measured. Never carries a value."""


@dataclass(frozen=True)
class Target:
    """What the schedule asks to measure (its input, generated from the catalog)."""

    environment: str
    secret: str  # catalog id
    name: str  # Secrets Manager name, <environment>/<secret>
    every_seconds: int

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Target:
        try:
            target = cls(
                environment=str(event["environment"]),
                secret=str(event["secret"]),
                name=str(event["name"]),
                every_seconds=int(event["every_seconds"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RenewalCheckError(f"malformed renewal event: {exc!r}") from None
        if target.name != f"{target.environment}/{target.secret}" or not _NAME_RE.fullmatch(
            target.name
        ):
            raise RenewalCheckError(f"refusing secret name {target.name!r}")
        if target.every_seconds < DAY:
            raise RenewalCheckError(f"renewal interval {target.every_seconds}s is under a day")
        return target


@dataclass(frozen=True)
class Measurement:
    target: Target
    #: When the value now in use was put (None: the secret was never filled).
    renewed: datetime | None
    created: datetime
    not_after: datetime | None
    due: datetime
    days_until_due: float

    def log_record(self) -> dict[str, Any]:
        return {
            "secret": self.target.secret,
            "environment": self.target.environment,
            "renewed": _iso(self.renewed),
            "not_after": _iso(self.not_after),
            "due": _iso(self.due),
            "days_until_due": round(self.days_until_due, 3),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def parse_not_after(text: str) -> datetime:
    """``2027-03-01`` (end of that day is *not* assumed: midnight UTC) or a full timestamp."""
    if not isinstance(text, str) or not _DATE_RE.fullmatch(text.strip()):
        raise RenewalCheckError(f"tag {NOT_AFTER_TAG} is not an ISO 8601 date: {text[:40]!r}")
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def measure(
    target: Target,
    description: Mapping[str, Any],
    versions: list[Mapping[str, Any]],
    now: datetime,
) -> Measurement:
    """Due date and days left from ``DescribeSecret`` and ``ListSecretVersionIds`` output.

    A secret that was never filled is due since it was created: consumers cannot read it.
    """
    created = description["CreatedDate"]
    current = [v for v in versions if CURRENT in (v.get("VersionStages") or ())]
    renewed = current[0]["CreatedDate"] if current else None
    due = renewed + timedelta(seconds=target.every_seconds) if renewed else created
    tags = {t["Key"]: t["Value"] for t in description.get("Tags") or ()}
    not_after = parse_not_after(tags[NOT_AFTER_TAG]) if NOT_AFTER_TAG in tags else None
    if not_after is not None and not_after < due:
        due = not_after
    return Measurement(
        target=target,
        renewed=renewed,
        created=created,
        not_after=not_after,
        due=due,
        days_until_due=(due - now).total_seconds() / DAY,
    )


def check(target: Target, secretsmanager: Any, cloudwatch: Any, now: datetime) -> Measurement:
    """Measure one secret and publish its metric."""
    description = secretsmanager.describe_secret(SecretId=target.name)
    versions: list[Mapping[str, Any]] = []
    # ListSecretVersionIds pages with NextToken, but boto3 has no paginator for it.
    kwargs: dict[str, Any] = {"SecretId": target.name}
    while True:
        page = secretsmanager.list_secret_version_ids(**kwargs)
        versions.extend(page.get("Versions") or ())
        if not page.get("NextToken"):
            break
        kwargs["NextToken"] = page["NextToken"]
    measurement = measure(target, description, versions, now)
    cloudwatch.put_metric_data(
        Namespace=NAMESPACE,
        MetricData=[
            {
                "MetricName": METRIC,
                "Dimensions": [
                    {"Name": "Environment", "Value": target.environment},
                    {"Name": "Secret", "Value": target.secret},
                ],
                "Timestamp": now,
                "Value": measurement.days_until_due,
                "Unit": "None",
            }
        ],
    )
    return measurement


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    target = Target.from_event(event)
    measurement = check(
        target, boto3.client("secretsmanager"), boto3.client("cloudwatch"), datetime.now(UTC)
    )
    record = measurement.log_record()
    logger.info(json.dumps(record, sort_keys=True))
    return record
