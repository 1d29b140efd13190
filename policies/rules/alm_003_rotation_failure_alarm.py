"""Every rotated secret has a path from a failed rotation to a human."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs

from seccat.policies.framework import Rule, StackViolation
from seccat.policies.props import get, plain, strings
from seccat.policies.rules._types import (
    EVENT_RULE,
    EVENT_TARGET,
    LAMBDA_FUNCTION,
    METRIC_ALARM,
    SECRET,
    SECRET_ROTATION,
)
from seccat.policies.stack import known, name_of, of_type, parent_urn, rotations_by_secret


def _secret_name_prefixes(detail: Mapping[str, Any]) -> list[str] | None:
    """Secret-name prefixes a pattern restricts itself to (from SecretId ARN prefixes), or
    None when it matches every secret."""
    extra = detail.get("additionalEventData")
    ids = extra.get("SecretId") if isinstance(extra, Mapping) else None
    if not ids:
        return None
    prefixes: list[str] = []
    for item in ids if isinstance(ids, list) else [ids]:
        value = item.get("prefix") if isinstance(item, Mapping) else item
        if not isinstance(value, str):
            return None  # a matcher seccat does not model: assume it covers
        prefixes.append(value.split(":secret:", 1)[1] if ":secret:" in value else "")
    return prefixes


def _rotation_failure_scope(rule: PolicyResource) -> list[str] | bool | None:
    """False if the rule does not catch rotation failures; else the secret-name prefixes it
    covers (None: all secrets)."""
    raw = known(lambda: get(rule.props, "eventPattern"))
    try:
        pattern = json.loads(raw) if isinstance(raw, str) else plain(raw)
    except ValueError:
        return False
    if not isinstance(pattern, Mapping) or "aws.secretsmanager" not in strings(
        pattern.get("source")
    ):
        return False
    detail = pattern.get("detail")
    if not isinstance(detail, Mapping):
        return None
    names = strings(detail.get("eventName"))
    if names and "RotationFailed" not in names:
        return False
    return _secret_name_prefixes(detail)


def _notified_prefixes(resources: list[PolicyResource]) -> list[str] | bool | None:
    """Secret-name prefixes covered by a rotation-failure rule that targets an SNS topic:
    None for all secrets, False for none."""
    scopes: dict[str, list[str] | None] = {}
    parents: dict[str | None, list[str] | None] = {}
    for r in of_type(resources, EVENT_RULE):
        scope = _rotation_failure_scope(r)
        if scope is not False:
            scopes[name_of(r)] = scope  # type: ignore[assignment]
            parents[parent_urn(r)] = scope  # type: ignore[assignment]
    covered: list[str] = []
    found = False
    for target in of_type(resources, EVENT_TARGET):
        arn = known(lambda t=target: get(t.props, "arn"))
        if not (isinstance(arn, str) and arn.startswith("arn:aws:sns:")):
            continue
        rule_ref = known(lambda t=target: get(t.props, "rule"))
        if rule_ref in scopes:
            scope = scopes[rule_ref]
        elif rule_ref is None and parent_urn(target) in parents:
            scope = parents[parent_urn(target)]
        else:
            continue
        if scope is None:
            return None
        found = True
        covered += scope
    return covered if found else False


def _alarmed_functions(resources: list[PolicyResource]) -> set[str]:
    """Function names with an Errors alarm that notifies."""
    out: set[str] = set()
    for alarm in of_type(resources, METRIC_ALARM):
        props = alarm.props
        ok = known(
            lambda p=props: (
                get(p, "namespace") == "AWS/Lambda"
                and get(p, "metricName") == "Errors"
                and bool(get(p, "alarmActions"))
                and get(p, "actionsEnabled") is not False
            )
        )
        name = known(lambda p=props: get(p, "dimensions", "FunctionName"))
        if ok and isinstance(name, str):
            out.add(name)
    return out


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    resources = args.resources
    rotations = rotations_by_secret(resources)
    if not rotations:
        return
    notified = _notified_prefixes(resources)
    alarmed = _alarmed_functions(resources)
    functions = {
        known(lambda f=f: get(f.props, "name")) or f.name
        for f in of_type(resources, LAMBDA_FUNCTION)
    }
    for secret in of_type(resources, SECRET):
        rotation = rotations.get(secret.urn)
        if rotation is None:
            continue
        missing: list[str] = []
        name = name_of(secret)
        if notified is False or (
            notified is not None and not any(name.startswith(p) for p in notified)
        ):
            missing.append(
                "no EventBridge rule for Secrets Manager RotationFailed events on this "
                "secret targets an SNS topic"
            )
        arn = known(lambda r=rotation: get(r.props, "rotationLambdaArn"))
        if isinstance(arn, str) and ":function:" in arn:
            function = arn.split(":function:", 1)[1].split(":", 1)[0]
            if function not in alarmed:
                where = "" if function in functions else " (function not in this stack)"
                missing.append(f"rotation function {function}{where} has no Errors alarm")
        if missing:
            yield StackViolation(
                f"rotated secret {name_of(secret)!r} has no failure alarm path: "
                + "; ".join(missing),
                secret.urn,
            )


RULE = Rule(
    id="SECCAT-ALM-003",
    title="Every rotated secret is covered by a failure alarm path",
    description=(
        "For every secret with a SecretRotation, a failed rotation must reach a human: an "
        "EventBridge rule matching Secrets Manager RotationFailed events (CloudTrail, "
        "retrieve-ct-entries) that targets an SNS topic, and an AWS/Lambda Errors alarm with "
        "actions on its rotation function (Security Hub SecretsManager.2: rotation must "
        "succeed; SOC 2 CC6.1 via Steampipe; PCI DSS 4.0.1 8.6.3 via Prowler; NIST AC-2(1))."
    ),
    severity="high",
    enforcement="mandatory",
    scope="stack",
    resource_types=(SECRET, SECRET_ROTATION, EVENT_RULE, EVENT_TARGET, METRIC_ALARM),
    controls=("pci-dss-4.0.1:8.6.3", "nist-800-53-r5:AC-2(1)", "soc2:CC6.1"),
    remediation=(
        "Keep the environment's rotation-failure EventBridge rule and the per-function "
        "Errors alarms that seccat's AWS components create."
    ),
    check=check,
)
