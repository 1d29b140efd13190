"""Recorded resources as pulumi_policy's own argument types, wrapped in its
unknown-checking proxy, so rules see exactly what CrossGuard would hand them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.proxy import unknown_checking_proxy

from seccat.engine.recording import RecordedResource


def options(resource: RecordedResource) -> PolicyResourceOptions:
    opts = resource.options
    return PolicyResourceOptions(
        protect=bool(opts.get("protect", False)),
        ignore_changes=list(opts.get("ignoreChanges", [])),
        delete_before_replace=opts.get("deleteBeforeReplace"),
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=list(opts.get("additionalSecretOutputs", [])),
        parent=resource.parent,
    )


class Adapted:
    """One resource's proxied props and options, built once and shared by every rule."""

    __slots__ = ("opts", "props", "resource")

    def __init__(self, resource: RecordedResource) -> None:
        self.resource = resource
        self.props: Any = unknown_checking_proxy(resource.inputs)
        self.opts = options(resource)

    def resource_args(self, config: dict[str, Any]) -> ResourceValidationArgs:
        r = self.resource
        return ResourceValidationArgs(r.type, self.props, r.urn, r.name, self.opts, None, config)


def policy_resources(adapted: Iterable[Adapted]) -> list[PolicyResource]:
    """Stack-rule resources with parents linked, as AnalyzeStack builds them."""
    out: list[PolicyResource] = []
    by_urn: dict[str, PolicyResource] = {}
    items = list(adapted)
    for a in items:
        r = a.resource
        pr = PolicyResource(r.type, a.props, r.urn, r.name, a.opts, None, None, [], {})
        by_urn[r.urn] = pr
        out.append(pr)
    for a, pr in zip(items, out, strict=True):
        parent = a.resource.parent
        if parent is not None:
            pr.parent = by_urn.get(parent)
    return out


def stack_args(resources: list[PolicyResource], config: dict[str, Any]) -> StackValidationArgs:
    return StackValidationArgs(resources, config)
