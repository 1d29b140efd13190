"""Negative controls of the read-back: every comparison the harness makes can fail.

For one applied resource of each type, each compared input is broken in turn (a changed
string, number, flag, tag, document or code archive) and read back again against the same
server state: that comparison, and only a comparison of that input, must now fail. A
comparison of a value with itself, or of the wrong field, cannot pass this.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tests.aws.conformance.conftest import World
from tests.aws.conformance.registry import applier_for

MARK = "negative-control"


def perturb(value: Any) -> Any:
    """A different value of the same shape (a JSON document stays a JSON document)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return f"{value}-{MARK}"
        if isinstance(parsed, dict | list):
            return json.dumps(perturb(parsed))
        return f"{value}-{MARK}"
    if isinstance(value, dict):
        if not value:
            return {MARK: MARK}
        first = sorted(value)[0]
        return {**value, first: perturb(value[first])}
    if isinstance(value, list):
        return [perturb(value[0]), *value[1:]] if value else [MARK]
    if value is None:
        return MARK
    raise TypeError(type(value))


def test_every_comparison_of_every_type_can_fail(worlds: list[World]) -> None:
    """Each (type, input) pair any resource compares is broken once, on the first resource
    that compares it (a function with a VPC, a secret with replicas...)."""
    controlled: dict[str, set[str]] = {}
    compared: dict[str, set[str]] = {}
    for world in worlds:
        for findings in world.findings.values():
            for f in findings:
                compared.setdefault(f.type, set()).add(f.compared.field)
        for applied in world.applied.values():
            for a in applied.resources.values():
                done = controlled.setdefault(a.recorded.type, set())
                if not (compared.get(a.recorded.type, set()) & set(a.target.inputs)) - done:
                    continue  # nothing this resource compares is left to control
                applier = applier_for(a.recorded.type)
                baseline = applier.read_back(world.server, a.target, a.real)
                fields = {c.field for c in baseline if c.field in a.target.inputs} - done
                assert all(c.ok for c in baseline if c.field in fields)
                for field in sorted(fields):
                    breaker = applier.perturb.get(field, perturb)
                    broken = {**a.target.inputs, field: breaker(a.target.inputs[field])}
                    assert broken[field] != a.target.inputs[field]
                    target = replace(a.target, inputs=broken)
                    again = applier.read_back(world.server, target, a.real)
                    failing = {c.field for c in again if not c.ok}
                    assert failing == {field}, (a.recorded.type, field, failing)
                    done.add(field)
    assert controlled == compared
    assert all(controlled.values())
