"""`seccat rules`: every rule with its severity, its enforcement in each pack and the controls
it maps to (like `checkov --list`)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from seccat.cli.app import app, examples
from seccat.cli.common import emit
from seccat.reports.escape import md_code, md_text

#: The framework packs (policies.packs.FRAMEWORKS), named here so --help imports no rules.
PACKS = ("baseline", "pci-dss-4", "soc2", "nist-800-53-r5", "cis-aws-3")


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def rules_table() -> list[dict[str, Any]]:
    """One entry per rule, enforcement read from the very pack configs `check` loads."""
    from seccat.checking.packs import load_pack
    from seccat.policies.registry import RULES

    packs = {name: load_pack(name) for name in PACKS}
    return [
        {
            "id": r.id,
            "title": r.title,
            "severity": r.severity,
            "scope": r.scope,
            "default": r.enforcement,
            "enforcement": {name: pack.level(r.id) for name, pack in packs.items()},
            "controls": list(r.controls),
            "remediation": r.remediation,
        }
        for r in RULES
    ]


def render_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps({"schemaVersion": 1, "rules": rows}, indent=2) + "\n"


def render_text(rows: list[dict[str, Any]]) -> str:
    packs = list(PACKS)
    head = ["ID", "SEVERITY", "SCOPE", *packs]
    table = [
        [r["id"], r["severity"], r["scope"], *(r["enforcement"][p] for p in packs)] for r in rows
    ]
    widths = [max(len(row[i]) for row in [head, *table]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(head)]
    for r, cells in zip(rows, table, strict=True):
        out.append(line(cells))
        out.append(f"    {r['title']}")
        out.append(f"    controls: {', '.join(r['controls']) or 'seccat baseline'}")
    return "\n".join(out) + "\n"


def render_markdown(rows: list[dict[str, Any]]) -> str:
    packs = list(PACKS)
    out = [
        "| Rule | Title | Severity | Scope | " + " | ".join(packs) + " | Controls |",
        "|" + "---|" * (5 + len(packs)),
    ]
    for r in rows:
        controls = ", ".join(md_code(c) for c in r["controls"]) or "seccat baseline"
        levels = " | ".join(r["enforcement"][p] for p in packs)
        out.append(
            f"| [{md_code(r['id'])}](docs/policies.md#{r['id'].lower()}) | {md_text(r['title'])} "
            f"| {r['severity']} | {r['scope']} | {levels} | {controls} |"
        )
    return "\n".join(out) + "\n"


@app.command(
    name="rules",
    epilog=examples(
        "seccat rules",
        "seccat rules --format json | jq '.rules[] | select(.severity == \"critical\") | .id'",
        "seccat rules --format markdown >> $GITHUB_STEP_SUMMARY",
        note="The enforcement columns are the packs `seccat check --pack NAME` and "
        "`pulumi preview --policy-pack-config policies/config/NAME.json` use.",
    ),
)
def rules(
    format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the list to this file (same bytes as stdout)."),
    ] = None,
) -> None:
    """List every rule: id, severity, scope, enforcement per pack, controls."""
    rows = rules_table()
    render = {
        RulesFormat.text: render_text,
        RulesFormat.json: render_json,
        RulesFormat.markdown: render_markdown,
    }[format]
    emit(render(rows), out)
