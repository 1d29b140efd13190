"""Every taggable seccat resource carries the ownership tags."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import (
    IAM_ROLE,
    KMS_KEY,
    LAMBDA_FUNCTION,
    LOG_GROUP,
    SECRET,
    SNS_TOPIC,
)

REQUIRED = [
    "seccat:catalog-id",
    "seccat:owner",
    "seccat:classification",
    "seccat:environment",
    "seccat:managed-by",
]


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    present = get(args.props, "tags")
    if not isinstance(present, Mapping):
        present = {}
    missing = [t for t in config["requiredTags"] if not present.get(t)]
    if missing:
        yield f"missing required tags: {', '.join(missing)}"


RULE = Rule(
    id="SECCAT-AWS-006",
    title="Required ownership tags are present",
    description=(
        "Secrets, keys, topics, functions, roles and log groups carry the seccat tags "
        "(catalog id, owner, classification, environment, managed-by) so ownership and "
        "classification are visible to cost, inventory and compliance tooling (issue 2)."
    ),
    severity="low",
    enforcement="mandatory",
    scope="resource",
    resource_types=(SECRET, KMS_KEY, SNS_TOPIC, LAMBDA_FUNCTION, IAM_ROLE, LOG_GROUP),
    controls=(),
    remediation="Pass components.tagging.tags(...) as the resource's tags.",
    check=check,
    config_schema={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string"},
            "default": REQUIRED,
        }
    },
)
