"""How long things live in Vault: versions kept, token and lease TTLs, rotation timing.

Every number here is chosen by classification, in one table per concern, so a reviewer (and
the policy rules) can see the whole trade-off at once. The catalog's own rotation interval
tightens these further; it never loosens them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from seccat.catalog.model import CLASSIFICATION_RANK, Rotation, Secret

HOUR = 3600
DAY = 24 * HOUR


class LifetimeError(ValueError):
    """A catalog value that Vault cannot express (for example an AWS-only cron feature)."""


# --- KV v2 versions ---------------------------------------------------------------------

#: Mount-wide ceiling and default; at least 10 so rollback is always possible.
KV_MOUNT_MAX_VERSIONS = 20

#: Versions kept per key. More sensitive material keeps fewer old copies, never fewer than 10.
KV_MAX_VERSIONS: Mapping[str, int] = {
    "restricted": 10,
    "confidential": 15,
    "internal": 20,
    "public": 20,
}

#: Old versions are soft-deleted after this long (they can still be undeleted). More
#: sensitive material keeps old copies for less time.
KV_VERSION_RETENTION: Mapping[str, int] = {
    "restricted": 90 * DAY,
    "confidential": 180 * DAY,
    "internal": 365 * DAY,
    "public": 365 * DAY,
}

#: ``delete_version_after`` also applies to the *current* version, so it must comfortably
#: outlast the rotation interval: this many intervals (two missed rotations, then the
#: overdue-rotation alarm has long fired) before a current value could be soft-deleted.
ROTATION_INTERVALS_KEPT = 3


def kv_max_versions(secret: Secret) -> int:
    return min(KV_MAX_VERSIONS[secret.classification], KV_MOUNT_MAX_VERSIONS)


def kv_delete_version_after(secret: Secret) -> int:
    """Seconds after which a version is soft-deleted; 0 means never.

    A secret nobody rotates is never expired: deleting its only version would break every
    consumer.
    """
    interval = rotation_interval(secret.rotation)
    if interval is None:
        return 0
    return max(KV_VERSION_RETENTION[secret.classification], ROTATION_INTERVALS_KEPT * interval)


def kv_mount_delete_version_after(secrets: Iterable[Secret]) -> int:
    """Vault caps each key's value at the mount's, so the mount uses the longest any key
    needs (0, never, if one key must never expire; the per-key values still apply)."""
    values = [kv_delete_version_after(s) for s in secrets]
    if not values:
        return max(KV_VERSION_RETENTION.values())
    if 0 in values:
        return 0
    return max(values)


#: KV v2 issues no leases; these bound the TTL hint clients see and cache for.
KV_DEFAULT_LEASE_TTL = HOUR
KV_MAX_LEASE_TTL = DAY


def go_duration(seconds: int) -> str:
    """The form Vault reads back (``2160h0m0s``), so drift detection compares equal."""
    hours, rest = divmod(seconds, HOUR)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes}m{secs}s"


# --- Tokens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ttl:
    default: int
    max: int


#: Token TTLs for a service, by the most sensitive secret it reads; never above 1 h / 24 h.
TOKEN_TTL: Mapping[str, Ttl] = {
    "restricted": Ttl(15 * 60, 1 * HOUR),
    "confidential": Ttl(30 * 60, 4 * HOUR),
    "internal": Ttl(1 * HOUR, 12 * HOUR),
    "public": Ttl(1 * HOUR, 24 * HOUR),
}
TOKEN_TTL_CEILING = Ttl(HOUR, DAY)


def token_ttl(classifications: Iterable[str]) -> Ttl:
    ranks = [CLASSIFICATION_RANK[c] for c in classifications]
    top = max(ranks, default=CLASSIFICATION_RANK["internal"])
    name = next(c for c, r in CLASSIFICATION_RANK.items() if r == top)
    return TOKEN_TTL[name]


# --- Database credentials ----------------------------------------------------------------

#: Lease TTLs of dynamic database logins, by classification.
DYNAMIC_TTL: Mapping[str, Ttl] = {
    "restricted": Ttl(15 * 60, 1 * HOUR),
    "confidential": Ttl(1 * HOUR, 8 * HOUR),
    "internal": Ttl(4 * HOUR, DAY),
    "public": Ttl(8 * HOUR, DAY),
}

#: The database mount's lease ceiling: no dynamic login outlives a day.
DATABASE_DEFAULT_LEASE_TTL = HOUR
DATABASE_MAX_LEASE_TTL = DAY


def dynamic_ttl(secret: Secret) -> Ttl:
    """The classification's TTLs, capped by the catalog's ``rotation.every`` when shorter."""
    base = DYNAMIC_TTL[secret.classification]
    every = secret.rotation.every_seconds if secret.rotation else None
    cap = min(base.max, every) if every else base.max
    return Ttl(min(base.default, cap), cap)


#: Vault refuses static rotation periods shorter than 5 s and windows shorter than 1 h.
MIN_ROTATION_PERIOD = 5
MIN_ROTATION_WINDOW = HOUR


@dataclass(frozen=True)
class StaticRotation:
    """Exactly one of period (seconds) and schedule (5-field cron, UTC) is set."""

    period: int | None = None
    schedule: str | None = None
    window: int | None = None


def static_rotation(rotation: Rotation | None, schedules: bool = True) -> StaticRotation:
    """``schedules=False`` for servers without rotation schedules: a cron becomes the longest
    period between its runs (see ``rotation_interval``) and the window is dropped."""
    if rotation is None:
        raise LifetimeError("a static database role needs a rotation (every or schedule)")
    if rotation.every_seconds is not None:
        if rotation.every_seconds < MIN_ROTATION_PERIOD:
            raise LifetimeError(
                f"rotation.every {rotation.every!r} is shorter than Vault's minimum of 5s"
            )
        return StaticRotation(period=rotation.every_seconds)
    if rotation.schedule is None:
        raise LifetimeError("a static database role needs rotation.every or rotation.schedule")
    rate = _rate_seconds(rotation.schedule)
    if rate is not None:
        return StaticRotation(period=rate)
    if not schedules:
        vault_cron(rotation.schedule)  # still refuse what no cron can express
        period = rotation_interval(rotation)
        assert period is not None
        return StaticRotation(period=period)
    window = rotation.window_seconds
    if window is not None and window < MIN_ROTATION_WINDOW:
        raise LifetimeError(
            f"rotation.window {rotation.window!r} is shorter than Vault's minimum of 1h"
        )
    return StaticRotation(schedule=vault_cron(rotation.schedule), window=window)


# --- Schedules ---------------------------------------------------------------------------

_CRON_RE = re.compile(r"^cron\((.*)\)$")
_RATE_RE = re.compile(r"^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$")
_RATE_UNITS = {"minute": 60, "hour": HOUR, "day": DAY}
_FIELD_RE = re.compile(r"^[A-Za-z0-9*,/-]+$")


def _rate_seconds(expression: str) -> int | None:
    match = _RATE_RE.match(expression)
    if not match:
        return None
    return int(match.group(1)) * _RATE_UNITS[match.group(2).rstrip("s")]


def vault_cron(expression: str) -> str:
    """AWS ``cron(min hour dom month dow year)`` as Vault's standard 5-field cron (UTC).

    AWS numbers weekdays 1-7 from Sunday, standard cron 0-6, so numeric weekdays shift by
    one; names (SUN-SAT) carry over. '?' becomes '*'. The year must be '*', and AWS-only
    features (L, W, #) are refused rather than approximated.
    """
    match = _CRON_RE.match(expression.strip())
    if not match:
        raise LifetimeError(f"{expression!r} is not an AWS cron() expression")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise LifetimeError(f"{expression!r}: AWS cron needs 6 fields")
    minute, hour, dom, month, dow, year = fields
    if year != "*":
        raise LifetimeError(f"{expression!r}: Vault schedules cannot restrict the year")
    out = []
    for value in (minute, hour, dom, month, dow):
        value = "*" if value == "?" else value
        if not _FIELD_RE.match(value) or any(c in value for c in "LW#"):
            raise LifetimeError(f"{expression!r}: field {value!r} has no standard-cron form")
        out.append(value)
    out[4] = _shift_weekdays(out[4], expression)
    return " ".join(out)


def _shift_weekdays(field: str, expression: str) -> str:
    def shift(token: str) -> str:
        if not token.isdigit():
            return token
        day = int(token)
        if not 1 <= day <= 7:
            raise LifetimeError(f"{expression!r}: weekday {day} is outside 1-7")
        return str(day - 1)

    parts = []
    for item in field.split(","):
        base, _, step = item.partition("/")
        bounds = "-".join(shift(t) for t in base.split("-"))
        parts.append(f"{bounds}/{step}" if step else bounds)
    return ",".join(parts)


def rotation_interval(rotation: Rotation | None) -> int | None:
    """Longest time between two rotations, in seconds (an upper bound for cron)."""
    if rotation is None:
        return None
    if rotation.every_seconds is not None:
        return rotation.every_seconds
    if rotation.schedule is None:
        return None
    rate = _rate_seconds(rotation.schedule)
    if rate is not None:
        return rate
    match = _CRON_RE.match(rotation.schedule.strip())
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        return 365 * DAY
    _, _, dom, month, dow, _ = fields
    if month not in ("*", "?"):
        return 366 * DAY
    if dom not in ("*", "?"):
        return 31 * DAY
    if dow not in ("*", "?"):
        return 7 * DAY
    return DAY


def scheduler_expression(rotation: Rotation) -> str:
    """EventBridge Scheduler expression for a rotation: its own cron/rate, or whole days."""
    if rotation.schedule is not None:
        return rotation.schedule
    assert rotation.every_seconds is not None
    seconds = rotation.every_seconds
    if seconds % DAY == 0:
        days = seconds // DAY
        return f"rate({days} {'day' if days == 1 else 'days'})"
    if seconds % HOUR == 0:
        hours = seconds // HOUR
        return f"rate({hours} {'hour' if hours == 1 else 'hours'})"
    minutes = max(1, seconds // 60)
    return f"rate({minutes} {'minute' if minutes == 1 else 'minutes'})"
