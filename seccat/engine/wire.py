"""Declared inputs in the form the engine receives them, without the SDK's async serialiser.

The rules are those of ``pulumi.runtime.rpc.serialize_property`` for what seccat's program
declares, applied synchronously once the program has run: keys translated by the input
types' metadata (plain ``dict`` inputs such as tags keep their keys), top-level ``None``
dropped, numbers as floats (the wire has no integers), secrets wrapped in the SDK's secret
signature, and every resource an ``Output`` came from noted as a dependency. The parity
tests (tests/engine/test_plan_parity.py) hold these rules equal to the SDK's.
"""

from __future__ import annotations

import typing
from collections import abc
from collections.abc import Callable, Mapping
from enum import Enum
from functools import cache
from typing import Any, get_args, get_origin

import pulumi
from pulumi import _types
from pulumi.output import Unknown
from pulumi.runtime import rpc

from seccat.engine.plan import Deferred, Pending, PlanError, Ref

_SECRET = {rpc._special_sig_key: rpc._special_secret_sig}
_MAPPINGS = (dict, typing.Dict, abc.Mapping, typing.Mapping)  # noqa: UP006 - the SDK's list
_SEQUENCES = (list, typing.List, typing.Sequence, abc.Sequence)  # noqa: UP006


class WireError(PlanError):
    """The program declared something the plan cannot represent (a programming error)."""


@cache
def input_type_names(cls: type) -> tuple[dict[str, str], dict[str, type]]:
    """(python name -> wire name, wire name -> type) of an input type."""
    return _types.input_type_py_to_pulumi_names(cls), _types.input_type_types(cls)


@cache
def output_names(cls: type) -> dict[str, str]:
    """python attribute -> wire name of a resource class's outputs."""
    try:
        return _types._py_to_pulumi_names_from_py_properties(cls)
    except Exception:  # a class without typed properties (components, stack references)
        return {}


def _unwrap(typ: Any) -> Any:
    try:
        return _unwrap_cached(typ)
    except TypeError:  # unhashable annotation
        return _types.unwrap_type(typ)


@cache
def _unwrap_cached(typ: Any) -> Any:
    return _types.unwrap_type(typ)


def _element_type(typ: Any) -> Any:
    if typ is None:
        return None
    if typ in _SEQUENCES:
        return Any
    if typ is list or get_origin(typ) in _SEQUENCES:
        args = get_args(typ)
        if len(args) == 1:
            return args[0]
    raise WireError(f"a list where the type says {typ}")


class Serialiser:
    """Serialises one resource's properties; ``deps`` collects the resources its Outputs
    came from."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.deps: list[pulumi.Resource] = []

    def properties(
        self, props: Mapping[str, Any], typ: type | None, transformer: Callable[[str], str]
    ) -> dict[str, Any]:
        translate: Callable[[str], str] = transformer
        get_type: Callable[[str], Any] = lambda _key: None  # noqa: E731
        if typ is not None:
            names, types = input_type_names(typ)
            translate = lambda k: names.get(k) or k  # noqa: E731
            get_type = lambda k: types.get(translate(k))  # noqa: E731
        wire: dict[str, Any] = {}
        for key in props:
            before = len(self.deps)
            value = self.value(props[key], get_type(key), transformer)
            if value is not None:
                wire[translate(key)] = value
            else:
                # The SDK leaves out a property that serialises to None, and with it the
                # resources it came from (rpc.serialize_properties): no dependency either.
                del self.deps[before:]
        return wire

    def value(self, value: Any, typ: Any, transformer: Callable[[str], str]) -> Any:
        if typ is Any:
            typ = None
        elif typ is not None:
            typ = _unwrap(typ)
        if value is None or isinstance(value, bool | str | Ref):
            return value.value if isinstance(value, Enum) else value
        if isinstance(value, int | float):
            return float(value.value if isinstance(value, Enum) else value)
        if isinstance(value, Deferred):
            return Pending(value, typ, transformer, self.owner)
        if isinstance(value, abc.Sequence):
            element = _element_type(typ)
            return [self.value(v, element, transformer) for v in value]
        if isinstance(value, Unknown):
            return rpc.UNKNOWN
        if isinstance(value, pulumi.Output):
            return self._output(value, typ, transformer)
        if isinstance(value, pulumi.Asset | pulumi.Archive):
            return self._asset(value, transformer)
        if isinstance(value, pulumi.Resource):
            raise WireError(f"{self.owner}: a resource passed as an input value")
        value_cls = type(value)
        if _types.is_input_type(value_cls):
            _names, types = input_type_names(value_cls)
            return {
                k: self.value(v, types.get(k), transformer)
                for k, v in _types.input_type_to_dict(value).items()
            }
        if isinstance(value, abc.Mapping):
            return self._mapping(value, typ, transformer)
        raise WireError(f"{self.owner}: an input of type {value_cls.__name__}")

    def _asset(self, value: Any, transformer: Callable[[str], str]) -> Any:
        if isinstance(value, pulumi.Asset):
            signature = rpc._special_asset_sig
        else:
            signature = rpc._special_archive_sig
        wire: dict[str, Any] = {rpc._special_sig_key: signature}
        for field in ("assets", "path", "text", "uri"):
            if hasattr(value, field):
                wire[field] = self.value(getattr(value, field), None, transformer)
                return wire
        raise WireError(f"{self.owner}: an asset of unknown kind")

    def _output(self, output: pulumi.Output, typ: Any, transformer: Callable[[str], str]) -> Any:
        data_future = output._data
        if not data_future.done():
            raise WireError(f"{self.owner}: an input still unresolved when the program ended")
        data = data_future.result()
        self.deps.extend(data.resources)
        if data.is_known and not rpc.contains_unknowns(data.value):
            value = self.value(data.value, typ, transformer)
        else:  # sent as unknown, and so a key the engine keeps (as None offline)
            value = rpc.UNKNOWN
        if data.is_secret:
            return {**_SECRET, "value": value}
        return value

    def _mapping(
        self, value: Mapping[str, Any], typ: Any, transformer: Callable[[str], str]
    ) -> dict[str, Any]:
        translate: Callable[[str], str] | None = transformer
        get_type: Callable[[str], Any] = lambda _key: None  # noqa: E731
        if typ is not None:
            case = _types.reduce_discriminated_union(typ, value, _types._py_name_for)
            if case is not None:
                typ = case
            if _types.is_input_type(typ):
                names, types = input_type_names(typ)
                translate = lambda k: names.get(k) or k  # noqa: E731
                get_type = types.get
            else:
                translate = None
                if typ is dict or get_origin(typ) in _MAPPINGS:
                    args = get_args(typ)
                    if len(args) == 2 and args[0] is str:
                        get_type = lambda _key: args[1]  # noqa: E731
        wire: dict[str, Any] = {}
        for key in value:
            wire_key = translate(key) if translate is not None else key
            wire[wire_key] = self.value(value[key], get_type(wire_key), transformer)
        return wire
