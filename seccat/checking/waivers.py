"""Waivers from the catalog: a waived finding is downgraded to advisory and shown as waived.

An expired waiver waives nothing (SECCAT-CAT-007 reports it as a mandatory violation), and
SECCAT-CAT-007 itself cannot be waived. Schema errors never reach this point: an invalid
catalog stops `seccat check` before any rule runs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import replace

from seccat.catalog.model import Waiver
from seccat.checking.findings import Finding, WaiverRef

UNWAIVABLE = frozenset({"SECCAT-CAT-007"})


def active(waivers: tuple[Waiver, ...], today: str) -> list[Waiver]:
    return [w for w in waivers if w.expires >= today]


def matches(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule != finding.rule_id or finding.rule_id in UNWAIVABLE:
        return False
    target = finding.target
    return target is not None and fnmatch.fnmatchcase(target, waiver.target)


def apply_waivers(
    findings: list[Finding], waivers: tuple[Waiver, ...], today: str
) -> list[Finding]:
    current = active(waivers, today)
    by_rule: dict[str, list[Waiver]] = {}
    for w in current:
        by_rule.setdefault(w.rule, []).append(w)
    out: list[Finding] = []
    for f in findings:
        waiver = next((w for w in by_rule.get(f.rule_id, ()) if matches(w, f)), None)
        if waiver is None:
            out.append(f)
            continue
        out.append(
            replace(
                f,
                enforcement="advisory",
                waiver=WaiverRef(waiver.reason, waiver.approved_by, waiver.expires, waiver.target),
            )
        )
    return out
