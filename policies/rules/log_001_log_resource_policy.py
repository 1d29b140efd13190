"""CloudWatch Logs resource policies let AWS services write to named log groups, nothing more."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.iam import statements
from seccat.policies.props import get
from seccat.policies.rules._types import LOG_RESOURCE_POLICY

#: What a delivering service needs: create its stream, put its events.
WRITE_ACTIONS = frozenset({"logs:createlogstream", "logs:putlogevents"})
_LOG_GROUP = "arn:aws:logs:"


def _covers_every_group(resource: str) -> bool:
    """A resource that is not one named log group (with its streams): '*', a wildcard in
    the account, region or group name (``log-group:*``, ``log-group:/aws/events/*``)."""
    if resource == "*" or not resource.startswith(_LOG_GROUP):
        return True
    parts = resource.split(":", 6)
    if len(parts) < 7 or parts[5] != "log-group":
        return True
    head, group = ":".join(parts[:5]), parts[6].removesuffix(":*")
    return "*" in head or "?" in head or "*" in group or "?" in group


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    raw = get(args.props, "policyDocument")
    try:
        doc = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        doc = None
    if not isinstance(doc, Mapping):
        yield "policyDocument is not a JSON policy document"
        return
    for s in statements(doc):
        if not s.allows:
            continue
        principals = s.principals or {}
        if s.not_principal or set(principals) != {"Service"}:
            yield f"{s.label} grants {dict(principals) or 'no principal'}: only AWS services"
        extra = [a for a in s.actions if a.lower() not in WRITE_ACTIONS] + list(s.not_actions)
        if extra:
            yield (
                f"{s.label} allows {', '.join(extra)}: only logs:CreateLogStream and "
                "logs:PutLogEvents"
            )
        wide = [r for r in (*s.resources, *s.not_resources) if _covers_every_group(r)]
        if wide or not s.resources:
            yield f"{s.label} covers {', '.join(wide) or 'no named log group'}: name the log group"


RULE = Rule(
    id="SECCAT-LOG-001",
    title="Log resource policies let services write to named log groups only",
    description=(
        "A CloudWatch Logs resource policy is account-wide: every Allow must name AWS "
        "service principals only, allow only logs:CreateLogStream and logs:PutLogEvents, and "
        "name each log group (its streams ':*' aside), never '*' or a wildcard group such as "
        "the EventBridge user guide's /aws/events/*, so no other writer can add to or "
        "imitate the secret lineage (NIST 800-53 AU-9 protection of audit information, AC-6 "
        "least privilege; PCI DSS 4.0.1 10.3.2 audit logs protected from modification)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(LOG_RESOURCE_POLICY,),
    controls=(
        "nist-800-53-r5:AU-9",
        "nist-800-53-r5:AC-6",
        "pci-dss-4.0.1:10.3.2",
    ),
    remediation=(
        "Keep the lineage log group's resource policy seccat generates: the services that "
        "deliver to it, the two write actions, the one log group."
    ),
    check=check,
)
