"""The plan as a GitHub Actions matrix: platform stacks first, then team stacks in parallel.

One compact JSON line, so a workflow step can put it in ``$GITHUB_OUTPUT``:

    {"platform": {"include": [...]}, "shards": {"include": [...]}, "hasShards": true,
     "maxParallel": 4}

A job over ``platform`` deploys each environment's platform (or only) stack; a job over
``shards`` ``needs`` it and runs the team stacks with ``max-parallel: maxParallel``
(examples/ci/seccat-stacks.yml). GitHub refuses an empty matrix, hence ``hasShards``.
"""

from __future__ import annotations

import json

from seccat.stacks.plan import CatalogPlan, StackSpec


def _entry(spec: StackSpec) -> dict[str, object]:
    return {
        "stack": spec.name,
        "environment": spec.environment,
        "kind": spec.kind,
        "team": spec.team or "",
        "resources": spec.resources,
    }


def github_matrix(plan: CatalogPlan, max_parallel: int) -> str:
    platform = [_entry(s) for s in plan.stacks if s.kind != "shard"]
    shards = [_entry(s) for s in plan.stacks if s.kind == "shard"]
    document = {
        "platform": {"include": platform},
        "shards": {"include": shards},
        "hasShards": bool(shards),
        "maxParallel": max_parallel,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=False) + "\n"


def plan_json(plan: CatalogPlan) -> str:
    """The whole plan, for tools: every stack, what it holds and what it waits for."""
    document = {
        "schemaVersion": 1,
        "environments": [
            {
                "environment": e.environment,
                "mode": e.mode,
                "budget": e.budget,
                "resources": e.resources,
                "stacks": [s.to_json() for s in e.stacks],
            }
            for e in plan.environments
        ],
    }
    return json.dumps(document, indent=2, sort_keys=False) + "\n"


def plan_text(plan: CatalogPlan) -> str:
    """One line per stack, environments in catalog order."""
    rows = [("STACK", "KIND", "RESOURCES", "SECRETS", "SERVICES", "AFTER")]
    for spec in plan.stacks:
        rows.append(
            (
                spec.name,
                spec.kind,
                str(spec.resources),
                str(len(spec.secrets)),
                str(len(spec.services)),
                spec.platform_stack if spec.kind == "shard" else "-",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"
