"""Protected environments require check-and-set on KV writes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import VAULT_KV_V2


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    protected = bool(args.opts.protect) if args.opts is not None else False
    if protected and get(args.props, "casRequired") is not True:
        yield "casRequired is not true on a KV mount in a protected environment"


RULE = Rule(
    id="SECCAT-VLT-003",
    title="KV v2 requires check-and-set where data is protected",
    description=(
        "In protected environments (resources with the protect option) the KV v2 mount sets "
        "cas_required, so a concurrent or stale writer cannot silently overwrite a rotated "
        "value (KV v2 API docs: cas_required defaults to false; issue 4)."
    ),
    severity="medium",
    enforcement="mandatory",
    scope="resource",
    resource_types=(VAULT_KV_V2,),
    controls=(),
    remediation="Set cas_required=True on vault.kv.SecretBackendV2 in protected environments.",
    check=check,
)
