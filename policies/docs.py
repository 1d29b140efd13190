"""Write docs/policies.md from the registry (`python -m seccat.policies.docs`); a test keeps the
file in step, so the catalogue never drifts from the rules."""

from __future__ import annotations

import re
from pathlib import Path

from seccat.policies.packs import FRAMEWORKS, pack_config
from seccat.policies.registry import RULES

DOC = Path(__file__).resolve().parents[1] / "docs" / "policies.md"

#: "issue 3" in a rule's text is the team's planning reference; users have no such list.
_PLANNING_REF = re.compile(r"\bissues? [0-9]+\b")
_GROUP = re.compile(r" ?\(([^()]*)\)")
_WHOLE_ITEM = re.compile(r"\s*issues? [0-9]+\s*")
_LABELLED_ITEM = re.compile(r"\s*issues? [0-9]+\s*:\s*")
_TRAILING_ITEM = re.compile(r",\s*issues? [0-9]+\s*$")


def public_text(text: str) -> str:
    """A rule's text as users read it: planning references removed from the parentheses
    that cite sources, with their separators, so "(issue 2)" disappears, "(Checkov
    CKV_AWS_115; issue 3)" keeps "(Checkov CKV_AWS_115)" and "(issue 8: segregation of
    duties; docs/threat-model.md)" keeps "(segregation of duties; docs/threat-model.md)"."""
    if not _PLANNING_REF.search(text):
        return text

    def clean(group: re.Match[str]) -> str:
        items = []
        for item in group.group(1).split(";"):
            if _WHOLE_ITEM.fullmatch(item):
                continue
            item = _LABELLED_ITEM.sub("", item, count=1) if _LABELLED_ITEM.match(item) else item
            items.append(_TRAILING_ITEM.sub("", item).strip())
        if not items:
            return ""
        lead = " " if group.group(0).startswith(" ") else ""
        return f"{lead}({'; '.join(items)})"

    return _GROUP.sub(clean, text)
    text = re.sub(r" ?\(\s*issues? [0-9]+\s*\)", "", text)
    text = re.sub(r"\s*[;,]\s*issues? [0-9]+\b(?=\s*\))", "", text)
    text = re.sub(r"(?<=\()\s*issues? [0-9]+\s*[;,]\s*", "", text)
    return text


HEADER = """# seccat policy rules

One rule set runs in two places:

- **CrossGuard**, during `pulumi preview` / `pulumi up`, for the resource and stack rules:

  ```sh
  pulumi preview --policy-pack policies --policy-pack-config policies/config/pci-dss-4.json
  ```

  (`pulumi policy analyze --policy-pack policies` checks an existing stack's state.) The
  pack folder runs on its own, in a virtualenv Pulumi makes for it: publishing it to Pulumi
  Cloud and enforcing it across an organisation are in [policy-pack.md](policy-pack.md).
- **`seccat check`**, offline and without cloud credentials, for every rule including the
  catalog rules, over the same resources `seccat preview` records:

  ```sh
  seccat check --stack prod --pack pci-dss-4 --format sarif --out seccat.sarif
  ```

Exit codes: 0 no mandatory violation, 1 a mandatory violation, an invalid catalog or a stack
file that disagrees with it (or, with `--strict`, a waiver warning), 2 a usage error or
unreadable input.

**Reports** (`--format`): `text` (compiler-style lines), `json`, `sarif` (2.1.0, results at
the catalog line of the secret or service that produced the resource), `junit`, `markdown`
(a pull-request comment). A report is always written, to `--out` or stdout: when the check
stops before any rule runs (the catalog is invalid or cannot be read, the stack file
disagrees with it, the pack config is broken) the report holds those problems as results at
their lines, and the exit code stays 1 (invalid) or 2 (unreadable). An unreadable catalog
gets a report too, with its `READ` error. Only a usage error (an unknown option or pack
name) writes none.

- SARIF artifact URIs are relative to the repository root, with `uriBaseId` `%SRCROOT%`
  (declared in `originalUriBaseIds`), wherever seccat runs: the root is `--repo-root`, else
  the git top level of the catalog's folder, else the current directory. A file outside the
  root keeps an absolute `file://` URI. Problems that are not rule findings are results of
  rules named `SECCAT-INPUT-<CODE>` (`SECCAT-INPUT-SCHEMA`, `SECCAT-INPUT-UNKNOWN_REF`,
  `SECCAT-INPUT-WAIVER_EXPIRING`...; the codes are in docs/catalog.md).
- JUnit has one test case per finding, named by rule id, catalog location and subject
  (`SECCAT-AWS-003 catalog.yaml:43:3 prod/payments/stripe-api-key`), with `file` (relative to
  the repository root, like SARIF) and `line` attributes and the full message. A mandatory
  finding fails its case; an advisory or waived one is `skipped` with the reason, so the
  test view agrees with the exit code. Every rule that found nothing is one passing case
  (`skipped` when it had nothing to check). `SECCAT-INPUT-<CODE>` cases carry the other
  problems: errors fail, warnings pass with the warning as output.
- JSON (`schemaVersion` 1) adds `stopped` (why no rule ran, or null), `summary.errors`,
  `summary.warnings` and `diagnostics` (the same objects as `seccat validate --format json`)
  to the findings.

**Scopes.** *Catalog* rules read the validated model (and, in `seccat check`, the offline
resources of the environment) and point at catalog lines. *Resource* rules read props as
CrossGuard passes them: camelCase, numbers as floats; a value unknown during preview makes a
rule not applicable, never a crash. *Stack* rules read all resources in one linear pass.

**Packs** (`policies/config/*.json`, the `--policy-pack-config` format; `seccat check
--pack NAME` reads the same files): `baseline` runs every rule at its default enforcement;
a framework pack runs the rules tagged with one of its controls and disables the rest
(SECCAT-CAT-007, waiver expiry, is always on). Framework tags appear only where the
reference sources map the control (Security Hub, Prowler, Steampipe compliance mods, CIS).
`--pack` also takes your own config file. `seccat check` reads it more strictly than the
Pulumi CLI: a rule id or an option it does not know is an error located at its line, with
the closest known one (`unknown rule 'SECCAT-AWS-03'; did you mean 'SECCAT-AWS-003'?`),
never silently ignored; an unknown pack name suggests the closest pack (`--pack pci`: did
you mean `pci-dss-4`?).

## Waivers

Waivers live in the catalog's `waivers:` list (`rule`, `target`, `reason`, `expires`,
`approved_by`, optional `environments`). The target is exactly one secret id or service
name, or the environment-qualified form a finding prints, `<env>/<secret id>`
(`prod/payments/partner-tls`): that waives in that environment only, so a waiver that also
lists `environments` must include it. A target that names nothing is a validation error
with the closest target in the form you wrote (a resource name copied from a finding,
`prod/payments/partner-tls/rotation`, is cut back to `prod/payments/partner-tls`). A
matching finding is downgraded to advisory and reported as waived (a SARIF suppression). An
expired waiver waives nothing and is itself a mandatory violation (SECCAT-CAT-007).
Validation errors stop `seccat check` before any rule runs, so no waiver can hide one.

`seccat check` warns (an error with `--strict`, exit 1) about a waiver

- that matches no finding in the stack although it could (its rule ran, it applies in the
  stack's environment and its secret exists there): the finding was fixed, or the rule or
  target is wrong (`WAIVER_UNMATCHED`);
- that expires within 30 days, before it starts to fail the check (`WAIVER_EXPIRING`).

Both are located at the waiver and appear in every report format.

`seccat rules` lists every rule with its severity, scope, enforcement in each pack and
controls (`--format text|json|markdown`).

## Baselines

`seccat check --baseline FILE` compares with a saved `seccat check --format json` result of
the same stack, and `--base FILE|REVISION` with the check of the catalog before the change
(a git revision is read from git, the work tree is not touched). Each finding is then `new`
or `unchanged` (`baselineState` in JSON and SARIF, "(in the baseline)" in text), and only new
mandatory findings fail. `--new-only` reports only the new ones. `--changed-only` (with
`--base`) reports only findings about catalog entries and resources the change touches:
rules still run over the whole stack, which stack rules need. `seccat diff` uses the same
comparison ([docs/diff.md](diff.md)).

With `--all-stacks`, `--baseline` takes a saved `check --all-stacks --format json` result and
`--base` checks every stack of the base catalog
([docs/stacks.md](stacks.md#offline---all-stacks-in-parallel)).

A finding is matched by its fingerprint, not its line: the stack, the rule, the catalog
entry it targets, the resource it is about and its message. Moving an entry keeps it;
fixing the problem, or changing it so the message changes, does not.

## Failing on severities and rules

`--hard-fail-on` and `--soft-fail-on` take severities (`critical`, `high`, `medium`, `low`)
and rule ids, repeatable or comma-separated. For each finding the first that applies
decides: a waiver (a waived finding never fails); its rule id in `--hard-fail-on` (fails);
its rule id in `--soft-fail-on` (does not); a severity in `--hard-fail-on` (that severity
and higher fail; the lowest given counts); a severity in `--soft-fail-on` (that severity and
lower do not; the highest given counts); the pack's enforcement. So a rule id beats a
severity, and `--hard-fail-on` beats `--soft-fail-on` at the same level; a rule in both is a
usage error. Rules the pack disables do not run, so neither option turns one on.
"""


def render() -> str:
    lines = [HEADER, "## Rules", ""]
    lines.append("| Id | Title | Scope | Severity | Default | Controls |")
    lines.append("|---|---|---|---|---|---|")
    for r in RULES:
        controls = ", ".join(f"`{c}`" for c in r.controls) or "seccat baseline"
        lines.append(
            f"| [{r.id}](#{r.id.lower()}) | {public_text(r.title)} | {r.scope} | {r.severity} "
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
            f"**{public_text(r.title)}** ({r.scope}, {r.severity}, {r.enforcement})",
            "",
        ]
        lines += [public_text(r.description), ""]
        if r.resource_types:
            lines += ["Resource types: " + ", ".join(f"`{t}`" for t in r.resource_types), ""]
        if r.config_schema:
            opts = ", ".join(
                f"`{k}` (default `{v.get('default')}`)" for k, v in r.config_schema.items()
            )
            lines += [f"Config: {opts}", ""]
        lines += [f"Remediation: {public_text(r.remediation)}", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
