"""AWS cron/rate parsing and the gaps a schedule allows, checked against brute force."""

from __future__ import annotations

import itertools
import math
import time
from datetime import UTC, datetime, timedelta

import pytest

from seccat.catalog.schedule import DAY, HOUR, ScheduleError, parse_schedule

GAPS = [
    ("cron(0 4 ? * SUN *)", 7 * DAY, 7 * DAY),
    ("cron(0 */6 * * ? *)", 6 * HOUR, 6 * HOUR),
    ("cron(0 0 1 * ? *)", 28 * DAY, 31 * DAY),
    ("cron(0 0 L * ? *)", 28 * DAY, 31 * DAY),
    ("cron(0 0 LW * ? *)", 28 * DAY, 33 * DAY),
    ("cron(0 0 15W * ? *)", 28 * DAY, 32 * DAY),
    ("cron(0 9 ? * 2#1 *)", 28 * DAY, 35 * DAY),
    ("cron(0 0 ? * 6L *)", 28 * DAY, 35 * DAY),
    ("cron(0 10,14 ? * MON-FRI *)", 4 * HOUR, 68 * HOUR),
    ("cron(30 2 1 JAN,JUL ? *)", 181 * DAY, 184 * DAY),
    ("cron(0 0 29 2 ? *)", 1461 * DAY, 2921 * DAY),  # leap days, and 2100 is not one
    ("cron(0/15 * * * ? *)", 15 * 60, 15 * 60),
    ("cron(0 0 1 1 ? 2027,2029)", 731 * DAY, math.inf),  # a year list ends
    ("cron(0 0 1 1 ? 2027)", math.inf, math.inf),
    ("rate(4 hours)", 4 * HOUR, 4 * HOUR),
    ("rate(1 day)", DAY, DAY),
    ("rate(30 minutes)", 30 * 60, 30 * 60),
]


@pytest.mark.parametrize(("expression", "shortest", "longest"), GAPS)
def test_gaps(expression: str, shortest: float, longest: float) -> None:
    schedule = parse_schedule(expression)
    assert schedule.shortest_gap_seconds() == shortest
    assert schedule.longest_gap_seconds() == longest


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 4 ? * SUN *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 LW * ? *)",
        "cron(0 0 1W * ? *)",
        "cron(0 0 31W * ? *)",
        "cron(0 9 ? * 2#1 *)",
        "cron(0 0 ? * 6L *)",
        "cron(15 3,21 ? * TUE,SAT *)",
        "cron(0 12 10-20/5 FEB-MAR ? *)",
    ],
)
def test_gaps_match_brute_force_over_three_years(expression: str) -> None:
    """Fires are checked one by one against the fields; gaps must match the fast answer."""
    schedule = parse_schedule(expression)
    fires = list(
        schedule.fire_times(datetime(2028, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC))
    )
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(fires)]
    # three years are not the whole 400-year cycle: the brute force range lies inside it
    assert min(gaps) >= schedule.shortest_gap_seconds()
    assert max(gaps) <= schedule.longest_gap_seconds()
    for fire in fires:
        assert _matches(expression, fire), fire
    # and nothing is missed: every day the naive reading accepts has fires
    first = fires[0]
    day, end = datetime(2028, 1, 1, tzinfo=UTC), datetime(2031, 1, 1, tzinfo=UTC)
    expected_days = set()
    while day < end:
        if _matches(expression, day.replace(hour=first.hour, minute=first.minute)):
            expected_days.add(day.date())
        day += timedelta(days=1)
    assert {f.date() for f in fires} == expected_days


def _matches(expression: str, at: datetime) -> bool:
    """A deliberately naive reading of the six fields for the expressions above."""
    minute, hour, dom, month, dow, _ = expression[5:-1].split()
    names = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
    months = {"JAN": 1, "FEB": 2, "MAR": 3}
    weekday = at.isoweekday() % 7 + 1  # AWS: 1 = Sunday

    def listed(field: str, value: int, table: dict[str, int]) -> bool:
        if field == "*":
            return True
        for part in field.split(","):
            base, _, step = part.partition("/")
            lo, _, hi = base.partition("-")
            start = table.get(lo) or int(lo)
            end = (table.get(hi) or int(hi)) if hi else start
            if step:
                if value in range(start, end + 1, int(step)):
                    return True
            elif start <= value <= end:
                return True
        return False

    if not (listed(minute, at.minute, {}) and listed(hour, at.hour, {})):
        return False
    if not listed(month, at.month, months):
        return False
    import calendar

    last = calendar.monthrange(at.year, at.month)[1]
    if dom == "L":
        return at.day == last
    if dom == "LW":
        day = last
        while datetime(at.year, at.month, day).isoweekday() > 5:
            day -= 1
        return at.day == day
    if dom.endswith("W"):
        target = int(dom[:-1])
        candidates = [
            d for d in range(1, last + 1) if datetime(at.year, at.month, d).isoweekday() <= 5
        ]
        # the weekday nearest the target, within the month (ties cannot happen)
        best = min(candidates, key=lambda d: (abs(d - min(target, last + 10)), d))
        return target <= last and at.day == best
    if dom != "?":
        return listed(dom, at.day, {})
    if "#" in dow:
        wd, nth = dow.split("#")
        return weekday == int(wd) and (at.day - 1) // 7 + 1 == int(nth)
    if dow.endswith("L"):
        return weekday == int(dow[:-1]) and at.day + 7 > last
    return listed(dow, weekday, names)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(0 4 * * SUN *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 4 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 4 ? * SUN)", "cron() takes 6 fields"),
        ("cron(60 4 ? * SUN *)", "minutes 60 is outside 0-59"),
        ("cron(0 24 ? * SUN *)", "hours 24 is outside 0-23"),
        ("cron(0 0 32 * ? *)", "day-of-month 32 is outside 1-31"),
        ("cron(0 0 1 13 ? *)", "month 13 is outside 1-12"),
        ("cron(0 0 ? * 0 *)", "day-of-week 0 is outside 1-7"),
        ("cron(0 0 1 * ? 1969)", "year 1969 is outside 1970-2199"),
        ("cron(0 0 5-1 * ? *)", "day-of-month range '5-1' runs backwards"),
        ("cron(0/0 * * * ? *)", "minutes step 0 is outside"),
        ("cron(0 0 1,,2 * ? *)", "has an empty list item"),
        ("cron(0 0 ? * MON#6 *)", "day-of-week # 6 is outside 1-5"),
        ("cron(0 0 ? * FOO *)", "day-of-week 'FOO' is not a number"),
        ("cron(0 0 L-2 * ? *)", "L, LW and nW stand alone"),
        ("cron(0 0 30 2 ? *)", "never fires"),
        ("rate(1 hours)", "write rate(1 hour), singular"),
        ("rate(5 hour)", "write rate(5 hours), plural"),
        ("rate(0 days)", "at least 1"),
        ("rate(2 weeks)", "unknown rate unit 'weeks'"),
        ("every(2 days)", "is not a schedule"),
    ],
)
def test_errors(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=None) as caught:
        parse_schedule(expression)
    assert message in str(caught.value)


def test_every_minute_for_400_years_is_still_fast() -> None:
    parse_schedule.cache_clear()
    started = time.perf_counter()
    schedule = parse_schedule("cron(* * * * ? *)")
    assert schedule.longest_gap_seconds() == 60
    assert time.perf_counter() - started < 1.0


def test_standard_cron_for_vault() -> None:
    assert parse_schedule("cron(0 4 ? * SUN *)").to_standard_cron() == "0 4 * * SUN"
    assert parse_schedule("cron(0 4 ? * 2-6 *)").to_standard_cron() == "0 4 * * 1-5"
    assert parse_schedule("cron(30 1 1 * ? *)").to_standard_cron() == "30 1 1 * *"
    assert parse_schedule("cron(0 4 ? * WED *)").to_standard_cron() == "0 4 * * WED"
    for bad in (
        "cron(0 0 L * ? *)",
        "cron(0 0 15W * ? *)",
        "cron(0 0 ? * L *)",
        "cron(0 0 ? * 2#1 *)",
        "cron(0 0 ? * 6L *)",
        "cron(0 0 1 1 ? 2027)",
        "rate(1 day)",
    ):
        with pytest.raises(ScheduleError):
            parse_schedule(bad).to_standard_cron()
