"""`seccat diff` for a terminal: the verdict, then per stack what changed, each line with the
catalog position an editor can jump to. User-written text is shown with control characters
escaped."""

from __future__ import annotations

from seccat.checking.baseline import BaselineEntry
from seccat.checking.findings import Finding
from seccat.cli.output import escape_for_terminal
from seccat.diff.model import DiffResult, Location, StackDiff
from seccat.reports.common import status
from seccat.reports.diff_common import approval_text, principal_label, short_actions, trust_label

_LEVEL = {"mandatory": "error", "advisory": "warning", "waived": "note"}


def _at(where: Location) -> str:
    prefix = "base " if where.side == "base" else ""
    return f"{prefix}{where.file}:{where.line}:{where.column}"


def _finding(f: Finding) -> str:
    return (
        f"{f.file}:{f.line}:{f.column}: {_LEVEL[status(f)]}: {f.rule_id} {f.severity}: {f.message}"
    )


def _fixed(e: BaselineEntry) -> str:
    return f"{e.rule_id} {e.severity}: {e.message} (was at {e.file}:{e.line})"


def header(result: DiffResult) -> list[str]:
    base = result.base.label + (f" ({result.base.commit[:12]})" if result.base.commit else "")
    lines = [f"seccat diff: {base} -> {result.head.label}, pack {result.pack}"]
    reasons = result.reasons()
    if reasons:
        lines.append(f"FAILED: {'; '.join(reasons)}")
    elif not result.head.valid:
        lines.append("passed: the catalog is invalid, as the base is, with no new errors")
    else:
        lines.append("passed: " + _quiet(result))
    if not result.base.present:
        lines.append(f"note: {result.base.file} does not exist at the base: everything is new")
    elif not result.base.valid and result.head.valid:
        lines.append(
            "note: the base catalog is invalid: its stacks cannot run, so everything in the "
            "head is shown as added and every finding as new"
        )
    return lines


def _quiet(result: DiffResult) -> str:
    parts = ["no new mandatory findings"]
    if result.approval_for is not None:
        parts.append(f"no unapproved access to {result.approval_for} secrets")
    return ", ".join(parts)


def _stack(s: StackDiff) -> list[str]:
    state = "" if s.in_base and s.in_head else " (new environment)" if s.in_head else " (removed)"
    out = [f"stack {s.stack}{' (protected)' if s.protected else ''}{state}"]
    for error in s.errors:
        out.append(f"  error: {error}")
    if s.granted or s.revoked:
        out.append("  access:")
    for c in s.granted:
        approval = ""
        if c.needs_approval:
            approval = (
                f"  approved by {c.approval.text} ({c.approval.source})"
                if c.approval
                else f"  NEEDS APPROVAL: --approve {approval_text(s.stack, c)}"
            )
        out.append(
            f"    + {principal_label(c.principal)} -> {c.secret} [{c.classification}]: "
            f"{short_actions(c.actions)}  {_at(c.location)}{approval}"
        )
    for c in s.revoked:
        left = f"; keeps {short_actions(c.after)}" if c.after else ""
        out.append(
            f"    - {principal_label(c.principal)} -> {c.secret} [{c.classification}]: "
            f"{short_actions(c.actions)}{left}  {_at(c.location)}"
        )
    if s.trust_granted or s.trust_revoked:
        out.append("  trust (who can become a role):")
    out += [f"    + {trust_label(t)} -> {t.role.name}" for t in s.trust_granted]
    out += [f"    - {trust_label(t)} -> {t.role.name}" for t in s.trust_revoked]
    if s.added or s.removed or s.changed:
        out.append("  secrets:")
    for c in s.removed:
        warn = (
            "  WARNING: removed from a protected environment without lifecycle: retired first"
            if c.unretired_removal
            else ""
        )
        out.append(f"    - {c.secret} ({c.classification}, {c.lifecycle})  {_at(c.location)}{warn}")
    for c in s.added:
        out.append(f"    + {c.secret} ({c.classification})  {_at(c.location)}")
    rotation = {r.secret: r.direction for r in s.rotation}
    classification = {c.secret: c.direction for c in s.classification}
    for c in s.changed:
        for f in c.changes:
            note = ""
            if f.field == "rotation" and rotation.get(c.secret, "same") != "same":
                note = f" ({rotation[c.secret]})"
            elif f.field == "classification" and c.secret in classification:
                note = f" ({classification[c.secret]})"
            out.append(
                f"    ~ {c.secret}: {f.field}: {f.before} -> {f.after}{note}  {_at(c.location)}"
            )
    found = s.findings
    out.append(
        f"  findings: {len(found.new)} new, {len(found.fixed)} fixed, "
        f"{len(found.existing)} pre-existing"
    )
    out += [f"    new: {_finding(f)}" for f in found.new]
    out += [f"    fixed: {_fixed(e)}" for e in found.fixed]
    return out


def render(result: DiffResult) -> str:
    lines = header(result)
    v = result.validation
    if v.new or v.fixed or v.existing:
        lines.append(
            f"catalog validation: {len(v.new)} new, {len(v.fixed)} fixed, "
            f"{len(v.existing)} pre-existing errors"
        )
        lines += [f"  new: {_finding(f)}" for f in v.new]
        lines += [f"  pre-existing: {_finding(f)}" for f in v.existing]
        lines += [f"  fixed: {_fixed(e)}" for e in v.fixed]
    if not result.head.valid:
        lines.append("the head catalog is invalid: no stack could be compared")
    for s in result.stacks:
        lines.append("")
        lines += _stack(s)
    return escape_for_terminal("\n".join(lines)) + "\n"
