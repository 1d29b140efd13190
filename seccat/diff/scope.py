"""What a change touches, for ``seccat check --changed-only``: the catalog entries whose
model differs from the base, and the resources whose recorded inputs or options differ (or
that are new). Rules still run over the whole stack (stack rules need all of it); only the
findings about untouched things are left out of the report."""

from __future__ import annotations

from dataclasses import dataclass

from seccat.catalog.model import Catalog
from seccat.checking.findings import Finding
from seccat.engine.preview import Preview

_SECTIONS = ("teams", "environments", "services", "databases", "secrets")


@dataclass(frozen=True)
class Touched:
    urns: frozenset[str]
    #: (section, name) of every catalog entry that is new or differs.
    refs: frozenset[tuple[str, str]]

    def __bool__(self) -> bool:
        return bool(self.urns or self.refs)

    def covers(self, finding: Finding) -> bool:
        """A finding about a touched resource or entry; one about the whole stack (neither
        a resource nor an entry) counts when anything in the stack is touched."""
        if finding.resource_urn is not None and finding.resource_urn in self.urns:
            return True
        path = finding.catalog_path
        if path and len(path) >= 2:
            return (path[0], path[1]) in self.refs
        if finding.resource_urn is not None:
            return False
        return bool(self)


def touched(
    base: Catalog | None, head: Catalog, base_preview: Preview | None, head_preview: Preview
) -> Touched:
    refs: set[tuple[str, str]] = set()
    for section in _SECTIONS:
        before = getattr(base, section) if base is not None else {}
        for name, entry in getattr(head, section).items():
            if before.get(name) != entry:
                refs.add((section, name))
    old_waivers = set(base.waivers) if base is not None else set()
    for waiver in set(head.waivers) - old_waivers:
        # A new or changed waiver changes what its target's findings look like.
        refs.update({("secrets", waiver.target), ("services", waiver.target)})
    old = {r.urn: r for r in base_preview.resources} if base_preview is not None else {}
    urns = {
        r.urn
        for r in head_preview.resources
        if (o := old.get(r.urn)) is None
        or (o.type, o.inputs, o.options, o.parent) != (r.type, r.inputs, r.options, r.parent)
    }
    return Touched(frozenset(urns), frozenset(refs))
