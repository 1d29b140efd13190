"""KV keeps enough versions to roll back."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number
from seccat.policies.rules._types import VAULT_ENDPOINT, VAULT_KV_V2


def _judge(value: Any, minimum: float, what: str) -> Iterator[str]:
    versions = number(value)
    if value is None or versions == 0:
        return  # 0 or unset: Vault keeps 10 (mount) or the mount's setting (key)
    if versions is None:
        yield f"{what} {value!r} is not a number"
    elif versions < minimum:
        yield f"{what} is {versions:g}, below {minimum:g}: too few versions to roll back"


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    minimum = float(config["minVersions"])
    if args.resource_type == VAULT_KV_V2:
        yield from _judge(get(args.props, "maxVersions"), minimum, "maxVersions")
        return
    path = get(args.props, "path")
    if not isinstance(path, str) or "/metadata/" not in path:
        return
    raw = get(args.props, "dataJson")
    if not isinstance(raw, str) or raw == "[secret]":
        return  # a redacted offline preview; CrossGuard passes the real document
    try:
        data = json.loads(raw)
    except ValueError:
        yield "dataJson is not valid JSON"
        return
    if isinstance(data, Mapping):
        yield from _judge(data.get("max_versions"), minimum, "metadata max_versions")


RULE = Rule(
    id="SECCAT-VLT-002",
    title="KV v2 keeps at least 10 versions",
    description=(
        "The KV v2 mount config (max_versions, 0 meaning Vault's default of 10) and each "
        "key's metadata must keep at least 10 versions so a bad rotation can always be "
        "rolled back (KV v2 API docs; issue 4)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(VAULT_KV_V2, VAULT_ENDPOINT),
    controls=(),
    remediation="Set max_versions to 10 or more (or 0 for Vault's default of 10).",
    check=check,
    config_schema={"minVersions": {"type": "integer", "minimum": 1, "default": 10}},
)
