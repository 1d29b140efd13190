"""Stack names: ``<env>``, ``<env>.<team>`` and ``<env>.<team>.<shard>`` (docs/stacks.md).

Its own module, free of imports, so the engine and the check runner can map a stack to its
environment without loading the planner."""

from __future__ import annotations


def environment_of(stack: str) -> str:
    """``prod`` for ``prod``, ``prod.payments`` and ``prod.payments.3`` (environment names
    have no dot: their alphabet is lowercase letters, digits and '-')."""
    return stack.split(".", 1)[0]
