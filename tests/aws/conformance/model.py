"""The shapes the conformance harness passes between its planner and its appliers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from seccat.engine.recording import RecordedResource


@dataclass(frozen=True)
class Placement:
    """Where a resource lives: the region and account of the provider that manages it."""

    region: str
    account: str


class Clients(Protocol):
    def client(self, service: str, region: str, account: str) -> Any: ...


@dataclass(frozen=True)
class Target:
    """One recorded resource, ready to apply: its inputs with every mocked id or ARN of an
    already applied resource replaced by the server's real one."""

    recorded: RecordedResource
    inputs: dict[str, Any]
    placement: Placement
    assets: AssetSource

    @property
    def type(self) -> str:
        return self.recorded.type

    @property
    def name(self) -> str:
        return self.recorded.name

    def client(self, clients: Clients, service: str) -> Any:
        return clients.client(service, self.placement.region, self.placement.account)


@dataclass(frozen=True)
class Real:
    """What the server made of a resource: its id, and outputs by the names Pulumi gives
    them (``arn``, ``keyId``, ``name``...), which later inputs may refer to."""

    id: str
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Compared:
    """One recorded input (``field``, an input key) against what the server returns."""

    field: str
    expected: Any
    actual: Any

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


def same(field_: str, expected: Any, actual: Any) -> Compared:
    return Compared(field_, expected, actual)


def document(field_: str, expected: str, actual: Any) -> Compared:
    """A JSON document (policy, pattern, dashboard body), compared parsed: servers may
    re-serialise it."""
    parsed = json.loads(actual) if isinstance(actual, str) else actual
    try:
        wanted = json.loads(expected)
    except (TypeError, json.JSONDecodeError):
        wanted = expected
    return Compared(field_, wanted, parsed)


def tag_map(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    """AWS tag lists ([{Key, Value}]) as the mapping Pulumi records."""
    if isinstance(tags, Mapping):
        return dict(tags)
    return {t[key]: t[value] for t in tags or []}


def tag_list(tags: Mapping[str, str] | None, key: str = "Key", value: str = "Value") -> list:
    return [{key: k, value: v} for k, v in sorted((tags or {}).items())]


class AssetSource(Protocol):
    def archive(self, spec: Mapping[str, Any]) -> bytes: ...


@dataclass(frozen=True)
class Applier:
    """How one resource type reaches the server and comes back.

    ``apply`` creates the resource with boto3 and returns its real id and outputs;
    ``read_back`` reads it from the server and compares every input it can see there.
    The rest documents the type for docs/aws-conformance.md.
    """

    type: str
    apply: Callable[[Clients, Target], Real]
    read_back: Callable[[Clients, Target, Real], list[Compared]]
    #: boto3 calls used, in order.
    calls: tuple[str, ...]
    #: Which independent oracle judges this type's documents or expressions, if any.
    oracle: str = ""
    #: What moto does not do or check for this type, and how the harness copes.
    gaps: str = ""
    #: Negative controls: how to break an input so its comparison must fail, where the
    #: generic perturbation would not give a valid input (code archives).
    perturb: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)


class UnknownResourceType(AssertionError):
    """A resource type the harness has no applier for: add one (appliers/) first."""


class ApplyError(AssertionError):
    """The server refused a resource, or the plan cannot be applied."""


def repo_path(root: Path, shown: str) -> Path:
    """Previews record asset paths relative to the repository."""
    path = Path(shown)
    return path if path.is_absolute() else root / path
