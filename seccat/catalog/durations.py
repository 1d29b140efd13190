"""Durations written as a number and a unit (``4h``, ``30d``, ``2w``)."""

from __future__ import annotations

import re

UNITS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION_RE = re.compile(r"^([1-9][0-9]{0,5})([smhdw])$")


def parse_duration(text: str) -> int:
    """Seconds in a duration; raises ValueError with a message fit for a diagnostic."""
    match = DURATION_RE.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(
            f"{text!r} is not a duration (a whole number and a unit: s, m, h, d or w, "
            "e.g. 30d or 4h)"
        )
    return int(match.group(1)) * UNITS[match.group(2)]
