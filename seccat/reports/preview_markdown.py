"""`seccat preview --format markdown`: a pull-request comment with counts and the tree."""

from __future__ import annotations

from seccat.engine.preview import Preview
from seccat.reports.preview_tree import tree_lines


def render_markdown(preview: Preview) -> str:
    counts = preview.counts()
    protected = sum(1 for r in preview.resources if r.options.get("protect"))
    lines = [
        f"### seccat preview: stack `{preview.stack}`",
        "",
        f"{len(preview.resources) + 1} resources to create from `{preview.shown_catalog}` "
        f"({protected} protected).",
        "",
        "| Resource type | Count |",
        "| --- | ---: |",
    ]
    for type_token, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| `{type_token}` | {n} |")
    lines += ["", "<details><summary>Resource tree</summary>", "", "```text"]
    for label, r in tree_lines(preview):
        name = r.name if r else f"seccat-{preview.stack}"
        flag = " (protected)" if r and r.options.get("protect") else ""
        lines.append(f"{label}  {name}{flag}")
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines)
