"""Did-you-mean suggestions, bounded so a flood of mistakes stays cheap to report.

difflib compares a word with every candidate (about 10 microseconds per pair). A catalog
with 100,000 unknown keys or names would spend seconds on suggestions nobody reads, since
reports show the first few hundred problems. Each load gets a budget of comparisons
(``SUGGESTION_BUDGET``); once spent, messages list what is allowed instead. Checks run in
document order, so the first problems (the ones printed) keep their suggestions, and the
same file always gets the same messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

#: Candidate comparisons one load may spend on suggestions.
SUGGESTION_BUDGET = 20_000
#: Words longer than this get no suggestion (difflib is quadratic in the length).
MAX_WORD = 64

_budget: ContextVar[list[int] | None] = ContextVar("suggestion_budget", default=None)


@contextmanager
def suggestion_budget(comparisons: int = SUGGESTION_BUDGET) -> Iterator[None]:
    """Bound the suggestions made inside the block (one catalog load)."""
    token = _budget.set([comparisons])
    try:
        yield
    finally:
        _budget.reset(token)


def closest(word: str, choices: Sequence[str], cutoff: float) -> str | None:
    """The choice most like ``word`` (difflib ratio at least ``cutoff``), if the budget
    allows looking for one."""
    if len(word) > MAX_WORD or not choices:
        return None
    left = _budget.get()
    if left is not None:
        if left[0] < len(choices):
            return None
        left[0] -= len(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return close[0] if close else None
