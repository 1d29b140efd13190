"""Drift findings: one per difference between the live environment and the catalog.

Every finding has a stable ``id`` (``<check>:<environment>/<subject>``: the same drift gives
the same id on every run, so SARIF fingerprints and suppressions hold), the catalog line of
the entry that decides the expected state, what is expected and what is live. Live values
are settings, names and documents, never a secret value: verify never reads one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """One kind of comparison: SARIF's rule, the docs' table row."""

    id: str
    title: str
    remediation: str
    severity: str = "high"


_APPLY = "Run `pulumi up` for the stack to restore the generated state, then find who changed it"

CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check("aws.kms.key", "Environment KMS key missing, disabled or being deleted", _APPLY),
        Check("aws.kms.rotation", "KMS key rotation is not as generated", _APPLY),
        Check("aws.kms.policy", "KMS key policy differs from the generated document", _APPLY),
        Check("aws.secret.missing", "Secret does not exist", _APPLY, "critical"),
        Check(
            "aws.secret.deletion",
            "Secret is scheduled for deletion",
            "Restore it now (`aws secretsmanager restore-secret`), then run `pulumi up`",
            "critical",
        ),
        Check("aws.secret.kms-key", "Secret is not encrypted with the environment's key", _APPLY),
        Check("aws.secret.tags", "Secret tags differ from the generated tags", _APPLY, "medium"),
        Check("aws.secret.replicas", "Secret replicas differ from the catalog", _APPLY),
        Check("aws.secret.rotation", "Rotation is not as generated", _APPLY),
        Check("aws.secret.policy", "Secret resource policy differs from the generated one", _APPLY),
        Check("aws.function.missing", "Rotation function does not exist", _APPLY),
        Check("aws.function.config", "Rotation function settings differ", _APPLY),
        Check(
            "aws.function.code",
            "Rotation function code differs from the packaged files",
            "Find out who changed it (CloudTrail UpdateFunctionCode) and whether a value left "
            "through it; rotate the secrets it served, then run `pulumi up`",
            "critical",
        ),
        Check("aws.role.missing", "seccat role does not exist", _APPLY),
        Check("aws.role.trust", "Role trust policy differs from the generated one", _APPLY),
        Check("aws.role.inline-policy", "Role inline policy differs or is extra", _APPLY),
        Check(
            "aws.role.attached-policy",
            "Managed policy attached to a seccat role",
            "Detach it: seccat roles carry only their generated inline policies",
            "critical",
        ),
        Check("vault.audit", "Audit device missing or changed", _APPLY, "critical"),
        Check("vault.mount", "Secrets engine mount missing or tuned differently", _APPLY),
        Check("vault.kv-config", "KV engine configuration differs", _APPLY),
        Check("vault.kv-metadata", "KV secret metadata differs", _APPLY, "medium"),
        Check("vault.policy", "Vault policy differs, is missing or is extra", _APPLY),
        Check("vault.auth-backend", "Auth method missing or tuned differently", _APPLY),
        Check("vault.auth-role", "Login role bindings or TTLs differ", _APPLY),
        Check("vault.db-connection", "Database connection configuration differs", _APPLY),
        Check("vault.db-static-role", "Database static role differs", _APPLY),
        Check("vault.db-role", "Database dynamic role differs", _APPLY),
        Check(
            "vault.access",
            "A service token's capabilities differ from the catalog matrix",
            "Find the policy that grants or takes the access (sys/policies/acl, identity "
            "groups, the default policy) and restore the generated state",
            "critical",
        ),
    )
}


@dataclass(frozen=True)
class Finding:
    check: str
    environment: str
    #: What differs: a catalog secret id, a role, policy or mount name.
    subject: str
    message: str
    file: str
    line: int
    column: int
    catalog_path: tuple[str, ...]
    expected: Any = None
    live: Any = None
    #: A unified diff of expected and live documents, when they are documents.
    diff: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.check}:{self.environment}/{self.subject}"

    @property
    def severity(self) -> str:
        return CHECKS[self.check].severity

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "severity": self.severity,
            "environment": self.environment,
            "subject": self.subject,
            "message": self.message,
            "location": {"file": self.file, "line": self.line, "column": self.column},
            "catalogPath": list(self.catalog_path),
            "expected": self.expected,
            "live": self.live,
            "diff": list(self.diff),
        }


@dataclass(frozen=True)
class Note:
    """Something verify could not check here, and why (never silently skipped)."""

    environment: str
    message: str


@dataclass
class VerifyResult:
    catalog_file: str
    environments: list[str]
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: Comparisons made, per environment (a zero-finding run must still have compared).
    compared: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return bool(self.findings)

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.environment, f.line, f.column, f.id))
