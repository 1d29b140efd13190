"""Policies on KV v2 mounts name data/ or metadata/ paths."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import StackValidationArgs

from seccat.policies.framework import Rule, StackViolation
from seccat.policies.props import get
from seccat.policies.rules._types import VAULT_MOUNT, VAULT_POLICY
from seccat.policies.stack import known, of_type
from seccat.policies.vault_hcl import parse_policy

KV_V2_SEGMENTS = ("data", "metadata")


def _kv_v2_mounts(resources: list[Any]) -> set[str]:
    mounts: set[str] = set()
    for mount in of_type(resources, VAULT_MOUNT):
        kind = known(lambda m=mount: get(m.props, "type"))
        version = known(lambda m=mount: get(m.props, "options", "version"))
        path = known(lambda m=mount: get(m.props, "path"))
        if isinstance(path, str) and (kind == "kv-v2" or (kind == "kv" and str(version) == "2")):
            mounts.add(path.strip("/"))
    return mounts


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    resources = args.resources
    mounts = _kv_v2_mounts(resources)
    if not mounts:
        return
    for policy in of_type(resources, VAULT_POLICY):
        text = known(lambda p=policy: get(p.props, "policy"))
        if not isinstance(text, str):
            continue
        try:
            rules = parse_policy(text)
        except ValueError:
            continue  # SECCAT-VLT-004 reports it
        for rule in rules:
            parts = rule.path.strip("/").split("/")
            if parts[0] in mounts and (len(parts) < 2 or parts[1] not in KV_V2_SEGMENTS):
                yield StackViolation(
                    f'path "{rule.path}" on KV v2 mount {parts[0]!r} lacks data/ or metadata/, '
                    "so it matches nothing (or only an API endpoint it was not meant for)",
                    policy.urn,
                )


RULE = Rule(
    id="SECCAT-VLT-006",
    title="KV v2 policy paths include data/ or metadata/",
    description=(
        "On a KV v2 mount, values live under <mount>/data/ and versions under "
        "<mount>/metadata/; a policy path without them grants nothing useful and usually "
        "hides a mistake (KV v2 API docs; pulumi facts: KV v2 ACL paths need data/ and "
        "metadata/ prefixes)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="stack",
    resource_types=(VAULT_MOUNT, VAULT_POLICY),
    controls=(),
    remediation="Write <mount>/data/<id> for values and <mount>/metadata/<id> for metadata.",
    check=check,
)
