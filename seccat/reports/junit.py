"""JUnit XML for CI test views: one test case per finding and one per rule that found
nothing, so the view lists each problem where it is and the rules that passed, not one case
per resource.

- A finding's case is named by its rule id, catalog location and subject
  (``SECCAT-AWS-003 catalog.yaml:43:3 prod/payments/stripe-api-key``), carries ``file`` and
  ``line`` attributes and the full message. Mandatory findings fail it; advisory and waived
  findings are ``skipped`` with the reason, so the test view agrees with the exit code.
- A rule with no finding is one passing case (``skipped`` when it had nothing to check or
  every value it needed was unknown during preview).
- Problems that stop the check (an invalid catalog...) and waiver warnings are cases of
  their own, named ``SECCAT-INPUT-<CODE>`` like their SARIF rules: errors fail, warnings
  pass with the warning as output.

``file`` is relative to the repository root, like SARIF's URIs, so annotators place it.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.findings import CheckResult, Evaluation, Finding
from seccat.policies.registry import RULES_BY_ID
from seccat.reports.common import diagnostic_text, repo_relative

#: Diagnostics are named like their SARIF rules: ``SECCAT-INPUT-SCHEMA``.
INPUT_RULE_PREFIX = "SECCAT-INPUT-"


def render(result: CheckResult, *, repo_root: Path | None = None) -> str:
    root = Path(os.path.abspath(repo_root or os.getcwd()))
    suite = ET.Element("testsuite", name=f"seccat check {result.stack} ({result.pack})")
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    names: set[tuple[str, str]] = set()

    def case(classname: str, name: str, file: str | None = None, line: int = 0) -> ET.Element:
        counts["tests"] += 1
        unique, n = name, 1
        while (classname, unique) in names:
            n += 1
            unique = f"{name} ({n})"
        names.add((classname, unique))
        attributes = {"classname": classname, "name": unique}
        if file is not None:
            attributes |= {"file": _relative(file, root), "line": str(line)}
        return ET.SubElement(suite, "testcase", attributes)

    for d in result.diagnostics:
        rule = INPUT_RULE_PREFIX + d.code
        _input_case(case(rule, _diagnostic_name(d), d.file, d.line), d, counts)

    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_rule[f.rule_id].append(f)
    outcomes: dict[str, list[Evaluation]] = defaultdict(list)
    for ev in result.evaluations:
        outcomes[ev.rule_id].append(ev)
    rules = list(result.rules_run) or list(dict.fromkeys(ev.rule_id for ev in result.evaluations))
    rules += [r for r in by_rule if r not in rules]
    for rule_id in rules:
        found = by_rule.get(rule_id)
        if found:
            for f in found:
                name = f"{rule_id} {f.file}:{f.line}:{f.column} {f.subject}"
                _finding_case(case(rule_id, name, f.file, f.line), f, counts)
            continue
        title = RULES_BY_ID[rule_id].title if rule_id in RULES_BY_ID else rule_id
        element = case(rule_id, f"{rule_id} {title}")
        evaluated = outcomes.get(rule_id, [])
        if not evaluated:
            _skip(element, f"nothing to check in stack {result.stack}", counts)
        elif all(ev.outcome == "not-applicable" for ev in evaluated):
            _skip(element, "not applicable (a value it needs is unknown during preview)", counts)
        else:
            out = ET.SubElement(element, "system-out")
            checked = sum(1 for ev in evaluated if ev.outcome != "not-applicable")
            out.text = f"passed on {checked} subject{'s' if checked != 1 else ''}"

    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    top = ET.Element(
        "testsuites", name="seccat", tests=str(counts["tests"]), failures=str(counts["failures"])
    )
    top.append(suite)
    ET.indent(top)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="unicode") + "\n"


def _finding_case(element: ET.Element, f: Finding, counts: dict[str, int]) -> None:
    where = f"{f.file}:{f.line}:{f.column}"
    resource = f"\nresource: {f.resource_type} {f.resource_name}" if f.resource_name else ""
    if f.waiver is not None:
        _skip(
            element,
            f"waived until {f.waiver.expires} (approved by {f.waiver.approved_by}: "
            f"{f.waiver.reason}): {f.message}",
            counts,
        )
        return
    if f.enforcement != "mandatory":
        _skip(element, f"advisory (does not fail the check): {f.message}", counts)
        return
    counts["failures"] += 1
    failure = ET.SubElement(element, "failure", message=f.message, type=f"{f.severity} {f.rule_id}")
    remediation = RULES_BY_ID[f.rule_id].remediation if f.rule_id in RULES_BY_ID else ""
    failure.text = f"{where}: {f.message}{resource}\nremediation: {remediation}".rstrip()


def _input_case(element: ET.Element, d: Diagnostic, counts: dict[str, int]) -> None:
    if d.severity == "error":
        counts["failures"] += 1
        failure = ET.SubElement(element, "failure", message=diagnostic_text(d), type=d.code)
        failure.text = d.render()
        return
    out = ET.SubElement(element, "system-out")
    out.text = d.render()


def _diagnostic_name(d: Diagnostic) -> str:
    where = f"{INPUT_RULE_PREFIX}{d.code} {d.file}:{d.line}:{d.column}"
    return where + (f" {d.path}" if d.path else "")


def _skip(element: ET.Element, message: str, counts: dict[str, int]) -> None:
    counts["skipped"] += 1
    ET.SubElement(element, "skipped", message=message)


def _relative(file: str, root: Path) -> str:
    relative = repo_relative(file, root)
    return relative if relative is not None else os.path.abspath(file)
