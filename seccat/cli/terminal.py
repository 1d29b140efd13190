"""Colour and progress for a person at a terminal, on stderr only.

Nothing here touches stdout: reports (JSON, SARIF, JUnit, Markdown, the text tree and the
compiler-style lines) are written as exact bytes by ``seccat.cli.output``. On stderr, colour
and progress appear only when stderr is a terminal (not a pipe, a file or CI's log capture)
whose ``TERM`` is not ``dumb``; ``NO_COLOR`` (any non-empty value) turns colour off and
leaves the progress display plain.

User text never passes through rich markup: a line is escaped first (control characters
shown as ``\\xNN``), then becomes a ``rich.text.Text`` (which does not parse markup) styled
by position, and progress descriptions are fixed strings rendered with ``markup=False``.
rich is imported only when there is a terminal to draw on.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

#: The severity word of a compiler-style line (``FILE:LINE:COL: error: ...``) or of
#: ``seccat: error: ...``, and the colour it gets.
_SEVERITY = r"(?:^seccat|:\d+:\d+): (?P<level>error|warning|note):"
_STYLES = {"error": "bold red", "warning": "yellow", "note": "cyan"}
_VERDICT = r"^seccat check (?P<verdict>FAILED|passed)"


def stderr_is_terminal() -> bool:
    """True when stderr is an interactive terminal that can draw colour and progress."""
    stream = sys.stderr
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return interactive and os.environ.get("TERM", "") != "dumb"


def colour_wanted() -> bool:
    return stderr_is_terminal() and not os.environ.get("NO_COLOR")


@cache
def _console() -> Any:
    from rich.console import Console

    return Console(
        file=sys.stderr,
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
    )


def print_line(line: str) -> bool:
    """Print an already escaped human line on stderr in colour; False when colour is off
    (the caller writes it plain)."""
    if not colour_wanted():
        return False
    from rich.text import Text

    text = Text(line)
    found = re.search(_SEVERITY, line)
    if found:
        level = found.group("level")
        text.stylize(_STYLES[level], found.start("level"), found.end("level"))
    verdict = re.search(_VERDICT, line)
    if verdict:
        word = verdict.group("verdict")
        style = "bold red" if word == "FAILED" else "bold green"
        text.stylize(style, verdict.start("verdict"), verdict.end("verdict"))
    _console().print(text)
    return True


class Progress:
    """Counts for a long run: resources registered, then rules evaluated. A live rich
    display on a terminal; without one, nothing (a large catalog's preview still prints a
    plain line every 500 resources, see ``run_preview``)."""

    def __init__(self, display: Any | None) -> None:
        self._display = display
        self._tasks: dict[str, Any] = {}

    @property
    def live(self) -> bool:
        """True when a live display is drawn (stderr is a terminal)."""
        return self._display is not None

    def registered(self, count: int) -> None:
        self._update("register", "registering resources", count, None)

    def evaluated(self, done: int, total: int) -> None:
        self._update("rules", "evaluating rules on resources", done, total)

    def count(self, description: str, done: int, total: int | None = None) -> None:
        """A command's own count (environments verified, secrets rotated, records read);
        ``description`` is a fixed string of the command's, never user text."""
        self._update(description, description, done, total)

    def _update(self, key: str, description: str, done: int, total: int | None) -> None:
        if self._display is None:
            return
        task = self._tasks.get(key)
        if task is None:
            task = self._tasks[key] = self._display.add_task(description, total=total)
        self._display.update(task, completed=done, total=total)


@contextmanager
def progress() -> Iterator[Progress]:
    """A Progress for the block: live on a terminal (and cleared when done)."""
    if not stderr_is_terminal():
        yield Progress(None)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
    from rich.progress import Progress as Live

    display = Live(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        console=_console(),
        transient=True,
    )
    with display:
        yield Progress(display)
