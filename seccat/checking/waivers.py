"""Waivers from the catalog: a waived finding is downgraded to advisory and shown as waived.

A waiver names one rule and exactly one secret or service (validation refuses wildcards), and
applies only in its environments when it lists some (an environment-qualified target,
``prod/payments/partner-tls``, lists exactly its own). An expired waiver waives nothing
(SECCAT-CAT-007 reports it as a mandatory violation), and SECCAT-CAT-007 itself cannot be
waived. Schema errors never reach this point: an invalid catalog stops `seccat check`
before any rule runs.

Two kinds of waiver are worth a warning (an error with ``--strict``): one that matches no
finding where it could apply (the finding it waived is fixed, or the waiver is misspelt),
and one that expires within ``EXPIRY_NOTICE_DAYS``, before it silently starts to fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import replace

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Catalog, Waiver
from seccat.checking.findings import Finding, WaiverRef

UNWAIVABLE = frozenset({"SECCAT-CAT-007"})
#: A waiver expiring within this many days gets a warning.
EXPIRY_NOTICE_DAYS = 30


def active(waivers: tuple[Waiver, ...], today: str) -> list[Waiver]:
    return [w for w in waivers if w.expires >= today]


def applies_in(waiver: Waiver, environment: str) -> bool:
    return not waiver.environments or environment in waiver.environments


def matches(waiver: Waiver, finding: Finding, environment: str) -> bool:
    if waiver.rule != finding.rule_id or finding.rule_id in UNWAIVABLE:
        return False
    if not applies_in(waiver, environment):
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
                waiver=WaiverRef(
                    waiver.reason, waiver.approved_by, waiver.expires, waiver.shown_target
                ),
            )
        )
    return out


def waiver_warnings(
    catalog: Catalog,
    findings: Iterable[Finding],
    environment: str,
    today: str,
    rules_run: Collection[str],
    *,
    strict: bool = False,
) -> list[Diagnostic]:
    """Unmatched and soon-expiring waivers of ``environment``, located at the waiver.

    ``findings`` are the findings before waivers; ``rules_run`` the rules this check ran.
    A waiver is unmatched only where it could have matched: its rule ran, it applies in
    this environment, and its secret exists here (a service always does). Expired waivers
    and waivers of unknown rules are SECCAT-CAT-007's, not repeated here.
    """
    severity = "error" if strict else "warning"
    findings = list(findings)
    day = dt.date.fromisoformat(today)
    out: list[Diagnostic] = []
    for i, waiver in enumerate(catalog.waivers):
        if waiver.expires < today or not applies_in(waiver, environment):
            continue
        path = ("waivers", str(i))
        subject = f"waiver of {waiver.rule} for '{waiver.shown_target}'"
        if (
            waiver.rule in rules_run
            and waiver.rule not in UNWAIVABLE
            and _exists_in(catalog, waiver.target, environment)
            and not any(matches(waiver, f, environment) for f in findings)
        ):
            out.append(
                _diagnostic(
                    catalog,
                    path,
                    f"{subject} matches no finding in stack {environment}; remove it if the "
                    "finding is fixed, or correct its rule or target",
                    "WAIVER_UNMATCHED",
                    severity,
                )
            )
        left = (dt.date.fromisoformat(waiver.expires) - day).days
        if left <= EXPIRY_NOTICE_DAYS:
            when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
            out.append(
                _diagnostic(
                    catalog,
                    (*path, "expires"),
                    f"{subject} expires on {waiver.expires}, {when}; renew it with a new "
                    "approval or fix the finding (SECCAT-CAT-007 fails the check once it has "
                    "expired)",
                    "WAIVER_EXPIRING",
                    severity,
                )
            )
    return out


def _exists_in(catalog: Catalog, target: str, environment: str) -> bool:
    secret = catalog.secrets.get(target)
    if secret is not None:
        return environment in secret.environments
    return target in catalog.services


def _diagnostic(
    catalog: Catalog, path: tuple[str, ...], message: str, code: str, severity: str
) -> Diagnostic:
    where = catalog.position(path)
    shown = f"waivers[{path[1]}]" + "".join(f".{p}" for p in path[2:])
    return Diagnostic(
        catalog.source,
        where.line,
        where.column,
        shown,
        message,
        code,
        "error" if severity == "error" else "warning",
    )
