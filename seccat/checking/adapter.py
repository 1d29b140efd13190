"""Recorded resources as pulumi_policy's own argument types, with props behind an
unknown-checking proxy, so rules see what CrossGuard would hand them (an unknown value from
the preview raises UnknownValueError when read, exactly as under the engine)."""

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

from seccat.checking.lazy_proxy import lazy_unknown_checking_proxy
from seccat.engine.recording import RecordedResource

_NO_TIMEOUTS = PolicyCustomTimeouts(0, 0, 0)


def options(resource: RecordedResource) -> PolicyResourceOptions:
    """The recorded options as CrossGuard's type (lists shared, not copied: rules only read)."""
    opts = resource.options
    return PolicyResourceOptions(
        protect=bool(opts.get("protect", False)),
        ignore_changes=opts.get("ignoreChanges") or [],
        delete_before_replace=opts.get("deleteBeforeReplace"),
        aliases=[],
        custom_timeouts=_NO_TIMEOUTS,
        additional_secret_outputs=opts.get("additionalSecretOutputs") or [],
        parent=resource.parent,
    )


class Adapted:
    """One resource's proxied props and options, built once and shared by every rule."""

    __slots__ = ("opts", "props", "resource")

    def __init__(self, resource: RecordedResource) -> None:
        self.resource = resource
        self.props: Any = lazy_unknown_checking_proxy(resource.inputs)
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
