"""Reports of `seccat rotate` (the ordered plan, then each step's outcome) and `seccat
rollback` (what will happen, then what did): text, JSON and Markdown. No value is ever part
of a plan or an outcome, only names, versions and times."""

from __future__ import annotations

import json
from typing import Any

from seccat.cli.output import escape_for_terminal
from seccat.operations.rollback import RollbackPlan, RollbackResult
from seccat.operations.rotate import Outcome, Plan
from seccat.reports.ops_markdown import cell, code, with_command

SCHEMA_VERSION = 1


def _cell(text: str) -> str:
    return cell(text)


# -- rotate ------------------------------------------------------------------------------


def plan_text(plans: list[Plan], dry_run: bool) -> str:
    lines = []
    for plan in plans:
        steps = plan.steps
        lines.append(
            f"rotation plan for {plan.environment}: {plan.selection} "
            f"({len(steps)} secret(s), {len(plan.waves())} wave(s))"
        )
        if not steps:
            lines.append("  nothing to rotate")
        for n, wave in enumerate(plan.waves(), 1):
            lines.append(f"  wave {n}:")
            for step in wave:
                lines.append(f"    {step.environment}/{step.secret}  {step.action}: {step.why}")
        if plan.manual:
            lines.append("  by hand (seccat cannot make a new value):")
            for step in plan.manual:
                lines.append(f"    {step.environment}/{step.secret}  {step.why}")
    if dry_run:
        lines.append("dry run: nothing was changed")
    return "\n".join(escape_for_terminal(line) for line in lines) + "\n"


def _summary(outcomes: list[Outcome]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    parts = ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) or "nothing to do"
    verdict = "FAILED" if rotation_failed(outcomes) else "done"
    return f"seccat rotate {verdict}: {parts}"


def rotation_failed(outcomes: list[Outcome]) -> bool:
    return any(o.status in ("failed", "not-run", "manual") for o in outcomes)


def outcomes_text(outcomes: list[Outcome]) -> str:
    lines = []
    for o in outcomes:
        took = f" in {o.seconds:.0f} s" if o.seconds >= 1 else ""
        proof = f"; {o.proof}" if o.proof else ""
        lines.append(f"{o.step.environment}/{o.step.secret}: {o.status}{took}: {o.detail}{proof}")
    lines.append(_summary(outcomes))
    return "\n".join(escape_for_terminal(line) for line in lines) + "\n"


def rotate_json(plans: list[Plan], outcomes: list[Outcome] | None, incident: str | None) -> str:
    body: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "incident": incident,
        "dryRun": outcomes is None,
        "plans": [
            {
                "environment": p.environment,
                "selection": p.selection,
                "steps": [s.to_json() for s in p.steps],
            }
            for p in plans
        ],
    }
    if outcomes is not None:
        body["outcomes"] = [o.to_json() for o in outcomes]
        body["passed"] = not rotation_failed(outcomes)
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def rotate_markdown(plans: list[Plan], outcomes: list[Outcome] | None, incident: str | None) -> str:
    title = f"## seccat rotate{f' for incident {code(incident, table=False)}' if incident else ''}"
    lines = ["<!-- seccat-rotate -->", title, ""]
    for plan in plans:
        lines += [
            f"**{_cell(plan.environment)}**: {_cell(plan.selection)}",
            "",
            "| Wave | Secret | Action | Why |",
            "|---:|---|---|---|",
        ]
        for step in plan.steps:
            wave = "by hand" if step.action == "manual" else str(step.wave)
            lines.append(
                f"| {wave} | {code(step.secret)} | {step.action} | {with_command(step.why)} |"
            )
        lines.append("")
    if outcomes is not None:
        lines += ["| Secret | Status | Detail | Proof |", "|---|---|---|---|"]
        for o in outcomes:
            lines.append(
                f"| {code(f'{o.step.environment}/{o.step.secret}')} | {o.status} "
                f"| {_cell(o.detail)} | {_cell(o.proof or '')} |"
            )
        lines += ["", _summary(outcomes)]
    else:
        lines.append("Dry run: nothing was changed.")
    return "\n".join(lines) + "\n"


# -- rollback ------------------------------------------------------------------------------


def rollback_plan_text(plans: list[RollbackPlan]) -> str:
    lines = []
    for p in plans:
        verb = "will" if p.possible else "cannot"
        lines.append(f"{p.target.label}: {verb} roll back: {p.explanation}")
    return "\n".join(escape_for_terminal(line) for line in lines) + "\n"


def rollback_text(results: list[RollbackResult]) -> str:
    lines = [
        f"{r.plan.target.label}: {'rolled back' if r.done else 'not rolled back'}: {r.detail}"
        for r in results
        if r.plan.possible
    ]
    done = sum(r.done for r in results)
    lines.append(f"seccat rollback: {done} of {len(results)} rolled back")
    return "\n".join(escape_for_terminal(line) for line in lines) + "\n"


def rollback_json(plans: list[RollbackPlan], results: list[RollbackResult] | None) -> str:
    body: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "plans": [p.to_json() for p in plans],
    }
    if results is not None:
        body["results"] = [r.to_json() for r in results]
        body["passed"] = all(r.done for r in results)
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def rollback_markdown(plans: list[RollbackPlan], results: list[RollbackResult] | None) -> str:
    lines = ["<!-- seccat-rollback -->", "## seccat rollback", "", "| Secret | Plan |", "|---|---|"]
    for p in plans:
        lines.append(f"| {code(p.target.label)} | {with_command(p.explanation)} |")
    if results is not None:
        lines += ["", "| Secret | Rolled back | Detail |", "|---|---|---|"]
        for r in results:
            lines.append(
                f"| {code(r.plan.target.label)} | {'yes' if r.done else 'no'} | {_cell(r.detail)} |"
            )
    return "\n".join(lines) + "\n"
