"""Which floats every JSON encoder seccat uses writes alike.

Pulumi's engine hands inputs over with integers as floats (``365.0``). An integral float of
magnitude at most 2**53 is exact, so its shortest round-trip digits are the integer's own,
and json (``float.__repr__``) and orjson both write them in fixed notation with ``.0``. Other
floats they may write differently (orjson writes ``1e-05`` as ``0.00001``, NaN and the
infinities as ``null``), so the recorder notes whether it saw any (seccat.engine.recording)
and the preview's JSON encoder takes the fast path only when it did not
(seccat.reports.exact_json).
"""

from __future__ import annotations

#: The largest magnitude below which every integral float is exactly an integer.
EXACT_LIMIT = float(2**53)


def exact_float(value: float) -> bool:
    """An integral float of magnitude at most 2**53 (NaN and the infinities are not)."""
    return value.is_integer() and -EXACT_LIMIT <= value <= EXACT_LIMIT
