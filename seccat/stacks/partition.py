"""One big stack across worker processes, with exactly the preview one process makes.

A single stack (an environment in single-stack mode) is cut along the lines the split plan
already draws (seccat.stacks.plan): every team's secrets, services and team-wide resources
form one unit, and the units are dealt to ``count`` parts by their estimated size. Each
part runs the very same program under the stack's own name in a worker process, building
the environment's shared resources (a few dozen: the key, the topic, the service roles,
the layers, the dashboard) and, of the rest, only its own units. So every resource has the
URN, parent, inputs, options and dependencies it has in the whole stack: the shared ones
are there to be depended on, and nothing of one team's reads an object of another team's
(a resource policy names another team's role by its deterministic ARN). Merged, the parts
give the same resources; ordered as the engine orders them (parents first, siblings by
name), the same preview, byte for byte in every report.

A team is never cut: its KV rotator's schedules wait for the rotator's function, and a
database secret waits for its admin secret. A stack whose resources are mostly one team's
gains little.

The merge refuses (``PartsDisagree``) a resource two parts record differently: a shared
resource whose inputs would depend on the part, which the whole stack never has.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence

from seccat.catalog.model import Catalog, StackSettings
from seccat.engine.preview import Preview, tree_order
from seccat.engine.recording import RecordedResource
from seccat.stacks.parallel import DIED
from seccat.stacks.plan import StackSpec, make_environment_plan

#: Estimated resources from which a single stack runs across workers by default: below it
#: starting the workers and merging costs about what they save (docs/benchmarks.md).
THRESHOLD = 3_000


class PartsDisagree(Exception):
    """Two parts recorded one resource differently (a seccat defect)."""


def parts_of(catalog: Catalog, spec: StackSpec, count: int) -> list[StackSpec]:
    """``spec`` (a single stack) as at most ``count`` parts, largest units first to the
    lightest part; no parts when it has fewer than two teams to deal out."""
    if spec.kind != "single" or count < 2:
        return []
    whole = make_environment_plan(
        catalog, spec.environment, StackSettings(mode="split", budget=sys.maxsize)
    )
    units: dict[str, tuple[set[str], set[str], set[str], int]] = {
        team: (set(), set(), {team}, 0) for team in spec.teams
    }
    for shard in whole.stacks:
        if shard.kind != "shard":
            continue
        assert shard.team is not None
        secrets, services, teams, size = units[shard.team]
        secrets |= shard.secrets
        services |= shard.services
        units[shard.team] = (secrets, services, teams, size + shard.resources)
    if len(units) < 2:
        return []
    bins: list[tuple[set[str], set[str], set[str], int]] = [
        (set(), set(), set(), 0) for _ in range(min(count, len(units)))
    ]
    for secrets, services, teams, size in sorted(
        units.values(), key=lambda u: (-u[3], sorted(u[2]))
    ):
        lightest = min(range(len(bins)), key=lambda i: bins[i][3])
        s, v, t, n = bins[lightest]
        bins[lightest] = (s | secrets, v | services, t | teams, n + size)
    parts = [
        StackSpec(
            name=spec.name,
            environment=spec.environment,
            kind="single",
            secrets=frozenset(s),
            services=frozenset(v),
            teams=frozenset(t),
            resources=n,
            part=True,
        )
        for s, v, t, n in bins
        if s or v or t
    ]
    # Every unit of the stack in exactly one part, or no parts at all.
    for attribute in ("secrets", "services", "teams"):
        held = [x for p in parts for x in getattr(p, attribute)]
        if len(held) != len(set(held)) or set(held) != getattr(spec, attribute):
            return []
    return parts if len(parts) > 1 else []


def merge(stack: str, catalog_path: str, parts: Iterable[Sequence[RecordedResource]]) -> Preview:
    """The parts' resources as one preview: each shared resource once, in tree order."""
    by_urn: dict[str, RecordedResource] = {}
    for resources in parts:
        for resource in resources:
            seen = by_urn.setdefault(resource.urn, resource)
            if seen is not resource and seen != resource:
                raise PartsDisagree(f"the parts of stack {stack!r} disagree on {resource.urn}")
    return Preview(stack, catalog_path, tree_order(list(by_urn.values())))


def preview_in_parts(
    catalog: Catalog,
    stack: str,
    catalog_path: str,
    *,
    stack_config: Mapping[str, object] | None = None,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
    say: Callable[[str], None] = lambda line: None,
) -> Preview | None:
    """The preview of ``stack`` made by worker processes, or None when it is not worth
    them (one CPU, ``jobs`` 1, a small or split stack, one team, the SDK engine) or a part
    failed: then the caller runs the stack in this process, which reports any error
    exactly as it always does.

    ``jobs``: worker processes (None: the CPUs, from THRESHOLD estimated resources on);
    ``say`` hears the lines for stderr (each part as it is done, a worker that died)."""
    from seccat.engine.preview import default_engine
    from seccat.stacks.parallel import Task, in_processes, preload, workers_for
    from seccat.stacks.plan import stack_spec

    if jobs == 1 or default_engine() != "plan":
        return None
    try:
        spec = stack_spec(catalog, stack)
    except (KeyError, ValueError):
        return None  # the program says why, in this process
    if jobs is None:
        jobs = workers_for(len(spec.teams)) if spec.resources >= THRESHOLD else 1
    parts = parts_of(catalog, spec, jobs)
    if not parts:
        return None
    config = dict(stack_config or {})
    tasks = [Task("part", stack, catalog_path, config, part=p) for p in parts]
    preload(catalog)
    recorded: list[tuple[RecordedResource, ...]] = []
    # The parts arrive as millions of new objects that all live on: the cyclic collector
    # would rescan them again and again while they are unpickled and merged.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for index, outcome in enumerate(in_processes(tasks, len(tasks)), 1):
            if outcome.error is not None:
                if outcome.error.startswith(DIED):
                    say(f"seccat: note: {outcome.error}; running {stack} in this process")
                return None
            recorded.append(outcome.recorded)
            if progress is not None:
                progress(sum(len(r) for r in recorded))
            say(f"seccat: {stack}: part {index}/{len(tasks)}: {outcome.resources} resources")
        return merge(stack, catalog_path, recorded)
    finally:
        if enabled:
            gc.enable()
