"""Where the semantic checks put what they find: one located diagnostic per problem.

Shared by the modules of seccat/catalog that check one concern each (references and
rotation in semantics, identities in identity_checks, database servers in
database_checks), so every check reports the same way and stays silent about places an
earlier stage already reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.suggest import closest
from seccat.catalog.untrusted import quoted, segment
from seccat.catalog.yamlsource import RawPath, Source

SECTION_OF = {
    "team": "teams",
    "environment": "environments",
    "service": "services",
    "database": "databases",
    "secret": "secrets",
}


class Report:
    """Collects located diagnostics; silent about paths an earlier stage already reported."""

    def __init__(self, src: Source, silenced: Callable[[RawPath], bool]) -> None:
        self.src = src
        self.silenced = silenced
        self.out: list[Diagnostic] = []
        #: Sections missing or broken: references into them are not checked.
        self.unchecked: set[str] = set()

    def reference(self, path: RawPath, kind: str, name: str, known: dict[str, Any]) -> bool:
        """Report ``name`` unless ``known`` (a section) defines it; True when it is defined."""
        section = SECTION_OF[kind]
        if name in known or section in self.unchecked:
            return name in known
        self.at_value(path, unknown(kind, name, known), "UNKNOWN_REF")
        return False

    def reference_key(self, path: RawPath, kind: str, name: str, known: dict[str, Any]) -> bool:
        """Like ``reference``, for a name written as a mapping key (located at the key)."""
        section = SECTION_OF[kind]
        if name in known or section in self.unchecked:
            return name in known
        self.at_key(path, unknown(kind, name, known), "UNKNOWN_REF")
        return False

    def at_value(self, path: RawPath, message: str, code: str) -> None:
        self._add(path, self.src.value_position(path), message, code)

    def at_key(self, path: RawPath, message: str, code: str) -> None:
        self._add(path, self.src.key_position(path), message, code)

    def _add(self, path: RawPath, position: Any, message: str, code: str) -> None:
        if self.silenced(path):
            return
        self.out.append(
            Diagnostic(
                self.src.file, position.line, position.column, self.src.render(path), message, code
            )
        )


#: Above this many names a did-you-mean search costs more than it helps.
SUGGEST_LIMIT = 2000


def unknown(kind: str, name: str, known: dict[str, Any]) -> str:
    """ "unknown team 'x'; did you mean 'y'?": both names are user text, quoted safely."""
    if len(known) <= SUGGEST_LIMIT:
        close = closest(name, list(known), cutoff=0.75)
        if close:
            return f"unknown {kind} {quoted(name)}; did you mean {quoted(close)}?"
    names = ", ".join(segment(n) for n in sorted(known)[:8]) or "none defined"
    more = ", ..." if len(known) > 8 else ""
    return f"unknown {kind} {quoted(name)} (known: {names}{more})"
