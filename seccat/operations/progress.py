"""Progress for long operations: on a terminal's stderr only, never in machine output.

A run against a real account makes hundreds of calls; an operator at a terminal sees which
environment and item it is on. Redirected or in CI (stderr not a TTY) it prints nothing, so
logs and captured output hold only the report and the final summary.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from seccat.cli.output import escape_for_terminal


class Progress:
    """``with Progress(total, "verify prod") as p: p.advance("payments/x")``."""

    def __init__(self, total: int, title: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.title = title
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.live = _is_tty(self.stream)
        self._lock = threading.Lock()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def advance(self, item: str = "") -> None:
        """One more item finished (thread-safe); ``item`` names it, escaped."""
        with self._lock:
            self.done += 1
            if not self.live:
                return
            shown = escape_for_terminal(item)[:60]
            self.stream.write(f"\r\x1b[2K{self.title}: {self.done}/{self.total} {shown}")
            self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
