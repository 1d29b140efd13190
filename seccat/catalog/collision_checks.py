"""The post-build stage of loading: generated names that collide become located errors.

Runs on the built model (the registry needs the plan of every environment), so unlike the
semantic checks it locates through ``Catalog.positions``. One diagnostic per set of catalog
entries that generate the same names, at the entry written last, naming every other entry
with its own position, so both sides of the clash are one click away.
"""

from __future__ import annotations

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Catalog
from seccat.documents.name_registry import Collision, collisions

#: Names listed per diagnostic; the count of the rest follows.
MAX_NAMES_SHOWN = 4


def collision_diagnostics(catalog: Catalog) -> list[Diagnostic]:
    return [_diagnostic(catalog, c) for c in collisions(catalog)]


def _diagnostic(catalog: Catalog, collision: Collision) -> Diagnostic:
    placed = sorted(collision.origins, key=lambda o: (_pos(catalog, o.path), o.path, o.what))
    here, others = placed[-1], placed[:-1]
    where = catalog.position(here.path)
    other_text = " and ".join(
        f"{o.what} ({catalog.source}:{_pos(catalog, o.path)[0]}:{_pos(catalog, o.path)[1]})"
        for o in others
    )
    shown = [k.describe() for k in collision.keys[:MAX_NAMES_SHOWN]]
    rest = len(collision.keys) - len(shown)
    if rest:
        shown.append(f"and {rest} more")
    return Diagnostic(
        catalog.source,
        where.line,
        where.column,
        ".".join(here.path),
        f"{here.what} generates the same names as {other_text}: {', '.join(shown)}; "
        "rename one of them (generated names must be unique)",
        "COLLISION",
    )


def _pos(catalog: Catalog, path: tuple[str, ...]) -> tuple[int, int]:
    p = catalog.position(path)
    return p.line, p.column
