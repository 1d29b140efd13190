"""Pausing Python's cycle collector around work that builds large acyclic data.

Loading a catalog and writing a preview as JSON allocate millions of tuples, dicts and
strings in plain trees. Each allocation burst makes the collector rescan every live object
(for a 10,000-secret preview, a 3.7 GiB heap) looking for cycles that cannot exist; that
was about 20% of loading and most of the JSON output's cost at that size. Reference
counting still frees everything, so pausing the collector changes nothing but time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cycle collection within the block; the collector's previous state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def settle() -> None:
    """Move every object alive now out of the collector's reach, for good.

    Only for a one-shot command that has just loaded something large and keeps it until it
    exits (``seccat validate``): the objects built while the collector was paused all wait
    in its youngest generation, and the first collection after the pause would walk every
    one of them, then again as they age (about 7% of validating 10,000 secrets).
    Reference counting still frees them; only cycles alive now would never be collected,
    which in a process about to exit costs nothing.
    """
    gc.freeze()
