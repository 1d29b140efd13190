"""Located problems, reported compiler style so editors and CI annotate the right line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from operator import attrgetter
from typing import Literal

from seccat.catalog.untrusted import MAX_FILE, MAX_MESSAGE, MAX_PATH, safe_field

Severity = Literal["error", "warning"]

#: The last file name made safe, and its safe form: every diagnostic of a load shares one.
_last_file: tuple[str, str] = ("", "")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in an input file. Sorted by position so reports read top to bottom."""

    file: str
    line: int
    column: int
    path: str = field(compare=False)
    message: str = field(compare=False)
    code: str = field(compare=False)
    severity: Severity = field(default="error", compare=False)

    def __post_init__(self) -> None:
        # The one place every diagnostic passes: whatever a message builder quoted from the
        # catalog (or the file name a user typed) leaves here escaped, redacted and capped.
        global _last_file
        if self.file is not _last_file[0]:
            _last_file = (self.file, safe_field(self.file, MAX_FILE))
        if _last_file[1] is not self.file:
            object.__setattr__(self, "file", _last_file[1])
        for name, limit in (("path", MAX_PATH), ("message", MAX_MESSAGE)):
            text = getattr(self, name)
            safe = safe_field(text, limit)
            if safe is not text:
                object.__setattr__(self, name, safe)

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}: "
            f"{where}{self.message} ({self.code})"
        )

    def to_json(self) -> dict[str, object]:
        return asdict(self)


#: The sort key of diagnostics (the order ``order=True`` defines), as one C-level getter:
#: sorting 100,000 diagnostics through dataclass ``__lt__`` took seconds.
_WHERE = attrgetter("file", "line", "column")


def by_position(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """``diagnostics`` sorted by file, line and column (stable, so ties keep their order)."""
    return sorted(diagnostics, key=_WHERE)


#: How many diagnostics a command prints unless told otherwise (``--max-diagnostics``).
DEFAULT_LIMIT = 200


def limited(diagnostics: list[Diagnostic], limit: int = DEFAULT_LIMIT) -> list[Diagnostic]:
    """The first ``limit`` diagnostics (``0``: all of them), plus, when some are left out,
    one more that counts them, located at the first one left out (code ``LIMIT``)."""
    if limit <= 0 or len(diagnostics) <= limit:
        return diagnostics
    rest = diagnostics[limit:]
    first = rest[0]
    errors = any(d.severity == "error" for d in rest)
    note = Diagnostic(
        first.file,
        first.line,
        first.column,
        "",
        f"{len(rest)} more problem(s) from here on not shown (the first {limit} are; "
        "--max-diagnostics 0 shows all)",
        "LIMIT",
        "error" if errors else "warning",
    )
    return [*diagnostics[:limit], note]


class CatalogError(Exception):
    """Raised when a catalog cannot become a model; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = by_position(diagnostics)
        super().__init__("\n".join(d.render() for d in limited(self.diagnostics)))
