"""``--hard-fail-on`` and ``--soft-fail-on``: which findings fail a run, decided on the
command line over the pack's enforcement.

Each option takes severities and rule ids (repeatable, or comma-separated). For one finding
the first of these that applies decides:

1. a waiver: a waived finding never fails;
2. its rule id in ``--hard-fail-on``: it fails;
3. its rule id in ``--soft-fail-on``: it does not fail (a rule in both options is an error);
4. a severity in ``--hard-fail-on``: findings of that severity or higher fail (the lowest
   severity given counts);
5. a severity in ``--soft-fail-on``: findings of that severity or lower do not fail (the
   highest given counts);
6. the pack's enforcement: mandatory fails, advisory does not.

A rule id beats a severity, and at the same level ``--hard-fail-on`` beats
``--soft-fail-on``. Rules the pack disables do not run, so neither option can turn one on.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from seccat.checking.findings import Finding
from seccat.policies.framework import SEVERITY_ORDER
from seccat.policies.registry import RULES_BY_ID


class FailPolicyError(ValueError):
    """A value that is neither a severity nor a rule id, or a rule named in both options."""


@dataclass(frozen=True)
class FailPolicy:
    hard_rules: frozenset[str] = frozenset()
    soft_rules: frozenset[str] = frozenset()
    hard_severity: str | None = None
    soft_severity: str | None = None

    @property
    def empty(self) -> bool:
        return self == FailPolicy()

    def level(self, finding: Finding) -> str:
        """``mandatory`` (fails) or ``advisory`` for one finding."""
        if finding.waived:
            return finding.enforcement
        if finding.rule_id in self.hard_rules:
            return "mandatory"
        if finding.rule_id in self.soft_rules:
            return "advisory"
        rank = SEVERITY_ORDER.get(finding.severity, 0)
        if self.hard_severity is not None and rank >= SEVERITY_ORDER[self.hard_severity]:
            return "mandatory"
        if self.soft_severity is not None and rank <= SEVERITY_ORDER[self.soft_severity]:
            return "advisory"
        return finding.enforcement

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        out = []
        for f in findings:
            level = self.level(f)
            out.append(f if level == f.enforcement else replace(f, enforcement=level))  # type: ignore[arg-type]
        return out


def _split(values: Sequence[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _classify(option: str, values: Sequence[str]) -> tuple[set[str], list[str]]:
    rules: set[str] = set()
    severities: list[str] = []
    for value in _split(values):
        if value.lower() in SEVERITY_ORDER:
            severities.append(value.lower())
        elif value.upper() in RULES_BY_ID:
            rules.add(value.upper())
        else:
            candidates = [*SEVERITY_ORDER, *RULES_BY_ID]
            close = difflib.get_close_matches(value.upper(), [c.upper() for c in candidates], 1)
            hint = (
                f"; did you mean {close[0] if close[0] in RULES_BY_ID else close[0].lower()}?"
                if close
                else ""
            )
            raise FailPolicyError(
                f"{option} {value!r}: not a severity (critical, high, medium, low) or a rule "
                f"id (seccat rules lists them){hint}"
            )
    return rules, severities


def parse_fail_policy(hard: Sequence[str], soft: Sequence[str]) -> FailPolicy:
    hard_rules, hard_sev = _classify("--hard-fail-on", hard)
    soft_rules, soft_sev = _classify("--soft-fail-on", soft)
    both = sorted(hard_rules & soft_rules)
    if both:
        raise FailPolicyError(f"{both[0]} is in both --hard-fail-on and --soft-fail-on")
    return FailPolicy(
        frozenset(hard_rules),
        frozenset(soft_rules),
        min(hard_sev, key=SEVERITY_ORDER.__getitem__) if hard_sev else None,
        max(soft_sev, key=SEVERITY_ORDER.__getitem__) if soft_sev else None,
    )
