"""Vault auth roles are bound to principals and issue short-lived tokens."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get, number, strings
from seccat.policies.rules._types import VAULT_AWS_AUTH_ROLE, VAULT_K8S_AUTH_ROLE


def _bound(args: ResourceValidationArgs, prop: str, what: str) -> Iterator[str]:
    values = strings(get(args.props, prop))
    if not values:
        yield f"{prop} is empty: any {what} could log in"
    elif any(v.strip() == "*" for v in values):
        yield f"{prop} contains '*': any {what} could log in"


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    if args.resource_type == VAULT_AWS_AUTH_ROLE:
        if (get(args.props, "authType") or "iam") == "iam":
            yield from _bound(args, "boundIamPrincipalArns", "IAM principal")
        else:
            yield from _bound(args, "boundAmiIds", "instance")
    else:
        yield from _bound(args, "boundServiceAccountNames", "service account")
        yield from _bound(args, "boundServiceAccountNamespaces", "namespace")
    for prop, key in (("tokenTtl", "maxTokenTtlSeconds"), ("tokenMaxTtl", "maxTokenMaxTtlSeconds")):
        limit = float(config[key])
        value = number(get(args.props, prop))
        if not value:
            yield f"{prop} is not set, so tokens get the system default (768h)"
        elif value > limit:
            yield f"{prop} is {value:g}s, above {limit:g}s"


RULE = Rule(
    id="SECCAT-VLT-007",
    title="Auth roles have bound principals and short token TTLs",
    description=(
        "Vault AWS (IAM) auth roles bind bound_iam_principal_arns and Kubernetes auth roles "
        "bind service-account names and namespaces, never empty or '*'; token_ttl is at most "
        "1 h and token_max_ttl at most 24 h (vault-guides "
        "sentinel/restrict-ttls-of-auth-methods.sentinel, MAX_TTL 3600; an unset TTL falls "
        "back to the 768 h system default; issue 4)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(VAULT_AWS_AUTH_ROLE, VAULT_K8S_AUTH_ROLE),
    controls=(),
    remediation="Bind the service's IAM role ARN / service account; set token_ttl<=3600.",
    check=check,
    config_schema={
        "maxTokenTtlSeconds": {"type": "integer", "minimum": 60, "default": 3600},
        "maxTokenMaxTtlSeconds": {"type": "integer", "minimum": 60, "default": 86400},
    },
)
