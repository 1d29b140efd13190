"""KV mounts are version 2."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import VAULT_MOUNT


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    kind = get(args.props, "type")
    if kind in ("kv-v2",):
        return
    if kind == "generic":
        yield "type 'generic' is KV version 1: no versions to roll back to"
    elif kind == "kv":
        version = get(args.props, "options", "version")
        if str(version) != "2":
            yield "KV mount without options.version = '2' is KV version 1: no history, no CAS"


RULE = Rule(
    id="SECCAT-VLT-001",
    title="KV mounts are version 2",
    description=(
        "Every KV mount is KV version 2 (type kv-v2, or kv with options.version '2'), which "
        "keeps versions for rollback and supports check-and-set (HashiCorp vault-guides "
        "sentinel/prevent-kv-v1-engines.sentinel; KV v2 API docs)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(VAULT_MOUNT,),
    controls=(),
    remediation='Mount KV with type="kv" and options={"version": "2"} (or type="kv-v2").',
    check=check,
)
