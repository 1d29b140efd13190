"""Pausing Python's cycle collector around work that builds large acyclic data.

Loading a catalog and writing a preview as JSON allocate millions of tuples, dicts and
strings in plain trees. Each allocation burst makes the collector rescan every live object
(for a 10,000-secret preview, a 3.7 GiB heap) looking for cycles that cannot exist; that
was about 20% of loading and most of the JSON output's cost at that size. Reference
counting still frees everything, so pausing the collector changes nothing but time.
"""

from __future__ import annotations

import atexit
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


@contextmanager
def settled() -> Iterator[None]:
    """``paused``, and what is alive when the block ends is frozen before the collector
    resumes: moved out of its reach for good.

    Only for a one-shot command that loads something large and keeps it until it exits
    (``seccat validate``). Without it, everything built while the collector was paused waits
    in the youngest generation, and the first allocation after the pause starts a collection
    that walks every object, then again as they age (7% of validating 10,000 secrets).
    Reference counting still frees frozen objects; only cycles alive at that moment would
    never be collected, which costs nothing in a process about to exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


_final_collection_skipped = False


def skip_final_collection() -> None:
    """At exit, freeze the heap so the interpreter's last cycle collection skips it.

    Python collects cycles once more while it shuts down, scanning every object still alive:
    a catalog of 10,000 secrets and its preview are millions of them, so that scan cost
    0.3 s of `seccat validate`'s 2 s and a second of a 1,000-secret `seccat check`
    (docs/benchmarks.md). The process is ending, the objects are freed with it, and nothing
    seccat owns needs a finaliser run by that collection (reports are written and flushed
    before the command returns). Registered once per process.
    """
    global _final_collection_skipped
    if not _final_collection_skipped:
        atexit.register(gc.freeze)
        _final_collection_skipped = True
