"""The one event shape `seccat events` writes: OCSF 1.1.0 API Activity (class 6003).

Why OCSF API Activity: it is the shape SIEMs already ingest for cloud control-plane logs
(Amazon Security Lake normalises CloudTrail management events to exactly this class), so
CloudTrail and Vault/OpenBao audit records land side by side in the SIEM under one schema
instead of two vendor formats. The standard attributes carry what the sources say (time,
operation, actor, endpoint, resource, outcome); seccat's attribution (environment, catalog
secret, team, service, lineage step) goes under ``unmapped.seccat``, OCSF's place for
attributes its classes do not define, flat so a SIEM query can filter on it directly.
docs/events.md documents every field; schema/events.schema.json is checked in the tests.

Nothing here copies a source record wholesale: every field is picked by name, so a value
the source carries (or a future source field) can never reach the output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

OCSF_VERSION = "1.1.0"
CLASS_UID = 6003
CLASS_NAME = "API Activity"
CATEGORY_UID = 6
CATEGORY_NAME = "Application Activity"

#: OCSF API Activity activity_id values.
ACTIVITIES: Mapping[str, int] = {"Create": 1, "Read": 2, "Update": 3, "Delete": 4, "Other": 99}
SEVERITIES: Mapping[str, int] = {"Informational": 1, "Low": 2, "Medium": 3, "High": 4}
STATUSES: Mapping[str, int] = {"Success": 1, "Failure": 2}

#: Lineage steps (``unmapped.seccat.step``), in the order a credential lives through them.
STEPS = (
    "created",  # the secret, or its first value, came to exist
    "issued",  # a dynamic credential (a Vault lease) was handed out
    "value-written",  # a new value was stored (a rotation's own write, or a renewal)
    "rotation-requested",  # someone asked for a rotation now (RotateSecret without rules)
    "rotation-started",
    "rotated",  # a rotation finished: a new value is current
    "rotation-failed",
    "renewed",  # an owner-rotated secret got its new value from its owner
    "stage-moved",  # AWSCURRENT/AWSPREVIOUS moved (finish of a rotation, or a rollback)
    "read",
    "configured",  # rotation, tags, description or replication changed
    "policy-changed",
    "restored",
    "deletion-scheduled",
    "revoked",  # the credential stops working: lease revoked, secret or version destroyed
    "denied",  # the request was refused
)


@dataclass(frozen=True)
class Attributed:
    """seccat's attribution of one event (``unmapped.seccat``)."""

    environment: str | None
    secret: str | None
    team: str | None
    service: str | None
    actor_kind: str
    store: str | None
    step: str
    in_catalog: bool
    version: str | None = None
    details: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "environment": self.environment,
            "secret": self.secret,
            "team": self.team,
            "service": self.service,
            "actor_kind": self.actor_kind,
            "store": self.store,
            "step": self.step,
            "in_catalog": self.in_catalog,
            "version": self.version,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


def epoch_ms(moment: datetime) -> int:
    return int(moment.astimezone(UTC).timestamp() * 1000)


def iso(moment: datetime) -> str:
    """Millisecond precision, UTC, ``Z``: sorts as text and parses everywhere."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text[:-3] + "Z"


def parse_time(text: str) -> datetime:
    """ISO 8601 as CloudTrail (``2018-04-03T17:50:55Z``) and Vault (nanoseconds) write it."""
    value = text.strip().replace("Z", "+00:00")
    if "." in value:
        head, _, tail = value.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        value = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def event(
    *,
    time: datetime,
    activity: str,
    status: str,
    severity: str,
    message: str,
    metadata: Mapping[str, Any],
    api: Mapping[str, Any],
    actor: Mapping[str, Any],
    src_endpoint: Mapping[str, Any],
    resources: list[Mapping[str, Any]],
    seccat: Attributed,
    cloud: Mapping[str, Any] | None = None,
    status_detail: str | None = None,
) -> dict[str, Any]:
    """One OCSF API Activity event (keys in a fixed order: the JSON Lines are stable)."""
    activity_id = ACTIVITIES[activity]
    out: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"{CLASS_NAME}: {activity}",
        "time": epoch_ms(time),
        "time_dt": iso(time),
        "severity_id": SEVERITIES[severity],
        "severity": severity,
        "status_id": STATUSES[status],
        "status": status,
    }
    if status_detail:
        out["status_detail"] = status_detail
    out |= {
        "message": message,
        "metadata": dict(metadata),
        "api": dict(api),
        "actor": dict(actor),
        "src_endpoint": dict(src_endpoint),
    }
    if cloud is not None:
        out["cloud"] = dict(cloud)
    out["resources"] = [dict(r) for r in resources]
    out["unmapped"] = {"seccat": seccat.to_json()}
    return out


def pruned(value: Any) -> Any:
    """``value`` without None entries (OCSF omits absent optional attributes)."""
    if isinstance(value, Mapping):
        return {k: pruned(v) for k, v in value.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [pruned(v) for v in value]
    return value
