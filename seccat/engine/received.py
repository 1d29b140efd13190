"""Wire-form inputs as the mock monitor receives them, without building protobuf messages.

The mock monitor reads a resource's inputs from a protobuf ``Struct`` that was copied into
the registration request, through ``pulumi.runtime.rpc.deserialize_properties``: map keys
come out in protobuf's order (a fixed function of the keys and the order they went in),
``None`` inside a struct disappears, a secret inside a list or struct makes the whole of it
secret, numbers are floats, assets come back as asset objects. Previews and reports show
inputs in that order, so the plan reproduces it: the order of each distinct key sequence is
asked of protobuf once and kept, and the rest is a walk over plain Python values.
tests/engine/test_plan_parity.py compares this with the protobuf round trip on generated
values.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google.protobuf import struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2

from seccat.engine.plan import PlanError

_SIG = rpc._special_sig_key


@cache
def wire_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The order protobuf gives ``keys`` inserted in this order, then copied."""
    struct = struct_pb2.Struct()
    struct.update(dict.fromkeys(keys))
    return tuple(resource_pb2.RegisterResourceRequest(object=struct).object.keys())


def received(inputs: dict[str, Any]) -> dict[str, Any]:
    """Top-level properties (a ``None`` there was never sent, so it does not take part
    in the order either)."""
    present = tuple(k for k, v in inputs.items() if v is not None)
    output: dict[str, Any] = {}
    for key in wire_order(present):
        value = _value(inputs[key])
        if value is not None:
            output[key] = value
    return output


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG) == rpc._special_secret_sig


def _unwrap(value: Any) -> Any:
    return value["value"] if _is_secret(value) else value


def _value(value: Any) -> Any:
    if isinstance(value, dict):
        if _SIG in value:
            return _special(value)
        props: dict[str, Any] = {}
        for key in wire_order(tuple(value)):
            item = _value(value[key])
            if item is not None:
                props[key] = item
        if any(_is_secret(v) for v in props.values()):
            return rpc.wrap_rpc_secret({k: _unwrap(v) for k, v in props.items()})
        return props
    if isinstance(value, list | tuple):
        values = [_value(v) for v in value]
        if any(_is_secret(v) for v in values):
            return rpc.wrap_rpc_secret([_unwrap(v) for v in values])
        return values
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value == rpc.UNKNOWN:
        return Unknown()  # as rpc.deserialize_property reads it in a preview
    return value


_SIGNATURES = (rpc._special_secret_sig, rpc._special_asset_sig, rpc._special_archive_sig)


def _special(value: dict[str, Any]) -> Any:
    """A secret, asset or archive: rare enough to go through the SDK's own reading."""
    if value[_SIG] not in _SIGNATURES:
        raise PlanError(f"an unexpected signature {value[_SIG]!r} in a resource plan")
    struct = struct_pb2.Struct()
    struct.update(value)
    return rpc.deserialize_properties(resource_pb2.RegisterResourceRequest(object=struct).object)
