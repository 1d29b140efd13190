"""`seccat status`: where every secret of an environment stands in its rotation life.

Two layers: ``collect`` reads what the live environment says about each secret (no value,
ever: dates, version labels, tags, metadata, log records), ``evaluate`` and ``summarize``
turn those observations into per-secret status and summary metrics, as of any instant
(``--at``), which makes them testable on seeded histories.

Per secret: last rotation, next due, overdue, a rotation in flight, the last rotation's
error, and for certificates their ``notAfter`` (the ``seccat:not-after`` tag or KV custom
metadata the renewal writes; the value is never read) with days left.

Sources: Secrets Manager ``LastRotatedDate``, ``NextRotationDate``, version stages and the
AWSCURRENT version's creation date; the rotation function's log group (attempts, errors,
durations: rotation_log.py); Vault static roles' ``last_vault_rotation``, ``rotation_period``
and ``ttl``; KV metadata (version creation times, custom metadata).

Due dates follow the catalog: ``every`` after the last rotation (or the creation, if none),
or the next fire time of ``schedule`` after it. A rotation is overdue once its window has
passed: the catalog's ``window``, else for a Secrets Manager day rule the rest of that UTC
day (AWS rotates "within the 24-hour date window"), else at the due time.

Metrics over ``--window`` (default 30 days) ending at ``--at``: rotation attempts read off
the functions' logs, the failure rate (failed attempts / finished attempts), the mean time to
rotate (first step to finishSecret of successful attempts), overdue secrets, certificates
expiring within ``--expiring-days``, and the time to detect a misconfiguration (mean and
maximum, from AWS Config's evaluations of seccat's change-triggered rules: detection.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from seccat.catalog.schedule import ScheduleError, parse_schedule
from seccat.operations.clients import AwsConnection, VaultConnection
from seccat.operations.detection import Detection, summarize_detections
from seccat.operations.errors import OperationError, aws_failure, error_code
from seccat.operations.rotation_log import Attempt, attempts, read_log_group
from seccat.operations.targets import NOT_AFTER_KEY, EnvironmentTargets, SecretTarget

DAY = timedelta(days=1)


@dataclass
class Observation:
    """What the live environment says about one secret (never its value)."""

    target: SecretTarget
    #: When the value last changed by rotation (AWS LastRotatedDate, Vault's rotation).
    last_rotated: datetime | None = None
    #: When the current value was stored (AWSCURRENT's or the KV version's creation).
    value_since: datetime | None = None
    created: datetime | None = None
    aws_next_rotation: datetime | None = None
    rotation_enabled: bool | None = None
    #: Version id carrying AWSPENDING without AWSCURRENT: a rotation in progress or failed.
    in_flight: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    #: Vault static role: seconds until Vault's next rotation, and its period.
    vault_ttl: int | None = None
    vault_period: int | None = None
    not_after: datetime | None = None
    exists: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass
class SecretStatus:
    environment: str
    secret: str
    store: str
    rotation: str
    last_rotated: datetime | None
    next_due: datetime | None
    overdue: bool
    in_flight: str | None
    last_error: str | None
    last_error_at: datetime | None
    not_after: datetime | None
    days_left: int | None
    attempts: list[Attempt] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)
    #: Vault static role: seconds until Vault's own next rotation, as Vault reports it.
    vault_ttl: int | None = None
    #: The catalog declares it but the environment has none: nothing can rotate it.
    missing: bool = False
    #: seccat rotates it, but Secrets Manager's rotation is switched off: it will go overdue.
    rotation_disabled: bool = False

    @property
    def needs_attention(self) -> bool:
        expired = self.days_left is not None and self.days_left < 0
        return (
            self.overdue
            or expired
            or self.last_error is not None
            or self.missing
            or self.rotation_disabled
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "secret": self.secret,
            "store": self.store,
            "rotation": self.rotation,
            "lastRotated": _iso(self.last_rotated),
            "nextDue": _iso(self.next_due),
            "overdue": self.overdue,
            "inFlight": self.in_flight,
            "lastError": self.last_error,
            "lastErrorAt": _iso(self.last_error_at),
            "notAfter": _iso(self.not_after),
            "daysLeft": self.days_left,
            "vaultTtlSeconds": self.vault_ttl,
            "notes": list(self.notes),
        }


@dataclass
class Metrics:
    window_days: float
    attempts: int
    succeeded: int
    failed: int
    failure_rate: float | None
    mean_time_to_rotate: float | None
    overdue: int
    expiring: int
    expired: int
    #: Misconfigurations AWS Config flagged in the window, and how long it took (seconds).
    detected: int = 0
    mean_time_to_detect: float | None = None
    max_time_to_detect: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "windowDays": self.window_days,
            "attempts": self.attempts,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "failureRate": None if self.failure_rate is None else round(self.failure_rate, 4),
            "meanTimeToRotateSeconds": None
            if self.mean_time_to_rotate is None
            else round(self.mean_time_to_rotate, 1),
            "overdue": self.overdue,
            "expiringCertificates": self.expiring,
            "expiredCertificates": self.expired,
            "misconfigurationsDetected": self.detected,
            "meanTimeToDetectSeconds": _round(self.mean_time_to_detect),
            "maxTimeToDetectSeconds": _round(self.max_time_to_detect),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(UTC).isoformat(timespec="seconds") if when else None


def rotation_label(target: SecretTarget) -> str:
    r = target.secret.rotation
    if target.vault is not None and target.vault.kind == "dynamic":
        return "dynamic"
    if r is None:
        return "none"
    if target.aws is not None and not target.aws.managed_rotation:
        return f"by owner, {r.every or r.schedule}"
    if (
        target.vault is not None
        and target.vault.kind == "kv"
        and target.secret.type
        not in (
            "api-key",
            "password",
        )
    ):
        return f"by owner, {r.every or r.schedule}"
    return str(r.every or r.schedule)


def next_due(target: SecretTarget, base: datetime | None) -> datetime | None:
    """When the catalog wants the next rotation after ``base``."""
    r = target.secret.rotation
    if r is None or base is None:
        return None
    if r.every_seconds:
        return base + timedelta(seconds=r.every_seconds)
    if r.schedule:
        try:
            schedule = parse_schedule(r.schedule)
        except ScheduleError:
            return None
        if schedule.rate_seconds is not None:
            return base + timedelta(seconds=schedule.rate_seconds)
        horizon = schedule.longest_gap_seconds()
        if math.isinf(horizon):
            horizon = 400 * 86400
        end = base + timedelta(seconds=horizon) + 2 * DAY
        return next(schedule.fire_times(base + timedelta(minutes=1), end), None)
    return None


def overdue_after(target: SecretTarget, due: datetime) -> datetime:
    """The end of the rotation window that starts at ``due``."""
    r = target.secret.rotation
    if r is not None and r.window_seconds:
        return due + timedelta(seconds=r.window_seconds)
    if (
        target.aws is not None
        and r is not None
        and r.every_seconds
        and r.every_seconds % 86400 == 0
    ):
        return datetime(due.year, due.month, due.day, tzinfo=UTC) + DAY
    return due


def evaluate(obs: Observation, at: datetime) -> SecretStatus:
    t = obs.target
    dynamic = t.vault is not None and t.vault.kind == "dynamic"
    # Secrets Manager counts a value stored by hand as a rotation for its schedule
    # (user guide, "Rotation by Lambda function"): the later of the two starts the interval.
    last = max((d for d in (obs.last_rotated, obs.value_since) if d), default=None)
    base = last or obs.created
    due = None if dynamic or not obs.exists else next_due(t, base)
    if due is not None and last is None and t.secret.owner_rotated and obs.created:
        # never filled by its owner: consumers read nothing, so it is due since it was
        # created (as the renewal check, whose overdue alarm pages, counts it)
        due = obs.created
    if t.vault is not None and t.vault.kind == "static" and obs.last_rotated and obs.vault_period:
        due = obs.last_rotated + timedelta(seconds=obs.vault_period)
    overdue = due is not None and at > overdue_after(t, due)
    latest = obs.attempts[-1] if obs.attempts else None
    error = latest.error if latest is not None and latest.failed else None
    error_at = latest.failed_at if error else None
    days_left = None
    if obs.not_after is not None:
        days_left = math.floor((obs.not_after - at).total_seconds() / 86400)
    notes = list(obs.notes)
    if not obs.exists:
        notes.append("does not exist: run seccat verify")
    rotation_disabled = (
        obs.rotation_enabled is False and t.aws is not None and t.aws.managed_rotation
    )
    if rotation_disabled:
        notes.append("rotation is disabled")
    return SecretStatus(
        environment=t.environment,
        secret=t.id,
        store=t.store,
        rotation=rotation_label(t),
        last_rotated=last,
        next_due=due,
        overdue=overdue,
        in_flight=obs.in_flight,
        last_error=error,
        last_error_at=error_at,
        not_after=obs.not_after,
        days_left=days_left,
        attempts=list(obs.attempts),
        notes=notes,
        vault_ttl=_ttl(obs, due, at),
        missing=not obs.exists,
        rotation_disabled=rotation_disabled,
    )


def _ttl(obs: Observation, due: datetime | None, at: datetime) -> int | None:
    """Seconds until Vault rotates a static role itself. Vault reports ``ttl`` on
    ``static-creds``, which also returns the password, so it is computed from the role's
    ``last_vault_rotation`` and ``rotation_period`` unless the role read carried it."""
    t = obs.target.vault
    if t is None or t.kind != "static":
        return None
    if obs.vault_ttl is not None:
        return obs.vault_ttl
    return max(0, int((due - at).total_seconds())) if due else None


def summarize(
    statuses: Iterable[SecretStatus],
    at: datetime,
    window: timedelta,
    expiring_days: int,
    detections: Iterable[Detection] = (),
) -> Metrics:
    statuses = list(statuses)
    detected = summarize_detections(detections, at, window)
    start = at - window
    in_window = [a for s in statuses for a in s.attempts if start <= a.started <= at]
    succeeded = [a for a in in_window if a.succeeded and a.finished and a.finished <= at]
    failed = [a for a in in_window if a.failed]
    finished = len(succeeded) + len(failed)
    durations = [a.seconds for a in succeeded if a.seconds is not None]
    return Metrics(
        window_days=window.total_seconds() / 86400,
        attempts=len(in_window),
        succeeded=len(succeeded),
        failed=len(failed),
        failure_rate=len(failed) / finished if finished else None,
        mean_time_to_rotate=sum(durations) / len(durations) if durations else None,
        overdue=sum(s.overdue for s in statuses),
        expiring=sum(
            1 for s in statuses if s.days_left is not None and 0 <= s.days_left <= expiring_days
        ),
        expired=sum(1 for s in statuses if s.days_left is not None and s.days_left < 0),
        detected=detected.count,
        mean_time_to_detect=detected.mean_seconds,
        max_time_to_detect=detected.max_seconds,
    )


# -- collecting ---------------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    """A live date in UTC, or None when it is no date this program can hold: a tag or KV
    custom metadata anyone with write access set (``0001-01-01T00:00:00+05:00`` is valid
    ISO 8601 but before datetime.min in UTC) must blank that one field, not the report."""
    if isinstance(value, str) and value:
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        return None


def collect(
    targets: EnvironmentTargets,
    aws: AwsConnection | None,
    vault: VaultConnection | None,
    since: datetime | None = None,
) -> list[Observation]:
    """Observations of every secret of the environment (a side without a connection gives
    observations with a note). ``since``: the oldest log record worth reading."""
    out = []
    for target in targets.secrets.values():
        if target.secret.lifecycle == "retired":
            continue
        if target.aws is not None:
            out.append(_aws(target, aws, since) if aws else _absent(target, "AWS not read"))
        elif target.vault is not None:
            out.append(_vault(target, vault) if vault else _absent(target, "Vault not read"))
    return out


def _absent(target: SecretTarget, why: str) -> Observation:
    return Observation(target, notes=[why])


def _aws_read(target: SecretTarget, doing: str, fn: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn(**kwargs)
    except ClientError as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return None
        raise OperationError(aws_failure(exc, f"{target.label}: {doing}")) from None
    except BotoCoreError as exc:
        raise OperationError(f"{target.label}: {doing}: {exc}") from None


def _aws(target: SecretTarget, aws: AwsConnection, since: datetime | None) -> Observation:
    t = target.aws
    assert t is not None
    sm = aws.client("secretsmanager")
    described = _aws_read(target, "DescribeSecret", sm.describe_secret, SecretId=t.name)
    if described is None:
        return Observation(target, exists=False)
    stages: dict[str, list[str]] = described.get("VersionIdsToStages") or {}
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    in_flight = next(
        (v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s), None
    )
    versions = _aws_read(
        target, "ListSecretVersionIds", sm.list_secret_version_ids, SecretId=described["ARN"]
    )
    created_at = {
        v["VersionId"]: _parse_time(v.get("CreatedDate"))
        for v in (versions or {}).get("Versions") or []
    }
    tags = {x["Key"]: x["Value"] for x in described.get("Tags") or []}
    obs = Observation(
        target,
        last_rotated=_parse_time(described.get("LastRotatedDate")),
        value_since=created_at.get(current) if current else None,
        created=_parse_time(described.get("CreatedDate")),
        aws_next_rotation=_parse_time(described.get("NextRotationDate")),
        rotation_enabled=bool(described.get("RotationEnabled")),
        in_flight=in_flight,
        not_after=_parse_time(tags.get(NOT_AFTER_KEY)),
    )
    if NOT_AFTER_KEY in tags and obs.not_after is None:
        obs.notes.append(f"{NOT_AFTER_KEY} tag is no ISO 8601 date-time in years 1 to 9999 (UTC)")
    if t.managed_rotation and t.log_group:
        events = _aws_read(
            target,
            "FilterLogEvents",
            read_log_group,
            logs=aws.client("logs"),
            group=t.log_group,
            since=since,
        )
        obs.attempts = attempts(events or [])
    return obs


def _vault_read(client: Any, path: str) -> dict[str, Any] | None:
    import hvac.exceptions
    import requests

    try:
        response = client.adapter.get(f"/v1/{path}")
    except hvac.exceptions.InvalidPath:
        return None
    except hvac.exceptions.Forbidden:
        raise OperationError(
            f"Vault refused to read {path}: see docs/operations.md#permissions"
        ) from None
    except hvac.exceptions.VaultError as exc:
        # sealed (VaultDown), 5xx, rate limited: the class names it, the text is Vault's
        raise OperationError(f"Vault could not read {path}: {type(exc).__name__}") from None
    except requests.exceptions.RequestException as exc:
        raise OperationError(
            f"Vault cannot be reached reading {path}: {type(exc).__name__}"
        ) from None
    data = response.get("data") if isinstance(response, dict) else None
    return data if isinstance(data, dict) else None


def _kv_version_gone(version: dict[str, Any]) -> bool:
    """Destroyed, or deleted: a ``deletion_time`` that has passed (with
    ``delete_version_after`` Vault shows the *scheduled* deletion of live versions)."""
    if version.get("destroyed"):
        return True
    deletion = _parse_time(version.get("deletion_time"))
    return deletion is not None and deletion <= datetime.now(UTC)


def _vault(target: SecretTarget, vault: VaultConnection) -> Observation:
    v = target.vault
    assert v is not None
    client = vault.client
    if v.kind == "kv":
        meta = _vault_read(client, v.config_path)
        if meta is None:
            return Observation(target, exists=False)
        versions = meta.get("versions") or {}
        current = versions.get(str(meta.get("current_version")))
        custom = meta.get("custom_metadata") or {}
        gone = current is not None and _kv_version_gone(current)
        if gone:  # consumers read nothing: as the renewal check counts it, never filled
            current = None
        obs = Observation(
            target,
            value_since=_parse_time((current or {}).get("created_time")),
            created=_parse_time(meta.get("created_time")),
            not_after=_parse_time(custom.get(NOT_AFTER_KEY)),
        )
        if NOT_AFTER_KEY in custom and obs.not_after is None:
            obs.notes.append(
                f"{NOT_AFTER_KEY} custom metadata is no ISO 8601 date-time in years 1 to 9999 (UTC)"
            )
        if gone:
            obs.notes.append("current version deleted or destroyed")
        elif (current or {}).get("created_time") is None:
            obs.notes.append("no version yet")
        return obs
    role = _vault_read(client, v.config_path)
    if role is None:
        return Observation(target, exists=False)
    if v.kind == "static":
        return Observation(
            target,
            last_rotated=_parse_time(role.get("last_vault_rotation")),
            vault_ttl=int(role["ttl"]) if role.get("ttl") is not None else None,
            vault_period=int(role["rotation_period"]) if role.get("rotation_period") else None,
        )
    return Observation(target)


def put_metrics(aws: AwsConnection, environment: str, metrics: Metrics, at: datetime) -> None:
    """The summary as CloudWatch metrics in namespace ``seccat``, dimension Environment."""
    dims = [{"Name": "Environment", "Value": environment}]
    data = [
        ("OverdueSecrets", metrics.overdue, "Count"),
        ("RotationAttempts", metrics.attempts, "Count"),
        ("FailedRotations", metrics.failed, "Count"),
        ("ExpiringCertificates", metrics.expiring, "Count"),
        ("ExpiredCertificates", metrics.expired, "Count"),
        ("MisconfigurationsDetected", metrics.detected, "Count"),
    ]
    if metrics.failure_rate is not None:
        data.append(("RotationFailureRate", metrics.failure_rate * 100, "Percent"))
    if metrics.mean_time_to_rotate is not None:
        data.append(("MeanTimeToRotate", metrics.mean_time_to_rotate, "Seconds"))
    if metrics.mean_time_to_detect is not None and metrics.max_time_to_detect is not None:
        data.append(("MeanTimeToDetect", metrics.mean_time_to_detect, "Seconds"))
        data.append(("MaxTimeToDetect", metrics.max_time_to_detect, "Seconds"))
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        aws.client("cloudwatch").put_metric_data(
            Namespace="seccat",
            MetricData=[
                {"MetricName": n, "Dimensions": dims, "Timestamp": at, "Value": float(v), "Unit": u}
                for n, v, u in data
            ],
        )
    except ClientError as exc:
        raise OperationError(aws_failure(exc, f"{environment}: PutMetricData")) from None
    except BotoCoreError as exc:
        raise OperationError(f"{environment}: PutMetricData: {exc}") from None
