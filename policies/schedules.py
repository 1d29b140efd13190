"""Rotation intervals as the longest gap a schedule allows.

Checkov passes every ``cron()`` unchecked; seccat asks the catalog's schedule parser for the
longest gap between two firings, so ``cron(0 4 1 1 ? *)`` (yearly) fails a 90-day limit.
"""

from __future__ import annotations

import re
from functools import lru_cache

from seccat.catalog.schedule import parse_schedule
from seccat.policies.thresholds import DAY

_VAULT_DOW = {str(i): str(i + 1) for i in range(7)} | {"7": "1"}


@lru_cache(maxsize=4096)
def longest_gap_days(expression: str) -> float:
    """Days of the longest gap of an AWS ``rate()``/``cron()`` expression. Raises ValueError
    for an expression that does not parse."""
    return parse_schedule(expression).longest_gap_seconds() / DAY


def vault_cron_to_aws(expression: str) -> str:
    """Vault's 5-field cron (``m h dom mon dow``, Sunday = 0) as an AWS 6-field ``cron()``
    (Sunday = 1, and ``?`` in one of the day fields), so one gap computation serves both."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} is not a 5-field cron expression")
    minute, hour, dom, month, dow = fields
    if dow != "*":
        dow = re.sub(r"\d", lambda m: _VAULT_DOW[m.group(0)], dow)
        dom = "?" if dom == "*" else dom
        if dom != "?":
            raise ValueError("a schedule restricting both day of month and day of week")
    else:
        dow = "?"
    return f"cron({minute} {hour} {dom} {month} {dow} *)"
