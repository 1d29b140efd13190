"""Schedule expressions as the AWS user guides define them, for the two services seccat
schedules with. Written from the documentation alone, independently of seccat's own parser
(seccat/catalog/schedule.py), so a mistake in one is not repeated in the other.

Secrets Manager rotation (``SecretRotation.rotationRules``), from "Rotation schedules",
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html:

* ``rate(Value Unit)``: Value a positive integer, Unit ``hour``, ``hours``, ``day`` or
  ``days``; "as often as every four hours"; "The maximum rotation period is 999 days".
* ``cron(Minutes Hours Day-of-month Month Day-of-week Year)``: Minutes "Must be 0" (windows
  open on the hour); Hours 0-23; Day-of-month 1-31 with ``, - * ? / L``; Month 1-12 or
  JAN-DEC with ``, - * /``; Day-of-week 1-7 or SUN-SAT with ``# , - * ? / L``; Year "Must
  be *". The four-hour minimum applies to cron schedules too.
* Window (``Duration``): ``<n>h``, "as small as one hour"; "for a rotation schedule in
  hours, confirm that the rotation window is less than or equal to the number of hours
  between rotations. For a rotation schedule in days, confirm that the start hour plus the
  window duration is less than or equal to 24 hours" (a rate in days starts at midnight).

EventBridge Scheduler (``Schedule.scheduleExpression``), from "Schedule types on
EventBridge Scheduler", https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
and the cron field table it shares with EventBridge, "Cron expressions reference",
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html:

* ``rate(value unit)``: value a positive integer, unit ``minute(s)``, ``hour(s)`` or
  ``day(s)``; "If the value is equal to 1, then the unit must be singular ... greater than
  1, the unit must be plural" (EventBridge's rate rules,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
* ``cron(fields)``: Minutes 0-59 and Hours 0-23 with ``, - * /``; Day-of-month 1-31 with
  ``, - * ? / L W``; Month 1-12 or JAN-DEC with ``, - * /``; Day-of-week 1-7 or SUN-SAT with
  ``, - * ? L #``; Year 1970-2199 with ``, - * /``.
* ``at(yyyy-mm-ddThh:mm:ss)`` for one-time schedules.

Both: exactly one of Day-of-month and Day-of-week is ``?`` ("You can't use * in both the
Day-of-month and Day-of-week fields. If you use it in one, you must use ? in the other").
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    wildcards: str
    names: tuple[str, ...] = ()


def _fields(service: str) -> tuple[Field, ...]:
    if service == "secretsmanager":
        return (
            Field("Minutes", 0, 0, ""),
            Field("Hours", 0, 23, ",-*/"),
            Field("Day-of-month", 1, 31, ",-*?/L"),
            Field("Month", 1, 12, ",-*/", MONTHS),
            Field("Day-of-week", 1, 7, "#,-*?/L", WEEKDAYS),
            Field("Year", 0, -1, "*"),  # "Must be *"
        )
    return (
        Field("Minutes", 0, 59, ",-*/"),
        Field("Hours", 0, 23, ",-*/"),
        Field("Day-of-month", 1, 31, ",-*?/LW"),
        Field("Month", 1, 12, ",-*/", MONTHS),
        Field("Day-of-week", 1, 7, ",-*?L#", WEEKDAYS),
        Field("Year", 1970, 2199, ",-*/"),
    )


class Rejected(ValueError):
    """The expression breaks a documented rule; the message names it."""


def _value(text: str, f: Field) -> int:
    if text.upper() in f.names:
        return f.names.index(text.upper()) + 1
    if not text.isdigit():
        raise Rejected(f"{f.name}: {text!r} is not a value")
    number = int(text)
    if not f.low <= number <= f.high:
        raise Rejected(f"{f.name}: {number} is outside {f.low}-{f.high}")
    return number


def _need(f: Field, wildcard: str, token: str) -> None:
    if wildcard not in f.wildcards:
        raise Rejected(f"{f.name}: {wildcard!r} is not allowed (in {token!r})")


def _token(token: str, f: Field) -> set[int]:
    """The values one comma-separated token selects (empty for L, W, # forms)."""
    if token == "*":
        _need(f, "*", token)
        return set(range(f.low, f.high + 1))
    if token == "?":
        _need(f, "?", token)
        return set()
    if "#" in token:
        _need(f, "#", token)
        day, nth = token.split("#", 1)
        _value(day, f)
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise Rejected(f"{f.name}: {token!r} needs an instance 1-5 after #")
        return set()
    if token.endswith("W") and f.name == "Day-of-month":
        _need(f, "W", token)
        if token != "LW":
            _value(token[:-1], f)
        return set()
    if token.endswith("L"):
        _need(f, "L", token)
        if token != "L":
            if f.name != "Day-of-week":
                raise Rejected(f"{f.name}: {token!r}: only L alone here")
            _value(token[:-1], f)
        return set()
    if "/" in token:
        _need(f, "/", token)
        start, step = token.split("/", 1)
        if not step.isdigit() or int(step) < 1:
            raise Rejected(f"{f.name}: {token!r} needs a positive increment")
        first = f.low if start == "*" else _value(start, f)
        return set(range(first, f.high + 1, int(step)))
    if "-" in token:
        _need(f, "-", token)
        low, high = (_value(part, f) for part in token.split("-", 1))
        if low > high:
            raise Rejected(f"{f.name}: {token!r} is an empty range")
        return set(range(low, high + 1))
    return {_value(token, f)}


def _field(text: str, f: Field) -> set[int]:
    if f.name == "Year" and f.high < f.low:  # Secrets Manager: "Must be *"
        if text != "*":
            raise Rejected(f"Year must be * (got {text!r})")
        return set()
    if f.name == "Minutes" and f.high == 0:  # Secrets Manager: "Must be 0"
        if text != "0":
            raise Rejected(f"Minutes must be 0 (got {text!r})")
        return {0}
    tokens = text.split(",")
    if len(tokens) > 1:
        _need(f, ",", text)
    if any(t in ("?", "*") for t in tokens) and len(tokens) > 1:
        raise Rejected(f"{f.name}: {text!r} mixes * or ? with other values")
    values: set[int] = set()
    for token in tokens:
        if not token:
            raise Rejected(f"{f.name}: empty value in {text!r}")
        values |= _token(token, f)
    return values


_RATE = re.compile(r"rate\(([0-9]+) ([a-z]+)\)")
_CRON = re.compile(r"cron\((.*)\)")
_AT = re.compile(r"at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)")


@dataclass(frozen=True)
class Schedule:
    """What the window rule needs: hours between rotations (rate in hours, or the
    smallest gap of a cron's hours), or the start hours of a daily schedule."""

    in_hours: bool
    hours_between: int | None
    start_hours: frozenset[int]
    cron: bool = False


def check(expression: str, service: str) -> Schedule:
    """Judge one expression for ``service`` ("secretsmanager" or "scheduler")."""
    if service not in ("secretsmanager", "scheduler"):
        raise ValueError(service)
    if service == "scheduler" and (m := _AT.fullmatch(expression)):
        try:
            datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
        except ValueError as exc:
            raise Rejected(f"at(): {exc}") from None
        return Schedule(False, None, frozenset())
    if m := _RATE.fullmatch(expression):
        value, unit = int(m.group(1)), m.group(2)
        units = ("hour", "hours", "day", "days")
        if service == "scheduler":
            units = ("minute", "minutes", *units)
        if unit not in units:
            raise Rejected(f"rate(): unit {unit!r} is not one of {', '.join(units)}")
        if value < 1:
            raise Rejected("rate(): the value must be a positive integer")
        if service == "scheduler" and (value == 1) != (not unit.endswith("s")):
            raise Rejected(f"rate(): {value} {unit}: singular for 1, plural otherwise")
        if service == "secretsmanager":
            if unit.startswith("hour") and value < 4:
                raise Rejected("rate(): a secret rotates at most every four hours")
            if unit.startswith("day") and value > 999:
                raise Rejected("rate(): the maximum rotation period is 999 days")
        hourly = unit.startswith("hour")
        return Schedule(hourly, value if hourly else None, frozenset({0}))
    if m := _CRON.fullmatch(expression):
        parts = m.group(1).split(" ")
        if len(parts) != 6:
            raise Rejected(f"cron(): six fields separated by single spaces, got {len(parts)}")
        fields = _fields(service)
        values = [_field(p, f) for p, f in zip(parts, fields, strict=True)]
        dom, dow = parts[2], parts[4]
        if (dom == "?") == (dow == "?"):
            raise Rejected("cron(): exactly one of Day-of-month and Day-of-week must be ?")
        hours = sorted(values[1])
        gaps = [b - a for a, b in itertools.pairwise(hours)]
        if len(hours) > 1:
            gaps.append(hours[0] + 24 - hours[-1])
        between = min(gaps) if gaps else None
        if service == "secretsmanager" and between is not None and between < 4:
            raise Rejected("cron(): a secret rotates at most every four hours")
        return Schedule(between is not None, between, frozenset(hours), cron=True)
    raise Rejected(f"{expression!r} is not a rate(), cron() or at() expression")


_WINDOW = re.compile(r"([0-9]+)h")


def check_rotation(rules: dict[str, object]) -> None:
    """Secrets Manager RotationRules: the expression and its window together."""
    expression = rules.get("scheduleExpression")
    days = rules.get("automaticallyAfterDays")
    if (expression is None) == (days is None):
        raise Rejected("set ScheduleExpression or AutomaticallyAfterDays, not both or neither")
    if days is not None:
        if not float(days).is_integer() or not 1 <= int(days) <= 1000:  # API: 1-1000
            raise Rejected(f"AutomaticallyAfterDays {days} is outside 1-1000")
        schedule = Schedule(False, None, frozenset({0}))
    else:
        assert isinstance(expression, str)
        schedule = check(expression, "secretsmanager")
    duration = rules.get("duration")
    if duration is None:
        return
    m = _WINDOW.fullmatch(str(duration))
    if m is None or int(m.group(1)) < 1:
        raise Rejected(f"window {duration!r} is not a whole number of hours, at least 1h")
    window = int(m.group(1))
    if schedule.in_hours:
        assert schedule.hours_between is not None
        if window > schedule.hours_between:
            raise Rejected(
                f"window {window}h is longer than the {schedule.hours_between}h between rotations"
            )
    # A rate in hours is bounded by the rule above alone (the guide's wording); days
    # start at midnight, and a cron's windows open at its hours: none may pass midnight.
    if (schedule.cron or not schedule.in_hours) and any(
        start + window > 24 for start in schedule.start_hours
    ):
        raise Rejected(f"window {window}h runs past the end of the UTC day")
