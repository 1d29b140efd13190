"""`seccat preview` as text: a resource tree like `pulumi preview`'s, then counts per type."""

from __future__ import annotations

from collections.abc import Iterator

from seccat.engine.preview import Preview
from seccat.engine.recording import RecordedResource


def _flags(resource: RecordedResource) -> str:
    flags = []
    if resource.options.get("protect"):
        flags.append("protected")
    if resource.options.get("retainOnDelete"):
        flags.append("retained")
    return ", ".join(flags)


def tree_lines(preview: Preview) -> Iterator[tuple[str, RecordedResource | None]]:
    """(prefix + type, resource) rows in tree order; the first row is the stack."""
    children: dict[str | None, list[RecordedResource]] = {}
    urns = {r.urn for r in preview.resources}
    for r in preview.resources:
        children.setdefault(r.parent if r.parent in urns else None, []).append(r)

    def walk(parent: str | None, indent: str) -> Iterator[tuple[str, RecordedResource]]:
        kids = children.get(parent, [])
        for i, r in enumerate(kids):
            last = i == len(kids) - 1
            yield f"{indent}{'└─ ' if last else '├─ '}{r.type}", r
            yield from walk(r.urn, indent + ("   " if last else "│  "))

    yield "pulumi:pulumi:Stack", None
    yield from walk(None, "")


def render_tree(preview: Preview) -> str:
    rows = list(tree_lines(preview))
    type_width = max(len(t) for t, _ in rows) + 2
    name_width = max([len(f"seccat-{preview.stack}")] + [len(r.name) for _, r in rows if r]) + 2
    out = [
        f"Previewing update (offline) of seccat stack {preview.stack!r} "
        f"from {preview.shown_catalog}",
        "",
        f"     {'Type':<{type_width}}{'Name':<{name_width}}Plan       Info",
    ]
    for label, r in rows:
        name = r.name if r else f"seccat-{preview.stack}"
        info = _flags(r) if r else ""
        out.append(f" +   {label:<{type_width}}{name:<{name_width}}create     {info}".rstrip())
    counts = preview.counts()
    out += ["", "Resources:", f"    + {len(preview.resources) + 1} to create", "", "By type:"]
    width = len(str(max(counts.values(), default=0)))
    for type_token, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        out.append(f"    {n:>{width}}  {type_token}")
    return "\n".join(out) + "\n"
