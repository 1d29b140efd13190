"""Waivers from the catalog: a waived finding is downgraded to advisory and shown as waived.

A waiver names one rule and exactly one secret or service (validation refuses wildcards), and
applies only in its environments when it lists some. An expired waiver waives nothing
(SECCAT-CAT-007 reports it as a mandatory violation), and SECCAT-CAT-007 itself cannot be
waived. Schema errors never reach this point: an invalid
catalog stops `seccat check` before any rule runs.
"""

from __future__ import annotations

from dataclasses import replace

from seccat.catalog.model import Waiver
from seccat.checking.findings import Finding, WaiverRef

UNWAIVABLE = frozenset({"SECCAT-CAT-007"})


def active(waivers: tuple[Waiver, ...], today: str) -> list[Waiver]:
    return [w for w in waivers if w.expires >= today]


def matches(waiver: Waiver, finding: Finding, environment: str) -> bool:
    if waiver.rule != finding.rule_id or finding.rule_id in UNWAIVABLE:
        return False
    if waiver.environments and environment not in waiver.environments:
        return False
    return finding.target is not None and finding.target == waiver.target


def apply_waivers(
    findings: list[Finding], waivers: tuple[Waiver, ...], today: str, environment: str
) -> list[Finding]:
    current = active(waivers, today)
    by_rule: dict[str, list[Waiver]] = {}
    for w in current:
        by_rule.setdefault(w.rule, []).append(w)
    out: list[Finding] = []
    for f in findings:
        waiver = next((w for w in by_rule.get(f.rule_id, ()) if matches(w, f, environment)), None)
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
