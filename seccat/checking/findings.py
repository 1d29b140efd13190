"""What a check produces: findings (violations) and evaluations (every rule x subject, for
JUnit), independent of any output format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.untrusted import MAX_FILE, MAX_MESSAGE, safe_field

Outcome = Literal["pass", "fail", "not-applicable"]
Level = Literal["mandatory", "advisory"]


@dataclass(frozen=True)
class WaiverRef:
    reason: str
    approved_by: str
    expires: str
    target: str

    def __post_init__(self) -> None:
        _sanitise(self, ("reason", "approved_by", "expires", "target"))


def _sanitise(record: object, names: tuple[str, ...]) -> None:
    """Every text field of a finding escaped, redacted and capped where it is built: each
    report format (text, JSON, SARIF, JUnit, Markdown) then shows only inert text."""
    for name in names:
        text = getattr(record, name)
        if text is None:
            continue
        safe = safe_field(text, MAX_FILE if name in ("file", "catalog_file") else MAX_MESSAGE)
        if safe is not text:
            object.__setattr__(record, name, safe)


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: str
    #: Effective enforcement after the pack config and any waiver.
    enforcement: Level
    message: str
    scope: str
    file: str
    line: int
    column: int
    #: Secret or service id (what waivers target), or "environments/<env>".
    target: str | None = None
    catalog_path: tuple[str, ...] | None = None
    resource_urn: str | None = None
    resource_type: str | None = None
    resource_name: str | None = None
    waiver: WaiverRef | None = None
    #: Against a baseline (`check --baseline`/`--base`): "new" or "unchanged"; None without.
    baseline: Literal["new", "unchanged"] | None = None

    def __post_init__(self) -> None:
        _sanitise(self, ("message", "file", "target", "resource_name", "resource_urn"))

    @property
    def waived(self) -> bool:
        return self.waiver is not None

    @property
    def subject(self) -> str:
        return self.resource_name or self.target or self.scope

    def to_json(self) -> dict[str, Any]:
        out = {
            "ruleId": self.rule_id,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "waived": self.waived,
            "message": self.message,
            "scope": self.scope,
            "location": {"file": self.file, "line": self.line, "column": self.column},
            "catalogPath": list(self.catalog_path) if self.catalog_path else None,
            "target": self.target,
            "resource": {
                "urn": self.resource_urn,
                "type": self.resource_type,
                "name": self.resource_name,
            }
            if self.resource_urn
            else None,
            "waiver": {
                "reason": self.waiver.reason,
                "approvedBy": self.waiver.approved_by,
                "expires": self.waiver.expires,
                "target": self.waiver.target,
            }
            if self.waiver
            else None,
        }
        if self.baseline is not None:
            out["baselineState"] = self.baseline
        return out


class Evaluation(NamedTuple):
    """One rule applied to one subject (a resource, or the catalog/stack as a whole); a
    tuple because a large stack records hundreds of thousands of them."""

    rule_id: str
    subject: str
    outcome: Outcome


@dataclass
class CheckResult:
    stack: str
    catalog_file: str
    pack: str
    findings: list[Finding] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    resources: int = 0
    #: Problems that are not rule findings, located in the file they concern: why the
    #: check stopped before any rule ran (an invalid or unreadable catalog, a stack file
    #: that disagrees with it, a broken pack config), and warnings about waivers.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Why no rule ran ("the catalog is invalid"), or None when the rules ran.
    stopped: str | None = None
    #: The rules this check ran (enabled in the pack), in registry order.
    rules_run: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _sanitise(self, ("catalog_file",))

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.enforcement == "mandatory"]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity != "error"]

    @property
    def failed(self) -> bool:
        """The check stopped, or a mandatory finding (unless a baseline already had it) or
        an error diagnostic fails it."""
        return (
            self.stopped is not None
            or any(f.baseline != "unchanged" for f in self.mandatory)
            or bool(self.errors)
        )

    def counts_by_severity(self) -> Counter[str]:
        return Counter(f.severity for f in self.findings if not f.waived)
