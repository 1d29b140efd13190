"""Write docs/policies.md from the registry (`python -m policies.docs`); a test keeps the
file in step, so the catalogue never drifts from the rules."""

from __future__ import annotations

from pathlib import Path

from policies.packs import FRAMEWORKS, pack_config
from policies.registry import RULES

DOC = Path(__file__).resolve().parents[1] / "docs" / "policies.md"

HEADER = """# seccat policy rules

One rule set runs in two places:

- **CrossGuard**, during `pulumi preview` / `pulumi up`, for the resource and stack rules:

  ```sh
  pulumi preview --policy-pack policies --policy-pack-config policies/config/pci-dss-4.json
  ```

  (`pulumi policy analyze --policy-pack policies` checks an existing stack's state.)
- **`seccat check`**, offline and without cloud credentials, for every rule including the
  catalog rules, over the same resources `seccat preview` records:

  ```sh
  seccat check --stack prod --pack pci-dss-4 --format sarif --out seccat.sarif
  ```

Exit codes: 0 no mandatory violation, 1 a mandatory violation or an invalid catalog, 2 a
usage error or unreadable input. Formats: `text`, `json`, `sarif` (2.1.0, results at the
catalog line of the secret or service that produced the resource), `junit` (one testcase
per rule and resource), `markdown` (a pull-request comment).

**Scopes.** *Catalog* rules read the validated model (and, in `seccat check`, the offline
resources of the environment) and point at catalog lines. *Resource* rules read props as
CrossGuard passes them: camelCase, numbers as floats; a value unknown during preview makes a
rule not applicable, never a crash. *Stack* rules read all resources in one linear pass.

**Packs** (`policies/config/*.json`, the `--policy-pack-config` format; `seccat check
--pack NAME` reads the same files): `baseline` runs every rule at its default enforcement;
a framework pack runs the rules tagged with one of its controls and disables the rest
(SECCAT-CAT-007, waiver expiry, is always on). Framework tags appear only where the
reference sources map the control (Security Hub, Prowler, Steampipe compliance mods, CIS).

**Waivers** live in the catalog's `waivers:` list (`rule`, `target` secret or service id or
glob, `reason`, `expires`, `approved_by`). A matching finding is downgraded to advisory and
reported as waived (a SARIF suppression). An expired waiver waives nothing and is itself a
mandatory violation. Schema errors stop `seccat check` before any rule runs, so no waiver
can hide one.
"""


def render() -> str:
    lines = [HEADER, "## Rules", ""]
    lines.append("| Id | Title | Scope | Severity | Default | Controls |")
    lines.append("|---|---|---|---|---|---|")
    for r in RULES:
        controls = ", ".join(f"`{c}`" for c in r.controls) or "seccat baseline"
        lines.append(
            f"| [{r.id}](#{r.id.lower()}) | {r.title} | {r.scope} | {r.severity} "
            f"| {r.enforcement} | {controls} |"
        )
    lines += ["", "## Packs", "", "| Pack | Rules enabled |", "|---|---|"]
    for name in FRAMEWORKS:
        config = pack_config(name)
        enabled = [
            k for k, v in config.items() if k != "all" and v["enforcementLevel"] != "disabled"
        ]
        lines.append(f"| `{name}` | {len(enabled)} |")
    lines += ["", "## Rule details", ""]
    for r in RULES:
        lines += [
            f"### {r.id}",
            "",
            f"**{r.title}** ({r.scope}, {r.severity}, {r.enforcement})",
            "",
        ]
        lines += [r.description, ""]
        if r.resource_types:
            lines += ["Resource types: " + ", ".join(f"`{t}`" for t in r.resource_types), ""]
        if r.config_schema:
            opts = ", ".join(
                f"`{k}` (default `{v.get('default')}`)" for k, v in r.config_schema.items()
            )
            lines += [f"Config: {opts}", ""]
        lines += [f"Remediation: {r.remediation}", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
