"""The pull-request comment: one for every stack the change touches.

Order: a one-line verdict; access changes (a Mermaid graph of the changed principal ->
secret edges, then a table with the approvals they need); trust changes; catalog changes;
new findings with their remediation; fixed findings; pre-existing findings collapsed in
``<details>``. "Where" links to the catalog line at the pull request's head and rule ids to
docs/policies.md in the user's repository (seccat.reports.links).

GitHub refuses a comment longer than 65,536 characters. The comment is rendered in full
first; when it is too long, it is summarised step by step (pre-existing findings to counts
per rule, then fewer rows per table, then a smaller graph) until it fits. Every string a
user wrote is escaped (seccat.reports.escape).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from seccat.checking.baseline import BaselineEntry
from seccat.checking.findings import Finding
from seccat.diff.model import AccessChange, DiffResult, Location, StackDiff
from seccat.policies.registry import RULES_BY_ID
from seccat.reports.common import by_importance, status
from seccat.reports.diff_common import (
    access_rows,
    approval_text,
    catalog_rows,
    principal_label,
    short_actions,
    trust_label,
)
from seccat.reports.escape import md_code, md_text, mermaid_label
from seccat.reports.links import Links

#: Lets the workflow find and update its own comment instead of adding another.
MARKER = "<!-- seccat-diff -->"
#: GitHub's limit for a comment body.
GITHUB_LIMIT = 65_536


@dataclass(frozen=True)
class Detail:
    """How much a rendering shows; each step down the list is shorter."""

    rows: int | None  # rows per table (None: all)
    graph_edges: int  # edges in the Mermaid graph (0: no graph)
    existing: bool  # list pre-existing findings (else counts per rule)
    fixed: bool  # list fixed findings (else counts per rule)


LEVELS: tuple[Detail, ...] = (
    Detail(None, 60, True, True),
    Detail(None, 60, False, True),
    Detail(200, 40, False, True),
    Detail(100, 30, False, False),
    Detail(40, 20, False, False),
    Detail(15, 10, False, False),
    Detail(5, 0, False, False),
    Detail(0, 0, False, False),
)


def render(result: DiffResult, links: Links | None = None, limit: int = GITHUB_LIMIT) -> str:
    """The comment, the most detailed rendering whose UTF-8 size is within ``limit``."""
    links = links or Links()
    text = ""
    for level in LEVELS:
        text = _render(result, links, level)
        if len(text.encode("utf-8")) <= limit:
            return text
    return text


def _where(links: Links, where: Location) -> str:
    label = f"{links.relative(where.file)}:{where.line}"
    if where.side == "base":
        return md_code(f"base {label}")
    url = links.line(where.file, where.line)
    return f"[{md_code(label)}]({url})" if url else md_code(label)


def _rule(links: Links, rule_id: str) -> str:
    url = links.rule(rule_id)
    return f"[{md_code(rule_id)}]({url})" if url else md_code(rule_id)


def _truncate(rows: list[str], limit: int | None, what: str, columns: int) -> list[str]:
    if limit is None or len(rows) <= limit:
        return rows
    rest = len(rows) - limit
    note = f"… and {rest} more {what} (see the JSON report: seccat diff --format json)"
    return [*rows[:limit], "| " + " | ".join([note, *[""] * (columns - 1)]) + " |"]


def _verdict(result: DiffResult) -> str:
    reasons = result.reasons()
    stacks = ", ".join(s.stack for s in result.stacks) or "none"
    if not result.head.valid:
        n = len(result.validation.new)
        if reasons:
            return f"**❌ seccat:** the catalog is invalid ({n} new error{'s' if n != 1 else ''})."
        return "**⚠️ seccat:** the catalog is invalid, as it was in the base (no new errors)."
    if reasons:
        return f"**❌ seccat:** {md_text('; '.join(reasons))} (stacks: {md_text(stacks)})."
    granted = sum(len(s.granted) for s in result.stacks)
    revoked = sum(len(s.revoked) for s in result.stacks)
    access = (
        f"{granted} access grant{'s' if granted != 1 else ''} and {revoked} "
        f"revocation{'s' if revoked != 1 else ''}, none needing an approval"
        if granted or revoked
        else "no access changes"
    )
    return f"**✅ seccat:** no new mandatory findings, {access} (stacks: {md_text(stacks)})."


def _context(result: DiffResult) -> str:
    base = md_code(result.base.file, table=False)
    if result.base.revision:
        base = md_code(result.base.revision, table=False)
        if result.base.commit:
            base += f" ({md_code(result.base.commit[:12], table=False)})"
    line = f"Compared with {base}, pack {md_code(result.pack, table=False)}."
    if not result.base.present:
        line += " The base has no catalog there: everything is new."
    elif not result.base.valid and result.head.valid:
        line += (
            " The base catalog is invalid, so nothing of it could run: everything in the head "
            "is shown as added and every finding as new."
        )
    return line


def _graph(rows: Sequence[tuple[StackDiff, str, AccessChange]], limit: int) -> list[str]:
    """A Mermaid flowchart of the changed edges: granted solid, revoked dashed; principals
    and secrets grouped by stack. Node ids are generated, never user text."""
    shown = list(rows[:limit])
    if not shown:
        return []
    lines = ["```mermaid", "flowchart LR"]
    ids: dict[tuple[str, str, str], str] = {}
    styles: list[str] = []
    edges: list[str] = []
    by_stack: dict[str, list[str]] = {}
    for s, kind, c in shown:
        p_key = (s.stack, "p", c.principal.id)
        x_key = (s.stack, "s", c.secret)
        for key, label in (
            (p_key, principal_label(c.principal)),
            (x_key, f"{c.secret} ({c.classification})"),
        ):
            if key not in ids:
                ids[key] = f"n{len(ids)}"
                by_stack.setdefault(s.stack, []).append(f"    {ids[key]}[{mermaid_label(label)}]")
        label = mermaid_label(("+ " if kind == "granted" else "- ") + short_actions(c.actions))
        arrow = "-->" if kind == "granted" else "-.->"
        edges.append(f"  {ids[p_key]} {arrow}|{label}| {ids[x_key]}")
        colour = "#cf222e" if c.unapproved else "#1a7f37" if kind == "granted" else "#8c959f"
        styles.append(f"  linkStyle {len(edges) - 1} stroke:{colour},stroke-width:2px")
    for i, (stack, nodes) in enumerate(by_stack.items()):
        lines.append(f"  subgraph g{i}[{mermaid_label(stack)}]")
        lines += nodes
        lines.append("  end")
    lines += edges + styles + ["```"]
    if len(rows) > limit:
        lines.append(f"_The graph shows {limit} of {len(rows)} changed edges._")
    return lines


def _access(result: DiffResult, links: Links, d: Detail) -> list[str]:
    rows = access_rows(result)
    trust = [(s, "+", t) for s in result.stacks for t in s.trust_granted] + [
        (s, "-", t) for s in result.stacks for t in s.trust_revoked
    ]
    if not rows and not trust:
        return []
    out = ["", "### Access changes", ""]
    if rows:
        if d.graph_edges:
            out += [*_graph(rows, d.graph_edges), ""]
        table = []
        for s, kind, c in rows:
            sign = "➕ granted" if kind == "granted" else "➖ revoked"  # noqa: RUF001
            if c.needs_approval and c.approval is None:
                approval = f"❌ needs approval: {md_code('--approve ' + approval_text(s.stack, c))}"
            elif c.approval is not None:
                approval = f"✅ {md_code(c.approval.text)} ({md_text(c.approval.source)})"
            else:
                approval = ""
            table.append(
                f"| {sign} | {md_text(s.stack)} | {md_text(principal_label(c.principal))} "
                f"| {md_code(c.secret)} ({md_text(c.classification)}) "
                f"| {md_text(short_actions(c.actions))} | {approval} "
                f"| {_where(links, c.location)} |"
            )
        out += [
            "| Change | Stack | Principal | Secret | Actions | Approval | Where |",
            "|---|---|---|---|---|---|---|",
            *_truncate(table, d.rows, "access changes", 7),
        ]
    if trust:
        table = [
            f"| {'➕ can now' if sign == '+' else '➖ can no longer'} | {md_text(s.stack)} "  # noqa: RUF001
            f"| {md_text(t.role.name)} | {md_text(trust_label(t))} |"
            for s, sign, t in trust
        ]
        out += [
            "",
            "Who can become a role:",
            "",
            "| Change | Stack | Role | Who |",
            "|---|---|---|---|",
            *_truncate(table, d.rows, "trust changes", 4),
        ]
    return out


def _catalog(result: DiffResult, links: Links, d: Detail) -> list[str]:
    rows = catalog_rows(result)
    if not rows:
        return []
    table = [
        f"| {'⚠️ ' if r.warning else ''}{md_code(r.secret)} | {md_text(', '.join(r.stacks))} "
        f"| {md_text(r.text)} | {_where(links, r.location)} |"
        for r in rows
    ]
    return [
        "",
        "### Catalog changes",
        "",
        "| Secret | Stacks | Change | Where |",
        "|---|---|---|---|",
        *_truncate(table, d.rows, "catalog changes", 4),
    ]


def _finding_row(links: Links, stack: str, f: Finding) -> str:
    rule = RULES_BY_ID.get(f.rule_id)
    remediation = rule.remediation if rule else "Fix the catalog entry at this line."
    note = f" (waived: {f.waiver.reason}, until {f.waiver.expires})" if f.waiver else ""
    return (
        f"| {status(f)} | {md_text(f.severity)} | {_rule(links, f.rule_id)} | {md_text(stack)} "
        f"| {_where(links, Location(f.file, f.line, f.column))} | {md_text(f.message + note)} "
        f"| {md_text(remediation)} |"
    )


_FINDINGS_HEAD = [
    "| Status | Severity | Rule | Stack | Where | Finding | Remediation |",
    "|---|---|---|---|---|---|---|",
]


def _new(result: DiffResult, links: Links, d: Detail) -> list[str]:
    found = [("catalog", f) for f in by_importance(result.validation.new)]
    for s in result.stacks:
        found += [(s.stack, f) for f in by_importance(s.findings.new)]
    found.sort(key=lambda sf: status(sf[1]) != "mandatory")
    if not found:
        return []
    mandatory = sum(1 for _, f in found if status(f) == "mandatory")
    rows = [_finding_row(links, stack, f) for stack, f in found]
    return [
        "",
        f"### New findings: {mandatory} mandatory, {len(found) - mandatory} other",
        "",
        *_FINDINGS_HEAD,
        *_truncate(rows, d.rows, "new findings", 7),
    ]


def _counts(entries: Sequence[tuple[str, str]]) -> str:
    counts = Counter(entries)
    return ", ".join(
        f"{md_code(rule, table=False)} x {n} ({md_text(stack)})"
        for (stack, rule), n in sorted(counts.items())
    )


def _fixed(result: DiffResult, links: Links, d: Detail) -> list[str]:
    fixed: list[tuple[str, BaselineEntry]] = [("catalog", e) for e in result.validation.fixed]
    for s in result.stacks:
        fixed += [(s.stack, e) for e in s.findings.fixed]
    if not fixed:
        return []
    out = ["", f"### Fixed: {len(fixed)}", ""]
    if not d.fixed:
        return [*out, _counts([(stack, e.rule_id) for stack, e in fixed]) + "."]
    rows = [
        f"- {_rule(links, e.rule_id)} ({md_text(e.severity)}, {md_text(stack)}): "
        f"{md_text(e.message)}"
        for stack, e in fixed
    ]
    if d.rows is not None and len(rows) > d.rows:
        rows = [*rows[: d.rows], f"- … and {len(rows) - d.rows} more"]
    return out + rows


def _existing(result: DiffResult, links: Links, d: Detail) -> list[str]:
    found = [("catalog", f) for f in result.validation.existing]
    for s in result.stacks:
        found += [(s.stack, f) for f in by_importance(s.findings.existing)]
    if not found:
        return []
    out = ["", f"<details><summary>Pre-existing findings: {len(found)}</summary>", ""]
    if d.existing:
        out += [*_FINDINGS_HEAD, *[_finding_row(links, stack, f) for stack, f in found]]
    else:
        out.append(_counts([(stack, f.rule_id) for stack, f in found]) + ".")
    return [*out, "", "</details>"]


def _render(result: DiffResult, links: Links, d: Detail) -> str:
    lines = [MARKER, _verdict(result), "", _context(result)]
    for s in result.stacks:
        for error in s.errors:
            lines += ["", "> [!WARNING]", f"> {md_text(s.stack)}: {md_text(error)}"]
    lines += _access(result, links, d)
    lines += _catalog(result, links, d)
    new, fixed = _new(result, links, d), _fixed(result, links, d)
    if result.head.valid and not new and not fixed:
        lines += ["", "No new findings, and none fixed."]
    lines += new + fixed
    lines += _existing(result, links, d)
    if d != LEVELS[0]:
        lines += [
            "",
            "_Summarised to stay within GitHub's comment size; the JSON report has everything._",
        ]
    return "\n".join(lines) + "\n"
