"""Indexes over a stack's resources for stack rules: built once, so every rule stays linear
in the number of resources."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from seccat.policies.props import get, tags
from seccat.policies.rules._types import SECRET, SECRET_ROTATION

T = TypeVar("T")

_SECRET_ARN_NAME = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[^:]*:[0-9]*:secret:(.+)-[A-Za-z0-9]{6}$"
)


def known(read: Callable[[], T]) -> T | None:
    """A value, or None where it is unknown during preview (one unknown resource must not
    make a whole stack rule inapplicable)."""
    try:
        return read()
    except UnknownValueError:
        return None


_MEMO = threading.local()


def _memo(resources: Iterable[PolicyResource], key: str, build: Callable[[], T]) -> T:
    """Indexes shared by the stack rules of one evaluation (same resources list object)."""
    last = getattr(_MEMO, "last", None)
    if last is None or last[0] is not resources:
        last = (resources, {})
        _MEMO.last = last
    cache: dict[str, Any] = last[1]
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _by_type(resources: Iterable[PolicyResource]) -> dict[str, list[PolicyResource]]:
    index: dict[str, list[PolicyResource]] = {}
    for r in resources:
        index.setdefault(r.resource_type, []).append(r)
    return index


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    index = _memo(resources, "by_type", lambda: _by_type(resources))
    if len(types) == 1:
        return index.get(types[0], [])
    wanted = set(types)
    return [r for r in resources if r.resource_type in wanted]


def parent_urn(resource: PolicyResource) -> str | None:
    parent = resource.parent
    if parent is None:
        return getattr(resource.opts, "parent", None) if resource.opts else None
    return parent.urn


def secret_name_from_ref(ref: Any) -> str | None:
    """The secret name in a SecretRotation's secretId (an ARN or a name)."""
    if not isinstance(ref, str) or not ref:
        return None
    match = _SECRET_ARN_NAME.match(ref)
    return match.group(1) if match else ref


def rotations_by_secret(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    """Secret URN -> its SecretRotation, joined by secretId (ARN or name) and, where the id
    is unknown during preview, by the component both belong to."""
    return _memo(resources, "rotations", lambda: _rotations_by_secret(resources))


def _rotations_by_secret(resources: list[PolicyResource]) -> dict[str, PolicyResource]:
    secrets = of_type(resources, SECRET)
    by_name: dict[str, PolicyResource] = {}
    by_parent: dict[str | None, list[PolicyResource]] = {}
    for s in secrets:
        name = known(lambda s=s: get(s.props, "name"))
        if isinstance(name, str):
            by_name[name] = s
        by_parent.setdefault(parent_urn(s), []).append(s)
    out: dict[str, PolicyResource] = {}
    for rotation in of_type(resources, SECRET_ROTATION):
        ref = known(lambda r=rotation: get(r.props, "secretId"))
        target = by_name.get(secret_name_from_ref(ref) or "")
        if target is None:
            siblings = by_parent.get(parent_urn(rotation), [])
            target = siblings[0] if len(siblings) == 1 else None
        if target is not None:
            out[target.urn] = rotation
    return out


def classification(resource: PolicyResource) -> str:
    return known(lambda: tags(resource.props).get("seccat:classification")) or "restricted"


def pci_scope(resource: PolicyResource) -> bool:
    value = known(lambda: tags(resource.props).get("seccat:compliance")) or ""
    return "pci-dss" in str(value).split(",") or "pci-dss" in str(value).split()


def name_of(resource: PolicyResource, fallback: Mapping[str, Any] | None = None) -> str:
    value = known(lambda: get(resource.props, "name"))
    return value if isinstance(value, str) and value else resource.name
