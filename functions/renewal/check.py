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

Vault KV secrets (``"store": "vault-kv"`` in the event) are measured the same way from their
KV v2 *metadata* (``GET <mount>/metadata/<id>``): the last renewal is the ``created_time`` of
the current version (the owner's last write; the metadata's own ``updated_time`` also moves
when only custom metadata changes, the analogue of ``LastChangedDate``), and a certificate's
not-after is the ``seccat:not-after`` custom metadata the owner writes. A current version
that was deleted or destroyed counts as never filled: consumers cannot read it. The check
logs in to Vault exactly as the KV rotator does (AWS IAM auth with its own role, nothing
secret in its environment: vault_kv.rotator.vault_client_from_env), and the Vault policy
bound to that login may read those metadata paths and nothing else.
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
AWS_STORE = "aws-secretsmanager"
KV_STORE = "vault-kv"

_NAME_RE = re.compile(r"[a-z][a-z0-9-]{0,62}/[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}")
_MOUNT_RE = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?")
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
    name: str  # <environment>/<secret>: the Secrets Manager name
    every_seconds: int
    store: str = AWS_STORE
    #: Vault KV: the environment's mount (the secret's path is its catalog id).
    mount: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> Target:
        try:
            target = cls(
                environment=str(event["environment"]),
                secret=str(event["secret"]),
                name=str(event["name"]),
                every_seconds=int(event["every_seconds"]),
                store=str(event.get("store", AWS_STORE)),
                mount=str(event["mount"]) if event.get("mount") is not None else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise RenewalCheckError(f"malformed renewal event: {exc!r}") from None
        if target.name != f"{target.environment}/{target.secret}" or not _NAME_RE.fullmatch(
            target.name
        ):
            raise RenewalCheckError(f"refusing secret name {target.name!r}")
        if target.every_seconds < DAY:
            raise RenewalCheckError(f"renewal interval {target.every_seconds}s is under a day")
        if target.store == KV_STORE:
            if target.mount is None or not _MOUNT_RE.fullmatch(target.mount):
                raise RenewalCheckError(f"refusing KV mount {target.mount!r}")
        elif target.store != AWS_STORE or target.mount is not None:
            raise RenewalCheckError(f"refusing store {target.store!r}")
        return target

    @property
    def metadata_path(self) -> str:
        """Vault KV: where the metadata is read (``<mount>/metadata/<id>``)."""
        return f"{self.mount}/metadata/{self.secret}"


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
    current = [v for v in versions if CURRENT in (v.get("VersionStages") or ())]
    tags = {t["Key"]: t["Value"] for t in description.get("Tags") or ()}
    return _measurement(
        target,
        renewed=current[0]["CreatedDate"] if current else None,
        created=description["CreatedDate"],
        not_after=parse_not_after(tags[NOT_AFTER_TAG]) if NOT_AFTER_TAG in tags else None,
        now=now,
    )


def _measurement(
    target: Target,
    *,
    renewed: datetime | None,
    created: datetime,
    not_after: datetime | None,
    now: datetime,
) -> Measurement:
    """The due date, the same for either store: ``every`` after the last renewal, or since
    creation when never filled, brought forward by a certificate's not-after."""
    due = renewed + timedelta(seconds=target.every_seconds) if renewed else created
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


def _vault_time(value: Any, what: str) -> datetime:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value.strip()):
        raise RenewalCheckError(f"KV metadata {what} is not an ISO 8601 time")
    # Vault writes nanoseconds; Python parses at most microseconds.
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip()).replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _gone(version: Mapping[str, Any], now: datetime) -> bool:
    """Destroyed, or deleted (a ``deletion_time`` that has passed: with
    ``delete_version_after`` Vault shows the *scheduled* deletion of live versions)."""
    if version.get("destroyed"):
        return True
    deletion = version.get("deletion_time")
    return bool(deletion) and _vault_time(deletion, "deletion_time") <= now


def measure_kv(target: Target, metadata: Mapping[str, Any], now: datetime) -> Measurement:
    """Due date and days left from a KV v2 metadata read (``data`` of the response)."""
    created = _vault_time(metadata.get("created_time"), "created_time")
    current = int(metadata.get("current_version") or 0)
    version = (metadata.get("versions") or {}).get(str(current)) if current else None
    renewed = (
        _vault_time(version.get("created_time"), "version created_time")
        if version and not _gone(version, now)
        else None
    )
    custom = metadata.get("custom_metadata") or {}
    not_after = parse_not_after(custom[NOT_AFTER_TAG]) if NOT_AFTER_TAG in custom else None
    return _measurement(target, renewed=renewed, created=created, not_after=not_after, now=now)


def read_kv_metadata(vault: Any, target: Target) -> Mapping[str, Any]:
    """``GET <mount>/metadata/<id>`` with the check's token: metadata only, never data."""
    import hvac.exceptions

    try:
        response = vault.secrets.kv.v2.read_secret_metadata(
            path=target.secret, mount_point=target.mount
        )
    except hvac.exceptions.InvalidPath:
        raise RenewalCheckError(f"{target.metadata_path}: no such secret in Vault") from None
    except hvac.exceptions.Forbidden:
        raise RenewalCheckError(f"{target.metadata_path}: Vault refused the read") from None
    return response["data"]


def check_kv(target: Target, vault: Any, cloudwatch: Any, now: datetime) -> Measurement:
    """Measure one Vault KV secret from its metadata and publish its metric."""
    measurement = measure_kv(target, read_kv_metadata(vault, target), now)
    publish(cloudwatch, measurement, now)
    return measurement


def publish(cloudwatch: Any, measurement: Measurement, now: datetime) -> None:
    target = measurement.target
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


def check(target: Target, secretsmanager: Any, cloudwatch: Any, now: datetime) -> Measurement:
    """Measure one Secrets Manager secret and publish its metric."""
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
    publish(cloudwatch, measurement, now)
    return measurement


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    target = Target.from_event(event)
    now = datetime.now(UTC)
    if target.store == KV_STORE:
        # Packaged beside this module when the environment has owner-rotated KV secrets.
        from vault_kv.rotator import vault_client_from_env

        measurement = check_kv(target, vault_client_from_env(), boto3.client("cloudwatch"), now)
    else:
        measurement = check(target, boto3.client("secretsmanager"), boto3.client("cloudwatch"), now)
    record = measurement.log_record()
    logger.info(json.dumps(record, sort_keys=True))
    return record
