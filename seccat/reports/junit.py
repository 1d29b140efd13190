"""JUnit XML: one testcase per rule and subject (a resource, or the catalog/stack for rules
that look at the whole), so CI test views list what was checked, not only what failed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from seccat.checking.findings import CheckResult, Finding


def render(result: CheckResult) -> str:
    by_case: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in result.findings:
        subject = (
            f.resource_name
            if f.scope == "resource" and f.resource_name
            else _aggregate_subject(f, result.stack)
        )
        by_case[(f.rule_id, subject)].append(f)
    suite = ET.Element(
        "testsuite", name=f"seccat check {result.stack} ({result.pack})", timestamp=""
    )
    tests = failures = skipped = 0
    for ev in result.evaluations:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=ev.rule_id, name=ev.subject)
        found = by_case.get((ev.rule_id, ev.subject), [])
        blocking = [f for f in found if f.enforcement == "mandatory"]
        if blocking:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=blocking[0].message,
                type=f"{blocking[0].severity} {ev.rule_id}",
            )
            failure.text = "\n".join(f"{f.file}:{f.line}:{f.column}: {f.message}" for f in blocking)
        elif ev.outcome == "not-applicable":
            skipped += 1
            ET.SubElement(case, "skipped", message="not applicable (a value is unknown)")
        others = [f for f in found if f.enforcement != "mandatory"]
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(
                f"{'waived' if f.waived else 'advisory'}: {f.file}:{f.line}:{f.column}: {f.message}"
                for f in others
            )
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    del suite.attrib["timestamp"]
    root = ET.Element("testsuites", name="seccat", tests=str(tests), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _aggregate_subject(f: Finding, stack: str) -> str:
    return "catalog" if f.scope == "catalog" else f"stack {stack}".strip()
