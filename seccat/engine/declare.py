"""Run the program and keep what it declares as a resource plan, without Pulumi's engine.

The components are the one description of seccat's resources: under the Pulumi CLI they
register with the engine, and here the very same code runs with the SDK's registration step
replaced by a note of what was declared. Everything before that step is the SDK's own code
(resource options, parents, provider and protection inheritance, aliases, transformations),
so the plan sees what the engine would see. What the SDK would do next (serialise the inputs
asynchronously, send them to the monitor, wait for outputs) is what made the offline engine
cost 2 ms per resource; here an output is a known placeholder (:class:`Ref`) that the plan
resolves once, at the end.

The parity tests (tests/engine/test_plan_parity.py) prove the resolved plan equal to the
mock monitor's recorded preview on every fixture and benchmark catalog.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.output as pulumi_output
import pulumi.resource as sdk_resource
from pulumi.output import _OutputData

from seccat.engine.plan import Deferred, PlanError, PlannedResource, Ref, ResourcePlan
from seccat.engine.recording import OptionsRecorder
from seccat.engine.references import STACK_REFERENCE
from seccat.engine.wire import Serialiser, output_names

STACK_TYPE = "pulumi:pulumi:Stack"
#: How many declarations between two gc.freeze() calls.
FREEZE_EVERY = 2_000


def make_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The URN the mock monitor gives (pulumi.runtime.mocks.MockMonitor.make_urn)."""
    if parent:
        type_ = parent.split("::")[2].split("$").pop() + "$" + type_
    return "urn:pulumi:" + "::".join([stack, project, type_, name])


@dataclass
class _Declared:
    resource: pulumi.Resource
    type: str
    name: str
    custom: bool
    props: Any
    opts: pulumi.ResourceOptions
    typ: type | None
    urn: str
    parent: str
    read: bool


class _LazyOutputs(dict):
    """A declared resource's attributes, where each output is made on its first read.

    The SDK gives every property of a resource an Output up front (about 17 per resource,
    most never read); here the generated getters' ``pulumi.get(self, name)``, which reads
    ``self.__dict__.get(name)``, makes one when asked. That was a fifth of the plan's time.
    """

    __slots__ = ("_declarations", "_index", "_names", "_props", "_resource")

    def __init__(
        self,
        existing: dict[str, Any],
        declarations: Declarations,
        resource: pulumi.Resource,
        index: int,
        props: Any,
        names: dict[str, str],
    ) -> None:
        super().__init__(existing)
        self._declarations = declarations
        self._resource = resource
        self._index = index
        self._props = props
        self._names = names

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            if key not in self._props or key in ("urn", "id"):
                return default
        output = self._declarations._known(
            self._resource, Ref(self._index, self._names.get(key, key))
        )
        self[key] = output
        return output


class Declarations:
    """What the program declared, in order; stands in for the SDK's registration."""

    def __init__(
        self, stack: str, project: str, references: Callable[[str], dict[str, Any]]
    ) -> None:
        self.stack = stack
        self.project = project
        self.references = references
        self.root_urn = make_urn(stack, project, "", STACK_TYPE, f"{project}-{stack}")
        self.entries: list[_Declared] = []
        self.urn_of: dict[int, str] = {}
        self.index_of: dict[int, int] = {}
        self._loop = asyncio.get_event_loop()

    def _known(self, resource: pulumi.Resource, value: Any) -> pulumi.Output:
        """A resolved Output of ``resource``. Built without ``_OutputData``'s check for
        unknowns, a walk of the value that cannot find one in a reference or a URN and was
        a sixth of the plan's time."""
        data = object.__new__(_OutputData)
        data.__dict__.update(resources={resource}, value=value, is_known=True, is_secret=False)
        future = self._loop.create_future()
        future.set_result(data)
        output: pulumi.Output = object.__new__(pulumi.Output)
        output._data = future  # type: ignore[assignment]
        return output

    def _urn_of_parent(self, opts: pulumi.ResourceOptions | None, type_: str) -> str:
        if opts is not None and opts.parent is not None:
            return self.urn_of[id(opts.parent)]
        return "" if type_ == STACK_TYPE else self.root_urn

    def _declare(
        self,
        res: pulumi.Resource,
        type_: str,
        name: str,
        custom: bool,
        props: Any,
        opts: pulumi.ResourceOptions,
        typ: type | None,
        read: bool,
    ) -> None:
        parent = self._urn_of_parent(opts, type_)
        urn = make_urn(self.stack, self.project, parent, type_, name)
        index = len(self.entries)
        self.urn_of[id(res)] = urn
        self.index_of[id(res)] = index
        res.__dict__["urn"] = self._known(res, urn)
        if custom:
            res.__dict__["id"] = self._known(res, Ref(index, "id"))
        if read and type_ == STACK_REFERENCE:
            target = str(props.get("name") or name)
            answers = {
                "name": target,
                "outputs": self.references(target),
                "secret_output_names": [],
            }
            for key in props:
                res.__dict__[key] = self._known(res, answers.get(key))
        else:
            names = output_names(type(res)) if typ is not None else {}
            res.__dict__ = _LazyOutputs(res.__dict__, self, res, index, props, names)
        self.entries.append(
            _Declared(res, type_, name, custom, props, opts, typ, urn, parent, read)
        )
        if len(self.entries) % FREEZE_EVERY == 0:
            # Declared resources live until the plan is built: out of the collector's reach,
            # full collections do not rescan an ever larger heap (as the mock monitor does).
            gc.freeze()

    def register_resource(
        self,
        res: pulumi.Resource,
        ty: str,
        name: str,
        custom: bool,
        remote: bool,
        new_dependency: object,
        props: Any,
        opts: pulumi.ResourceOptions | None,
        typ: type | None = None,
        package_ref: object = None,
    ) -> None:
        if remote:
            raise PlanError(f"{ty} {name}: remote components are not planned")
        self._declare(res, ty, name, custom, props, opts or pulumi.ResourceOptions(), typ, False)

    def read_resource(
        self,
        res: pulumi.Resource,
        ty: str,
        name: str,
        props: Any,
        opts: pulumi.ResourceOptions,
        typ: type | None = None,
        package_ref: object = None,
    ) -> None:
        if ty != STACK_REFERENCE:
            raise PlanError(f"{ty} {name}: only stack references are read")
        self._declare(res, ty, name, True, props, opts, typ, True)

    # -- after the program has run ------------------------------------------------------

    def _expand(self, resources: list[pulumi.Resource], into: set[str]) -> None:
        """A local component stands for its children (pulumi.runtime.rpc._add_dependency)."""
        pending = list(resources)
        while pending:
            res = pending.pop()
            if isinstance(res, pulumi.ComponentResource) and not res._remote:
                pending.extend(res._childResources)
            elif id(res) in self.urn_of:
                into.add(self.urn_of[id(res)])
            else:
                raise PlanError(f"a dependency on {res._type} {res._name}, never declared")

    def plan(self, recorder: OptionsRecorder) -> ResourcePlan:
        planned: list[PlannedResource] = []
        for entry in self.entries:
            res = entry.resource
            serialiser = Serialiser(f"{entry.type} {entry.name}")
            inputs = serialiser.properties(entry.props, entry.typ, res.translate_input_property)
            dependencies: set[str] = set()
            self._expand(serialiser.deps, dependencies)
            self._expand(list(entry.opts._depends_on_list()), dependencies)
            provider = entry.opts.provider if entry.custom else None
            provider_urn = provider_index = None
            if provider is not None and id(provider) in self.urn_of:
                provider_urn = self.urn_of[id(provider)]
                provider_index = self.index_of[id(provider)]
            planned.append(
                PlannedResource(
                    type=entry.type,
                    name=entry.name,
                    urn=entry.urn,
                    parent=entry.parent or None,
                    custom=entry.custom,
                    inputs=inputs,
                    options=recorder.by_key.get((entry.type, entry.name), {}),
                    provider_urn=provider_urn,
                    provider_index=provider_index,
                    dependencies=tuple(sorted(dependencies)),
                    read=entry.read,
                )
            )
            if len(planned) % FREEZE_EVERY == 0:
                gc.freeze()
        return ResourcePlan(self.stack, tuple(planned))


def holds_plan_values(value: Any) -> bool:
    """Whether ``value`` holds an output the plan only knows as a placeholder."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Ref | Deferred):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def _deferring(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, except that on a placeholder it waits for resolution (:class:`Deferred`),
    where the SDK would run it on the value the mock monitor answered."""
    if func is pulumi.Output.from_input:  # lifting a value into an Output: safe on a Ref
        return func

    def run(*values: Any) -> Any:
        if holds_plan_values(values):
            if len(values) == 1:
                return Deferred(func, values[0])
            return Deferred(lambda args: func(*args), list(values))
        return func(*values)

    return run


_sdk_apply = pulumi.Output.apply
_SDK_MAPS = {
    name: getattr(pulumi_output, name) for name in ("_map_output", "_map2_output", "_map3_output")
}


def _apply(self: pulumi.Output, func: Callable[[Any], Any], run_with_unknowns: bool = False) -> Any:
    """``Output.apply`` (and so ``all``, ``concat``, ``output[key]``) in a plan."""
    return _sdk_apply(self, _deferring(func), run_with_unknowns)


def _map(name: str) -> Callable[..., Any]:
    """The SDK's internal pure maps (``Output.format``) in a plan."""
    sdk_map = _SDK_MAPS[name]
    return lambda *args: sdk_map(*args[:-1], _deferring(args[-1]))


@contextmanager
def declaring(declarations: Declarations) -> Iterator[None]:
    """Replace the SDK's registration with ``declarations`` for the duration."""
    saved = (
        sdk_resource.register_resource,
        sdk_resource.read_resource,
        sdk_resource.register_resource_outputs,
    )
    sdk_resource.register_resource = declarations.register_resource  # type: ignore[assignment]
    sdk_resource.read_resource = declarations.read_resource  # type: ignore[assignment]
    sdk_resource.register_resource_outputs = lambda *_args, **_kwargs: None  # type: ignore[assignment]
    pulumi.Output.apply = _apply  # type: ignore[method-assign]
    for name in _SDK_MAPS:
        setattr(pulumi_output, name, _map(name))
    try:
        yield
    finally:
        (
            sdk_resource.register_resource,
            sdk_resource.read_resource,
            sdk_resource.register_resource_outputs,
        ) = saved
        pulumi.Output.apply = _sdk_apply  # type: ignore[method-assign]
        for name, sdk_map in _SDK_MAPS.items():
            setattr(pulumi_output, name, sdk_map)
