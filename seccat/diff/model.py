"""What `seccat diff` found, independent of any output format (docs/diff-json.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from seccat.access.model import Principal, TrustEdge
from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.baseline import BaselineEntry, Comparison, of_finding
from seccat.checking.findings import Finding
from seccat.diff.approvals import Approval

DIFF_SCHEMA_VERSION = 1

#: What can make `seccat diff` exit 1 (``--fail-on``).
FAIL_ON = ("new-findings", "unapproved-access", "unretired-removal")
DEFAULT_FAIL_ON = ("new-findings", "unapproved-access")


@dataclass(frozen=True)
class Location:
    """A catalog position: in the head file when the thing exists there, else in the base."""

    file: str
    line: int
    column: int
    side: Literal["head", "base"] = "head"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "side": self.side}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class SecretChange:
    secret: str
    kind: Literal["added", "removed", "changed"]
    location: Location
    classification: str
    lifecycle: str
    changes: tuple[FieldChange, ...] = ()
    #: Removed from a protected environment without first being ``lifecycle: retired``.
    unretired_removal: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "secret": self.secret,
            "classification": self.classification,
            "lifecycle": self.lifecycle,
            "location": self.location.to_json(),
        }
        if self.kind == "changed":
            out["changes"] = [c.to_json() for c in self.changes]
        if self.kind == "removed":
            out["unretiredRemoval"] = self.unretired_removal
        return out


@dataclass(frozen=True)
class RotationChange:
    secret: str
    before: str
    after: str
    #: Longest time a value may live, in seconds; None when it never rotates.
    before_seconds: float | None
    after_seconds: float | None
    location: Location

    @property
    def direction(self) -> Literal["longer", "shorter", "same"]:
        before = float("inf") if self.before_seconds is None else self.before_seconds
        after = float("inf") if self.after_seconds is None else self.after_seconds
        return "longer" if after > before else "shorter" if after < before else "same"

    def to_json(self) -> dict[str, Any]:
        return {
            "secret": self.secret,
            "before": self.before,
            "after": self.after,
            "beforeSeconds": self.before_seconds,
            "afterSeconds": self.after_seconds,
            "direction": self.direction,
            "location": self.location.to_json(),
        }


@dataclass(frozen=True)
class ClassificationChange:
    secret: str
    before: str
    after: str
    direction: Literal["raised", "lowered"]
    location: Location

    def to_json(self) -> dict[str, Any]:
        return {
            "secret": self.secret,
            "before": self.before,
            "after": self.after,
            "direction": self.direction,
            "location": self.location.to_json(),
        }


@dataclass(frozen=True)
class ComplianceChange:
    secret: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    location: Location

    def to_json(self) -> dict[str, Any]:
        return {
            "secret": self.secret,
            "added": list(self.added),
            "removed": list(self.removed),
            "location": self.location.to_json(),
        }


@dataclass(frozen=True)
class AccessChange:
    """Actions a principal gains (``granted``) or loses (``revoked``) on one secret."""

    principal: Principal
    secret: str
    store: str
    actions: frozenset[str]
    #: Every action the principal holds after the change (empty: no access left).
    after: frozenset[str]
    classification: str
    location: Location
    #: The grant adds a value-reading action to a secret whose classification needs approval.
    needs_approval: bool = False
    approval: Approval | None = None

    @property
    def unapproved(self) -> bool:
        return self.needs_approval and self.approval is None

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.to_json(),
            "secret": self.secret,
            "store": self.store,
            "actions": sorted(self.actions),
            "actionsAfter": sorted(self.after),
            "classification": self.classification,
            "needsApproval": self.needs_approval,
            "approval": {"approval": self.approval.text, "source": self.approval.source}
            if self.approval
            else None,
            "location": self.location.to_json(),
        }


@dataclass
class StackDiff:
    stack: str
    in_base: bool
    in_head: bool
    protected: bool
    added: list[SecretChange] = field(default_factory=list)
    removed: list[SecretChange] = field(default_factory=list)
    changed: list[SecretChange] = field(default_factory=list)
    rotation: list[RotationChange] = field(default_factory=list)
    classification: list[ClassificationChange] = field(default_factory=list)
    compliance: list[ComplianceChange] = field(default_factory=list)
    granted: list[AccessChange] = field(default_factory=list)
    revoked: list[AccessChange] = field(default_factory=list)
    trust_granted: list[TrustEdge] = field(default_factory=list)
    trust_revoked: list[TrustEdge] = field(default_factory=list)
    findings: Comparison = field(default_factory=Comparison)
    #: Why a side could not be previewed (the program refused it), if it could not.
    errors: list[str] = field(default_factory=list)

    @property
    def unretired_removals(self) -> list[SecretChange]:
        return [s for s in self.removed if s.unretired_removal]

    @property
    def unapproved(self) -> list[AccessChange]:
        return [a for a in self.granted if a.unapproved]

    def has_changes(self) -> bool:
        return any(
            (
                self.added,
                self.removed,
                self.changed,
                self.granted,
                self.revoked,
                self.trust_granted,
                self.trust_revoked,
                self.findings.new,
                self.findings.fixed,
            )
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "inBase": self.in_base,
            "inHead": self.in_head,
            "protected": self.protected,
            "errors": list(self.errors),
            "secrets": {
                "added": [s.to_json() for s in self.added],
                "removed": [s.to_json() for s in self.removed],
                "changed": [s.to_json() for s in self.changed],
            },
            "rotation": [r.to_json() for r in self.rotation],
            "classification": [c.to_json() for c in self.classification],
            "compliance": [c.to_json() for c in self.compliance],
            "access": {
                "granted": [a.to_json() for a in self.granted],
                "revoked": [a.to_json() for a in self.revoked],
            },
            "trust": {
                "granted": [t.to_json() for t in self.trust_granted],
                "revoked": [t.to_json() for t in self.trust_revoked],
            },
            "findings": findings_json(self.findings, self.stack),
        }


def findings_json(comparison: Comparison, stack: str) -> dict[str, Any]:
    def finding(f: Finding) -> dict[str, Any]:
        return {"fingerprint": of_finding(f, stack), **f.to_json()}

    def entry(e: BaselineEntry) -> dict[str, Any]:
        return e.to_json()

    return {
        "new": [finding(f) for f in comparison.new],
        "fixed": [entry(e) for e in comparison.fixed],
        "existing": [finding(f) for f in comparison.existing],
    }


@dataclass(frozen=True)
class SideInfo:
    """One side of the comparison as reports show it."""

    label: str
    file: str
    revision: str | None
    commit: str | None
    present: bool
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def valid(self) -> bool:
        return self.present and not any(d.severity == "error" for d in self.diagnostics)

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "file": self.file,
            "revision": self.revision,
            "commit": self.commit,
            "present": self.present,
            "valid": self.valid,
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


@dataclass
class DiffResult:
    base: SideInfo
    head: SideInfo
    pack: str
    stacks: list[StackDiff]
    #: Validation errors of the head, new / fixed / pre-existing against the base's.
    validation: Comparison
    fail_on: tuple[str, ...] = DEFAULT_FAIL_ON
    #: Lowest classification whose new readers need an approval (None: none need one).
    approval_for: str | None = "restricted"
    approvals: tuple[Approval, ...] = ()

    @property
    def new_mandatory(self) -> list[Finding]:
        found = [f for f in self.validation.new if f.enforcement == "mandatory"]
        return found + [f for s in self.stacks for f in s.findings.new_mandatory]

    @property
    def unapproved(self) -> list[AccessChange]:
        return [a for s in self.stacks for a in s.unapproved]

    @property
    def unretired_removals(self) -> list[SecretChange]:
        return [r for s in self.stacks for r in s.unretired_removals]

    def reasons(self) -> list[str]:
        """Why the diff fails, one phrase each, in ``--fail-on`` order; empty: it passes."""
        out: list[str] = []
        if "new-findings" in self.fail_on and (n := len(self.new_mandatory)):
            out.append(f"{n} new mandatory finding{'s' if n != 1 else ''}")
        if "unapproved-access" in self.fail_on and (n := len(self.unapproved)):
            out.append(
                f"{n} unapproved access grant{'s' if n != 1 else ''} to {self.approval_for} secrets"
            )
        if "unretired-removal" in self.fail_on and (n := len(self.unretired_removals)):
            out.append(
                f"{n} secret{'s' if n != 1 else ''} removed from a protected environment "
                "without lifecycle: retired"
            )
        return out

    @property
    def failed(self) -> bool:
        return bool(self.reasons())

    def to_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": DIFF_SCHEMA_VERSION,
            "base": self.base.to_json(),
            "head": self.head.to_json(),
            "pack": self.pack,
            "verdict": {
                "failed": self.failed,
                "reasons": self.reasons(),
                "failOn": list(self.fail_on),
                "approvalFor": self.approval_for,
                "newMandatoryFindings": len(self.new_mandatory),
                "unapprovedAccess": len(self.unapproved),
                "unretiredRemovals": len(self.unretired_removals),
            },
            "approvals": [{"approval": a.text, "source": a.source} for a in self.approvals],
            "validation": findings_json(self.validation, ""),
            "stacks": [s.to_json() for s in self.stacks],
        }
