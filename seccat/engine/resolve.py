"""Fill a resource plan's references with the outputs the mock monitor would answer.

Resources are answered in declaration order, by the same function that answers the mock
monitor (``_CatalogMocks.answer``): a reference always names an earlier resource, whose
outputs are then known, so one pass resolves the whole plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockResourceArgs
from pulumi.runtime.proto import resource_pb2

from seccat.engine.plan import Ref, ResourcePlan

if TYPE_CHECKING:
    from seccat.engine.preview import _CatalogMocks


def _substitute(value: Any, states: list[dict[str, Any]], ids: list[str | None]) -> Any:
    if isinstance(value, Ref):
        if value.attribute == "id":
            return ids[value.resource]
        return states[value.resource].get(value.attribute)
    if isinstance(value, dict):
        return {k: _substitute(v, states, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, states, ids) for v in value]
    return value


def resolve(plan: ResourcePlan, mocks: _CatalogMocks) -> None:
    """Answer every planned resource through ``mocks`` (which keeps the registrations)."""
    states: list[dict[str, Any]] = []
    ids: list[str | None] = []
    for planned in plan.resources:
        # Through the wire format and back, as the mock monitor receives inputs: the same
        # key order, numbers and secrets lifted to the enclosing property.
        wire = struct_pb2.Struct()
        wire.update(_substitute(planned.inputs, states, ids))
        request = resource_pb2.RegisterResourceRequest(object=wire)
        inputs = rpc.deserialize_properties(request.object)
        provider = ""
        if planned.provider_urn is not None and planned.provider_index is not None:
            provider = f"{planned.provider_urn}::{ids[planned.provider_index]}"
        args = MockResourceArgs(planned.type, planned.name, inputs, provider, "", planned.custom)
        if planned.read:
            resource_id, state = mocks.stack_reference(args)
        else:
            resource_id, state = mocks.answer(
                args, planned.urn, planned.parent or "", planned.dependencies
            )
        states.append(state)
        ids.append(resource_id)
