"""The resource plan: what the program declares, as frozen data, before any engine runs.

Each declared resource keeps its type, name, URN, parent, inputs in the engine's wire form
(camelCase keys, numbers as floats, secrets wrapped), options and dependencies. A value that
comes from another resource's outputs is a :class:`Ref` ("the ``arn`` of resource 12"), not
a value: the plan does not know what AWS or Vault will answer. ``seccat.engine.resolve``
fills the references in with the deterministic outputs the mock monitor would give, which is
how `check`, `render` and `preview` read the plan without running Pulumi's engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class PlanError(Exception):
    """The program did something the plan cannot represent: a defect in seccat, never in a
    catalog (the parity tests run every catalog feature through both engines)."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An output of another declared resource: ``attribute`` (wire name) of ``resource``
    (its index in the plan)."""

    resource: int
    attribute: str


@dataclass(frozen=True, slots=True, eq=False)
class Deferred:
    """An ``apply`` whose argument holds :class:`Ref` values: the plan cannot run ``func``
    before the outputs it reads are known, so resolution runs it, in declaration order, on
    the values the mock monitor would have handed it (seccat.engine.resolve)."""

    func: Callable[[Any], Any]
    #: The apply's argument: plain values, :class:`Ref` and :class:`Deferred` inside.
    value: Any


@dataclass(frozen=True, slots=True, eq=False)
class Pending:
    """A :class:`Deferred` where an input takes it: with the type and key translation that
    input's wire form needs once ``func`` has run."""

    deferred: Deferred
    typ: Any
    transformer: Callable[[str], str]
    owner: str


@dataclass(frozen=True, slots=True)
class PlannedResource:
    type: str
    name: str
    urn: str
    #: None only for resources of the root stack's own (never recorded) registration.
    parent: str | None
    custom: bool
    #: Wire-form inputs; may hold :class:`Ref` values anywhere inside.
    inputs: Mapping[str, Any]
    #: The options the stack transformation saw (seccat.engine.recording.OptionsRecorder).
    options: Mapping[str, Any]
    #: ``urn::id`` of the explicit provider that manages this custom resource, if any (the
    #: id as a Ref: a provider's id is an output).
    provider_urn: str | None
    provider_index: int | None
    #: URNs this resource waits for, as the SDK would send them (sorted).
    dependencies: tuple[str, ...]
    #: A stack reference: read, not registered, and never part of the recorded preview.
    read: bool = False


@dataclass(frozen=True, slots=True)
class ResourcePlan:
    stack: str
    resources: tuple[PlannedResource, ...]
