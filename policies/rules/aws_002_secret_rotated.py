"""Every Secrets Manager secret has a rotation, or is owner-rotated under watch."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource, StackValidationArgs

from seccat.documents.renewal import METRIC, NAMESPACE
from seccat.policies.framework import Rule, StackViolation
from seccat.policies.props import get, number, plain, tags
from seccat.policies.rules._types import METRIC_ALARM, SCHEDULE, SECRET, SECRET_ROTATION
from seccat.policies.stack import known, name_of, of_type, rotations_by_secret

ROTATION_TAG = "seccat:rotation"


def _scheduled_checks(resources: list[PolicyResource]) -> set[str]:
    """Secret names a schedule runs a renewal check for (its input names the secret)."""
    out: set[str] = set()
    for schedule in of_type(resources, SCHEDULE):
        # Read field by field: the target function's ARN is unknown during a first preview,
        # the input (generated from the catalog) never is.
        if known(lambda s=schedule: get(s.props, "state")) == "DISABLED":
            continue
        arn = known(lambda s=schedule: get(s.props, "target", "arn"))
        if isinstance(arn, str) and ":function:" not in arn:
            continue
        raw = known(lambda s=schedule: get(s.props, "target", "input"))
        try:
            event = json.loads(raw) if isinstance(raw, str) else None
        except (TypeError, ValueError):
            continue
        if isinstance(event, Mapping) and isinstance(event.get("name"), str):
            out.add(event["name"])
    return out


def _renewal_alarms(resources: list[PolicyResource]) -> dict[str, set[str]]:
    """Secret name -> the kinds of notifying renewal alarms on it ("due", "overdue")."""
    out: dict[str, set[str]] = {}
    for alarm in of_type(resources, METRIC_ALARM):
        p = alarm.props
        ok = known(
            lambda p=p: (
                get(p, "namespace") == NAMESPACE
                and get(p, "metricName") == METRIC
                and bool(get(p, "alarmActions"))
                and get(p, "actionsEnabled") is not False
            )
        )
        dims = known(lambda p=p: plain(get(p, "dimensions")))
        if not ok or not isinstance(dims, Mapping):
            continue
        name = f"{dims.get('Environment')}/{dims.get('Secret')}"
        threshold = number(known(lambda p=p: get(p, "threshold")))
        operator = known(lambda p=p: get(p, "comparisonOperator"))
        missing = known(lambda p=p: get(p, "treatMissingData"))
        if threshold is None:
            continue
        if operator in ("LessThanThreshold", "LessThanOrEqualToThreshold"):
            if threshold <= 0 and missing == "breaching":
                out.setdefault(name, set()).add("overdue")
            elif threshold > 0:
                out.setdefault(name, set()).add("due")
    return out


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    resources = args.resources
    rotations = rotations_by_secret(resources)
    checks: set[str] | None = None
    alarms: dict[str, set[str]] | None = None
    for secret in of_type(resources, SECRET):
        rotation = rotations.get(secret.urn)
        name = name_of(secret)
        if rotation is not None:
            if known(lambda r=rotation: get(r.props, "rotationEnabled")) is False:
                yield StackViolation(
                    f"rotation of secret {name!r} is disabled (rotationEnabled: false)",
                    rotation.urn,
                )
            continue
        if known(lambda s=secret: tags(s.props).get(ROTATION_TAG)) != "owner":
            yield StackViolation(f"secret {name!r} has no SecretRotation", secret.urn)
            continue
        if checks is None:
            checks, alarms = _scheduled_checks(resources), _renewal_alarms(resources)
        assert alarms is not None
        missing = []
        if name not in checks:
            missing.append("no schedule runs its renewal check")
        kinds = alarms.get(name, set())
        if "due" not in kinds:
            missing.append(f"no reminder alarm on {NAMESPACE} {METRIC}")
        if "overdue" not in kinds:
            missing.append(
                f"no overdue alarm on {NAMESPACE} {METRIC} (threshold 0, missing data breaching)"
            )
        if missing:
            yield StackViolation(
                f"owner-rotated secret {name!r} has no rotation function and is not watched: "
                + "; ".join(missing),
                secret.urn,
            )


RULE = Rule(
    id="SECCAT-AWS-002",
    title="Every secret has a rotation, or an owner renewal under watch",
    description=(
        "Each aws.secretsmanager.Secret must have an enabled SecretRotation (AWS Config "
        "secretsmanager-rotation-enabled-check / Security Hub SecretsManager.1; Checkov "
        "CKV2_AWS_57). A secret its owner renews (tag seccat:rotation=owner: certificates and "
        "generic values such as a vendor's API key) passes without a rotation when its detective "
        "controls exist: a schedule running the renewal check for it, and notifying "
        "CloudWatch alarms on seccat/Renewal DaysUntilDue that remind before and page after "
        "the due date (treating missing data as breaching), so an overdue renewal is "
        "detected (PCI DSS 4.0.1 8.6.3: authentication factors changed periodically)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="stack",
    resource_types=(SECRET, SECRET_ROTATION, SCHEDULE, METRIC_ALARM),
    controls=(
        "pci-dss-4.0.1:8.6.3",
        "pci-dss-4.0.1:8.3.9",
        "nist-800-53-r5:AC-2(1)",
        "nist-800-53-r5:AC-3(15)",
        "soc2:CC6.1",
        "soc2:CC6.2",
    ),
    remediation=(
        "Give the secret a rotation in the catalog; seccat then creates the SecretRotation "
        "with its rotation function. A value someone else issues (a certificate, a vendor's "
        "API key) takes rotation.by: owner, and seccat creates its renewal check, reminder and "
        "overdue alarm; keep them."
    ),
    check=check,
)
