"""The end-of-run summary of the AWS conformance worlds: per type, resources applied to moto,
comparisons read back and mismatches. Counts are plain data so that an xdist worker, where
the worlds are built, can hand them to the controller, which prints the summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

#: The key of a worker's counts in its ``workeroutput``.
WORKER_KEY = "aws_conformance"


def counts(worlds: Iterable[Any]) -> dict[str, Any]:
    """The counts of some built worlds (tests/aws/conformance/conftest.py's ``World``)."""
    resources: Counter[str] = Counter()
    compared: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    stacks: list[str] = []
    for world in worlds:
        stacks += list(world.applied)
        for applied in world.applied.values():
            resources.update(a.recorded.type for a in applied.resources.values())
        for findings in world.findings.values():
            compared.update(f.type for f in findings)
            wrong.update(f.type for f in findings if not f.compared.ok)
    return {
        "stacks": stacks,
        "resources": dict(resources),
        "compared": dict(compared),
        "wrong": dict(wrong),
    }


def write(terminalreporter: pytest.TerminalReporter, runs: Iterable[Mapping[str, Any]]) -> None:
    """The summary section for the counts of one or more processes (nothing if none)."""
    runs = [r for r in runs if r["stacks"]]
    if not runs:
        return
    resources: Counter[str] = Counter()
    compared: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    stacks: list[str] = []
    for run in runs:
        stacks += run["stacks"]
        resources.update(run["resources"])
        compared.update(run["compared"])
        wrong.update(run["wrong"])
    terminalreporter.section("AWS conformance (moto)")
    terminalreporter.write_line(f"stacks applied and read back: {', '.join(stacks)}")
    for type_token in sorted(resources):
        terminalreporter.write_line(
            f"{type_token:55} {resources[type_token]:5} applied "
            f"{compared[type_token]:6} compared {wrong[type_token]:3} mismatched"
        )
    terminalreporter.write_line(
        f"{len(resources)} types, {sum(resources.values())} resources, "
        f"{sum(compared.values())} comparisons, {sum(wrong.values())} mismatched"
    )
