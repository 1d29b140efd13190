"""AWS schedule expressions (``cron(...)``, ``rate(...)``) and the gaps they allow.

Rotation policies bound how long a secret may live. For ``every: 30d`` that is obvious; for
a cron schedule it is not (``cron(0 0 29 2 ? *)`` rotates once in four to eight years), so
the gaps are computed from the fields themselves: fire times are enumerated month by month
over a full 400-year Gregorian cycle, after which weekdays and leap years repeat exactly.

Syntax follows Amazon EventBridge / Secrets Manager: six fields, minutes hours
day-of-month month day-of-week year, in UTC, with exactly one of the two day fields ``?``.
"""

from __future__ import annotations

import calendar
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache
from typing import Literal

MINUTE = 60
HOUR = 3600
DAY = 86400

#: Weekday and month names AWS accepts (case-insensitive). Day-of-week 1 is Sunday.
WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
MONTHS = {n.upper(): i for i, n in enumerate(calendar.month_abbr) if n}
YEARS = (1970, 2199)
#: Days in 400 Gregorian years: the calendar (weekdays and leap days) repeats after this.
CYCLE_DAYS = 146097
_CYCLE_START = 2000

_RATE = re.compile(r"^rate\((\d+) ([a-z]+)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_RATE_UNITS = {"minute": MINUTE, "hour": HOUR, "day": DAY}


class ScheduleError(ValueError):
    """An expression AWS would refuse, with a message fit for a diagnostic."""


@dataclass(frozen=True)
class DaySpec:
    """One of the two day fields. ``kind`` says how ``values`` is read."""

    kind: Literal["any", "set", "last", "last-weekday", "nearest-weekday", "last-of", "nth"]
    values: frozenset[int] = frozenset()
    nth: int = 0


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    day_of_month: DaySpec
    months: frozenset[int]
    day_of_week: DaySpec
    years: frozenset[int] | None  # None: every year

    def days_in(self, year: int, month: int) -> list[int]:
        """Days of ``month`` on which the schedule fires."""
        if month not in self.months:
            return []
        first_weekday, ndays = calendar.monthrange(year, month)
        aws_first = (first_weekday + 1) % 7 + 1  # Python Monday=0 -> AWS Sunday=1

        def weekday(day: int) -> int:
            return (aws_first - 1 + day - 1) % 7 + 1

        dom, dow = self.day_of_month, self.day_of_week
        if dom.kind != "any":
            if dom.kind == "set":
                return sorted(d for d in dom.values if d <= ndays)
            if dom.kind == "last":
                return [ndays]
            if dom.kind == "last-weekday":
                day = ndays
                while weekday(day) in (1, 7):
                    day -= 1
                return [day]
            target = dom.nth  # nearest-weekday: the weekday closest to day n, same month
            if target > ndays:
                return []
            wd = weekday(target)
            if wd == 7:  # Saturday: Friday before, or Monday after on the 1st
                return [target - 1] if target > 1 else [target + 2]
            if wd == 1:  # Sunday: Monday after, or Friday before at the end of the month
                return [target + 1] if target < ndays else [target - 2]
            return [target]
        # The days of weekday w are every 7th from the first, 1 + (w - aws_first) % 7 (one
        # range per weekday: the gap check asks this of 4,800 months per schedule).
        if dow.kind == "set":
            return sorted(
                d for w in dow.values for d in range(1 + (w - aws_first) % 7, ndays + 1, 7)
            )
        (wanted,) = dow.values
        days = list(range(1 + (wanted - aws_first) % 7, ndays + 1, 7))
        if dow.kind == "last-of":
            return [days[-1]]
        return [days[dow.nth - 1]] if len(days) >= dow.nth else []

    def times_of_day(self) -> list[int]:
        """Minutes after midnight at which the schedule fires on a firing day."""
        return sorted(h * 60 + m for h in self.hours for m in self.minutes)


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule expression. Gaps are in seconds; ``math.inf`` means unbounded."""

    expression: str
    kind: Literal["cron", "rate"]
    rate_seconds: int | None = None
    #: The unit of a rate, singular ("minute", "hour", "day").
    rate_unit: str | None = None
    cron: Cron | None = field(default=None, repr=False)

    def shortest_gap_seconds(self) -> float:
        """The shortest time between two consecutive rotations."""
        return self._gaps[0]

    def longest_gap_seconds(self) -> float:
        """The longest time a value can live: inf when the schedule stops (a year list)."""
        return self._gaps[1]

    @cached_property
    def _gaps(self) -> tuple[float, float]:
        if self.rate_seconds is not None:
            return float(self.rate_seconds), float(self.rate_seconds)
        assert self.cron is not None
        return _cron_gaps(self.cron)

    def fire_times(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Cron fire times in [start, end), UTC; for tests and for explaining a schedule."""
        if self.cron is None:
            raise ValueError("a rate() schedule fires relative to the last rotation")
        times = self.cron.times_of_day()
        for year in range(start.year, end.year + 1):
            if self.cron.years is not None and year not in self.cron.years:
                continue
            for month in range(1, 13):
                for day in self.cron.days_in(year, month):
                    for minute in times:
                        at = datetime(year, month, day, tzinfo=UTC) + timedelta(minutes=minute)
                        if start <= at < end:
                            yield at

    def to_standard_cron(self) -> str:
        """The 5-field cron Vault's ``rotation_schedule`` takes; ScheduleError if it has none."""
        if self.cron is None:
            raise ScheduleError(f"{self.expression} is a rate; Vault needs a cron schedule")
        fields = self.expression[5:-1].split()
        minutes, hours, dom, months, dow, years = fields
        if years not in ("*", f"{YEARS[0]}-{YEARS[1]}"):
            raise ScheduleError("Vault schedules cannot be limited to years; use '*' as year")
        plain = ("any", "set")
        if (
            self.cron.day_of_month.kind not in plain
            or self.cron.day_of_week.kind not in plain
            or dow.upper() == "L"
        ):
            raise ScheduleError("Vault schedules do not support L, W or #")
        dom = "*" if dom == "?" else dom
        # AWS counts weekdays from 1 = Sunday, standard cron from 0 = Sunday
        shift = re.sub(r"\d+", lambda m: str(int(m.group(0)) - 1), dow.upper())
        dow = "*" if dow == "?" else shift
        return " ".join((minutes, hours, dom, months.upper(), dow))


@lru_cache(maxsize=1024)
def parse_schedule(expression: str) -> Schedule:
    """Parse an AWS ``cron()``/``rate()`` expression; raises ScheduleError when AWS would not."""
    if not isinstance(expression, str):
        raise ScheduleError("a schedule is a string such as cron(0 4 ? * SUN *)")
    text = expression.strip()
    if text.startswith("rate("):
        return _parse_rate(text)
    match = _CRON.match(text)
    if not match:
        raise ScheduleError(
            f"{expression!r} is not a schedule; use cron(minutes hours day-of-month month "
            "day-of-week year) or rate(N unit)"
        )
    cron = _parse_cron(match.group(1))
    schedule = Schedule(text, "cron", cron=cron)
    if schedule.shortest_gap_seconds() == math.inf and not _fires_at_all(cron):
        raise ScheduleError(f"{expression} never fires (no day matches every field)")
    return schedule


def _parse_rate(text: str) -> Schedule:
    match = _RATE.match(text)
    if not match:
        raise ScheduleError(f"{text!r} is not a rate; write rate(N unit), e.g. rate(12 hours)")
    count, unit = int(match.group(1)), match.group(2)
    singular = unit.removesuffix("s")
    if singular not in _RATE_UNITS:
        raise ScheduleError(f"unknown rate unit {unit!r}; use minutes, hours or days")
    if count == 0:
        raise ScheduleError("a rate must be at least 1")
    if count == 1 and unit != singular:
        raise ScheduleError(f"write rate(1 {singular}), singular, for a value of 1")
    if count > 1 and unit == singular:
        raise ScheduleError(f"write rate({count} {singular}s), plural, for a value above 1")
    return Schedule(text, "rate", rate_seconds=count * _RATE_UNITS[singular], rate_unit=singular)


_FIELD_NAMES = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


def _parse_cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        hint = " (AWS adds a year field: append ' *')" if len(fields) == 5 else ""
        raise ScheduleError(
            "cron() takes 6 fields: minutes hours day-of-month month day-of-week year; "
            f"got {len(fields)}{hint}"
        )
    minutes, hours, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(
            f"exactly one of day-of-month and day-of-week must be '?' (got {dom!r} and {dow!r})"
        )
    years = _values(year, *YEARS, "year")
    return Cron(
        minutes=_values(minutes, 0, 59, "minutes"),
        hours=_values(hours, 0, 23, "hours"),
        day_of_month=_day_of_month(dom),
        months=_values(month, 1, 12, "month", MONTHS),
        day_of_week=_day_of_week(dow),
        years=None if years == frozenset(range(YEARS[0], YEARS[1] + 1)) else years,
    )


def _day_of_month(text: str) -> DaySpec:
    upper = text.upper()
    if upper == "?":
        return DaySpec("any")
    if upper == "L":
        return DaySpec("last")
    if upper == "LW":
        return DaySpec("last-weekday")
    if upper.endswith("W"):
        day = _number(upper[:-1], 1, 31, "day-of-month", {})
        return DaySpec("nearest-weekday", nth=day)
    if "L" in upper or "W" in upper or "#" in upper:
        raise ScheduleError(f"day-of-month {text!r}: L, LW and nW stand alone (e.g. 15W)")
    return DaySpec("set", _values(text, 1, 31, "day-of-month"))


def _day_of_week(text: str) -> DaySpec:
    upper = text.upper()
    if upper == "?":
        return DaySpec("any")
    if upper == "L":  # the last day of the week
        return DaySpec("set", frozenset({7}))
    if "#" in upper:
        day, _, nth = upper.partition("#")
        weekday = _number(day, 1, 7, "day-of-week", WEEKDAYS)
        return DaySpec("nth", frozenset({weekday}), _number(nth, 1, 5, "day-of-week #", {}))
    if upper.endswith("L"):
        weekday = _number(upper[:-1], 1, 7, "day-of-week", WEEKDAYS)
        return DaySpec("last-of", frozenset({weekday}))
    if "L" in upper:  # no weekday name contains an L
        raise ScheduleError(f"day-of-week {text!r}: L stands alone or after a day (6L)")
    return DaySpec("set", _values(text, 1, 7, "day-of-week", WEEKDAYS))


def _number(text: str, low: int, high: int, name: str, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise ScheduleError(f"{name} {text!r} is not a number between {low} and {high}")
    value = int(text)
    if not low <= value <= high:
        raise ScheduleError(f"{name} {value} is outside {low}-{high}")
    return value


def _values(
    text: str, low: int, high: int, name: str, names: dict[str, int] | None = None
) -> frozenset[int]:
    """The values a field allows: lists, ranges, steps and '*' as AWS reads them."""
    names = names or {}
    out: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ScheduleError(f"{name} {text!r} has an empty list item")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            step = _number(step_text, 1, high, f"{name} step", {})
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start = _number(first, low, high, name, names)
            end = _number(last, low, high, name, names)
            if start > end:
                raise ScheduleError(f"{name} range {base!r} runs backwards")
        else:
            start = _number(base, low, high, name, names)
            end = high if slash else start
        out.update(range(start, end + 1, step))
    return frozenset(out)


def _fires_at_all(cron: Cron) -> bool:
    years = sorted(cron.years) if cron.years is not None else range(2000, 2400)
    return any(cron.days_in(y, m) for y in years for m in range(1, 13))


def _firing_days(cron: Cron) -> tuple[list[int], bool]:
    """Ordinals of firing days, and whether they repeat (every year allowed)."""
    periodic = cron.years is None
    years = range(_CYCLE_START, _CYCLE_START + 400) if periodic else sorted(cron.years or ())
    days: list[int] = []
    for year in years:
        for month in sorted(cron.months):
            base = date(year, month, 1).toordinal() - 1
            days.extend(base + d for d in cron.days_in(year, month))
    return days, periodic


def _cron_gaps(cron: Cron) -> tuple[float, float]:
    days, periodic = _firing_days(cron)
    times = cron.times_of_day()
    inf = math.inf
    if not days:
        return inf, inf
    if periodic:
        days.append(days[0] + CYCLE_DAYS)
    span = times[-1] - times[0]
    within = [b - a for a, b in itertools.pairwise(times)]
    between = [(b - a) * 1440 - span for a, b in itertools.pairwise(days)]
    gaps = within + between if len(days) > 1 or len(times) > 1 else []
    # With a year list the schedule ends: after its last fire, nothing rotates again.
    shortest = min(gaps, default=inf) * MINUTE
    longest = max(gaps, default=inf) * MINUTE if periodic else inf
    return shortest, longest
