"""Fill a resource plan's references with the outputs the mock monitor would answer.

Resources are answered in declaration order, by the same function that answers the mock
monitor (``_CatalogMocks.answer``): a reference always names an earlier resource, whose
outputs are then known, so one pass resolves the whole plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pulumi.runtime.mocks import MockResourceArgs

from seccat.engine.plan import PlanError, Ref, ResourcePlan
from seccat.engine.received import received

if TYPE_CHECKING:
    from seccat.engine.preview import _CatalogMocks


class UnresolvedReference(PlanError):
    """An input refers to an output the mocks do not give: under the mock monitor it would
    be unknown, so the plan refuses it rather than differ."""


def _substitute(value: Any, states: list[dict[str, Any]], ids: list[str | None]) -> Any:
    if isinstance(value, Ref):
        if value.attribute == "id":
            return ids[value.resource]
        state = states[value.resource]
        if value.attribute not in state:
            raise UnresolvedReference(f"output {value.attribute!r} of resource {value.resource}")
        return state[value.attribute]
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
        # As the mock monitor receives inputs: protobuf's key order, secrets lifted.
        inputs = received(_substitute(planned.inputs, states, ids))
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
