"""Fill a resource plan's references with the outputs the mock monitor would answer.

Resources are answered in declaration order, by the same function that answers the mock
monitor (``_CatalogMocks.answer``): a reference always names an earlier resource, whose
outputs are then known, so one pass resolves the whole plan.

An output is what the SDK would make of the mock's answer in a preview: an attribute the
answer lacks (or gives as None) is unknown, and a value holding an unknown is sent as
None; a secret stays a secret. An ``apply`` the plan deferred (:class:`Deferred`) runs here
on those values, as the SDK would have run it, and not at all on an unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi.output import Output
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockResourceArgs
from pulumi.runtime.sync_await import _sync_await

from seccat.engine.plan import Deferred, Pending, Ref, ResourcePlan
from seccat.engine.received import received
from seccat.engine.wire import Serialiser, WireError

if TYPE_CHECKING:
    from seccat.engine.preview import _CatalogMocks


@dataclass
class _Answers:
    """The resolved outputs so far: each resource's state and id, by plan index."""

    states: list[dict[str, Any]]
    ids: list[str | None]

    def output(self, ref: Ref) -> tuple[Any, bool, bool]:
        """(value, known, secret) of the output ``ref`` names, as rpc.resolve_outputs
        resolves it in a preview."""
        if ref.attribute == "id":
            resource_id = self.ids[ref.resource]
            return resource_id, bool(resource_id), False
        value = self.states[ref.resource].get(ref.attribute)
        secret = rpc.is_rpc_secret(value)
        if secret:
            value = rpc.unwrap_rpc_secret(value)
        return value, value is not None and not _holds_unknowns(value), secret

    def wire(self, value: Any) -> Any:
        """``value`` (a planned input) with every Ref and Pending replaced by what the SDK
        would have sent for it."""
        if isinstance(value, Ref):
            output, known, secret = self.output(value)
            return _sent(output, known, secret)
        if isinstance(value, Pending):
            return self._pending(value)
        if isinstance(value, dict):
            return {k: self.wire(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.wire(v) for v in value]
        return value

    def _pending(self, pending: Pending) -> Any:
        result, known, secret = self.evaluate(pending.deferred)
        if not known:
            return _sent(None, False, secret)
        serialiser = Serialiser(pending.owner)
        wire = serialiser.value(result, pending.typ, pending.transformer)
        if serialiser.deps:
            raise WireError(f"{pending.owner}: an apply returned another resource's output")
        return self.wire(_sent(wire, True, secret))

    def evaluate(self, value: Any) -> tuple[Any, bool, bool]:
        """(value, known, secret) of an apply's argument: what Output.apply and Output.all
        hand the function, and whether it runs at all."""
        if isinstance(value, Ref):
            return self.output(value)
        if isinstance(value, Deferred):
            argument, known, secret = self.evaluate(value.value)
            if not known:
                return None, False, secret
            result = value.func(argument)
            if isinstance(result, Output):
                data = _sync_await(result._data)
                if data.resources:
                    raise WireError("an apply returned another resource's output")
                return data.value, data.is_known, secret or data.is_secret
            return result, True, secret
        if isinstance(value, dict | list | tuple):
            # Output.all and Output.from_input: known when every part is, secret when any is
            items = value.items() if isinstance(value, dict) else enumerate(value)
            known, secret, parts = True, False, {}
            for key, item in items:
                parts[key], item_known, item_secret = self.evaluate(item)
                known, secret = known and item_known, secret or item_secret
            if isinstance(value, dict):
                return parts, known, secret
            return type(value)(parts.values()), known, secret
        return value, True, False


def _holds_unknowns(value: Any) -> bool:
    # most outputs are ARNs and names: no walk for a string
    return not isinstance(value, str) and rpc.contains_unknowns(value)


def _sent(value: Any, known: bool, secret: bool) -> Any:
    """How rpc.serialize_property sends a resolved Output: unknown (as _OutputData counts
    a value holding an unknown) as the unknown sentinel, a secret wrapped."""
    if not known or _holds_unknowns(value):
        value = rpc.UNKNOWN
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value} if secret else value


def resolve(plan: ResourcePlan, mocks: _CatalogMocks) -> None:
    """Answer every planned resource through ``mocks`` (which keeps the registrations)."""
    answers = _Answers([], [])
    for planned in plan.resources:
        # As the mock monitor receives inputs: protobuf's key order, secrets lifted.
        inputs = received(answers.wire(planned.inputs))
        provider = ""
        if planned.provider_urn is not None and planned.provider_index is not None:
            provider_id = answers.ids[planned.provider_index] or rpc.UNKNOWN
            provider = f"{planned.provider_urn}::{provider_id}"
        args = MockResourceArgs(planned.type, planned.name, inputs, provider, "", planned.custom)
        if planned.read:
            resource_id, state = mocks.stack_reference(args)
        else:
            resource_id, state = mocks.answer(
                args, planned.urn, planned.parent or "", planned.dependencies
            )
        answers.states.append(state)
        answers.ids.append(resource_id)
