"""Rotation happens at least as often as the secret's classification requires."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import StackValidationArgs

from seccat.policies.framework import Rule, StackViolation
from seccat.policies.props import get, number
from seccat.policies.rules._types import SECRET, SECRET_ROTATION
from seccat.policies.schedules import longest_gap_days
from seccat.policies.stack import (
    classification,
    known,
    name_of,
    of_type,
    pci_scope,
    rotations_by_secret,
)
from seccat.policies.thresholds import ROTATION_CONFIG_SCHEMA, max_rotation_days


def interval_days(rules: Any) -> float | None:
    """Longest time between rotations the rules allow; None where unknown."""
    if not isinstance(rules, Mapping):
        return None
    days = number(get(rules, "automaticallyAfterDays"))
    if days is not None:
        return days
    expression = get(rules, "scheduleExpression")
    if isinstance(expression, str) and expression:
        return longest_gap_days(expression)
    return None


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    resources = args.resources
    rotations = rotations_by_secret(resources)
    for secret in of_type(resources, SECRET):
        rotation = rotations.get(secret.urn)
        if rotation is None:
            continue  # SECCAT-AWS-002 reports it
        rules = known(lambda r=rotation: get(r.props, "rotationRules"))
        if rules is None:
            continue
        try:
            days = known(lambda r=rules: interval_days(r))
        except ValueError as exc:
            yield StackViolation(f"rotation schedule does not parse: {exc}", rotation.urn)
            continue
        if days is None:
            yield StackViolation("rotationRules set no interval", rotation.urn)
            continue
        label = classification(secret)
        pci = pci_scope(secret)
        limit = max_rotation_days(dict(config), label, pci)
        if days > limit:
            scope = f"{label}{', PCI scope' if pci else ''}"
            yield StackViolation(
                f"secret {name_of(secret)!r} may go {days:g} days between rotations; "
                f"the limit for {scope} is {limit:g} days",
                rotation.urn,
            )


RULE = Rule(
    id="SECCAT-AWS-003",
    title="Rotation interval within the classification's maximum",
    description=(
        "The longest gap a rotation schedule allows (automaticallyAfterDays, rate(), or the "
        "longest gap between two firings of a cron()) must not exceed the maximum for the "
        "secret's classification: restricted 30 d, confidential 90 d, internal 180 d "
        "(seccat defaults), and 90 d for PCI scope (Security Hub SecretsManager.1 "
        "maximumAllowedRotationFrequency and SecretsManager.4's 90-day default; PCI DSS "
        "4.0.1 8.3.9, 8.6.3). Unlike Checkov CKV_AWS_304, cron() schedules are evaluated."
    ),
    severity="high",
    enforcement="mandatory",
    scope="stack",
    resource_types=(SECRET, SECRET_ROTATION),
    controls=(
        "pci-dss-4.0.1:8.6.3",
        "pci-dss-4.0.1:8.3.9",
        "nist-800-53-r5:AC-2(1)",
        "nist-800-53-r5:AC-3(15)",
        "soc2:CC6.1",
    ),
    remediation=(
        "Shorten the catalog rotation (every: or schedule:) to the classification's maximum."
    ),
    check=check,
    config_schema=ROTATION_CONFIG_SCHEMA,
)
