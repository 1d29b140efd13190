"""What a seccat rule is, and how one rule becomes a CrossGuard policy.

A rule's logic is a plain function over pulumi_policy's own argument types, so the pack
(under the Pulumi CLI) and `seccat check` (over the offline engine) run the very same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from seccat.catalog.model import Catalog, Path

SeverityName = Literal["low", "medium", "high", "critical"]
Enforcement = Literal["advisory", "mandatory", "disabled"]
Scope = Literal["catalog", "resource", "stack"]

#: Where rule documentation lives; SARIF and the pack link each rule's section there.
DOCS_URL = "https://github.com/seccat/seccat/blob/main/docs/policies.md"

SEVERITY_ORDER: Mapping[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}


@dataclass(frozen=True)
class CatalogViolation:
    """A catalog rule's finding: the catalog path it points at and the id a waiver targets."""

    message: str
    path: Path
    target: str


@dataclass(frozen=True)
class StackViolation:
    message: str
    urn: str | None = None


ResourceCheck = Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[StackValidationArgs, Mapping[str, Any]], Iterable[StackViolation]]


@dataclass(frozen=True)
class CatalogContext:
    """What a catalog rule sees besides the model: the environment being checked and, in
    `seccat check`, the offline engine's resources for it (catalog rules that compare the
    catalog's intent with what gets deployed read them)."""

    environment: str | None = None
    resources: tuple[Any, ...] = ()
    #: ISO date the check runs on (waiver expiry, sunsets); fixed in tests.
    today: str = ""
    #: The Pulumi stack whose ``resources`` these are: the environment's name for a single
    #: or platform stack, ``<env>.<team>[.<shard>]`` for a team stack of a split environment.
    stack: str = ""

    @property
    def team_stack(self) -> bool:
        """A team stack holds a part only: what the platform stack deploys for the whole
        environment (shared functions, their alarms and logins) is judged there."""
        return bool(self.stack) and self.stack != self.environment


CatalogCheck = Callable[[Catalog, Mapping[str, Any], CatalogContext], Iterable[CatalogViolation]]


@dataclass(frozen=True)
class Rule:
    """One rule: its metadata sits next to its logic in its own module under policies/rules."""

    id: str
    title: str
    #: Says what is checked and cites where each threshold comes from.
    description: str
    severity: SeverityName
    enforcement: Enforcement
    scope: Scope
    controls: tuple[str, ...]
    remediation: str
    check: Callable[..., Iterable[Any]]
    #: Resource types a resource rule looks at (stack rules: the types they read).
    resource_types: tuple[str, ...] = ()
    #: JSON-schema ``properties`` of the rule's config; each carries its ``default``.
    config_schema: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.id.lower()}"

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config_schema.items() if "default" in v}

    def config(self, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults overlaid with the given config: the SDK passes ``{}`` when the CLI has no
        config, so defaults must come from here, not from the engine."""
        merged = self.defaults()
        for key, value in (given or {}).items():
            if key in self.config_schema:
                merged[key] = value
        return merged

    def frameworks(self) -> set[str]:
        return {tag.split(":", 1)[0] for tag in self.controls}


def run_resource_rule(
    rule: Rule, args: ResourceValidationArgs, config: Mapping[str, Any]
) -> list[str] | None:
    """Violations of one resource rule, or None when it does not apply (an unknown value
    during preview means "not applicable", as the engine treats it, never a crash)."""
    if rule.resource_types and args.resource_type not in rule.resource_types:
        return None
    try:
        return list(rule.check(args, config))
    except UnknownValueError:
        return None


def run_stack_rule(
    rule: Rule, args: StackValidationArgs, config: Mapping[str, Any]
) -> list[StackViolation] | None:
    try:
        return list(rule.check(args, config))
    except UnknownValueError:
        return None


_SEVERITY = {
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}
_ENFORCEMENT = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}


def to_policy(rule: Rule) -> ResourceValidationPolicy | StackValidationPolicy:
    """The CrossGuard policy for a resource or stack rule."""
    common: dict[str, Any] = {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": _ENFORCEMENT[rule.enforcement],
        "config_schema": PolicyConfigSchema(dict(rule.config_schema))
        if rule.config_schema
        else None,
        "display_name": rule.title,
        "severity": _SEVERITY[rule.severity],
        "tags": list(rule.controls),
        "remediation_steps": rule.remediation,
        "url": rule.help_uri,
    }
    if rule.scope == "resource":

        def validate_resource(args: ResourceValidationArgs, report: Any) -> None:
            found = run_resource_rule(rule, args, rule.config(args.get_config()))
            if found is None:
                if not rule.resource_types or args.resource_type in rule.resource_types:
                    args.not_applicable("a value it needs is unknown until the update runs")
                return
            for message in found:
                report(message, None)

        return ResourceValidationPolicy(validate=validate_resource, **common)
    if rule.scope == "stack":

        def validate_stack(args: StackValidationArgs, report: Any) -> None:
            found = run_stack_rule(rule, args, rule.config(args.get_config()))
            if found is None:
                args.not_applicable("a value it needs is unknown until the update runs")
                return
            for violation in found:
                report(violation.message, violation.urn)

        return StackValidationPolicy(validate=validate_stack, **common)
    raise ValueError(f"{rule.id} is a catalog rule: it runs in `seccat check`, not the pack")
