"""Located problems, reported compiler style so editors and CI annotate the right line."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


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

    def render(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}: "
            f"{where}{self.message} ({self.code})"
        )

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class CatalogError(Exception):
    """Raised when a catalog cannot become a model; carries every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))
