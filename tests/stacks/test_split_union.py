"""Micro-stacks build exactly what one stack builds (issue 12, item 1).

For every environment of a split catalog, the union of the platform and team stacks'
offline previews equals the single-stack preview resource by resource: the same custom
resources (type and logical name), each in exactly one stack, with the same inputs (so the
platform outputs a team stack reads through its StackReference, and the deterministic names
it uses for other stacks' resources, are the ones the single stack wires), options,
providers and catalog references. Only URNs and parents differ, and dependencies on
resources of another stack (which the deployment order replaces): a team stack keeps
exactly the single stack's dependencies among its own resources.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from catalog_gen import generate

from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Catalog, StackSettings
from seccat.engine.preview import Preview, run_preview
from seccat.engine.recording import RecordedResource
from seccat.stacks.plan import plan_environment

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = "pulumi:pulumi:StackReference"
Key = tuple[str, str]


def _key_of_urn(urn: str) -> Key:
    """(type, name) of a URN: its last type segment and its name."""
    chain, name = urn.rsplit("::", 1)
    return chain.rsplit("::", 1)[-1].rsplit("$", 1)[-1], name


def _view(r: RecordedResource, keep: set[Key] | None) -> dict[str, Any]:
    """A resource apart from its URN and parent; dependencies as (type, name), restricted to
    ``keep`` (the resources of one team stack) when given."""
    # what a team stack reads from the platform stack: its one StackReference
    deps = {k for k in map(_key_of_urn, r.dependencies) if k[0] != REFERENCE}
    options = dict(r.options)
    depends_on = list(options.get("dependsOn", []))
    if keep is not None:
        names = {n for _, n in keep}
        deps &= keep
        depends_on = [d for d in depends_on if d in names]
    options["dependsOn"] = depends_on
    provider = r.provider
    return {
        "inputs": r.inputs,
        "options": options,
        "catalogRef": r.catalog_ref,
        "provider": None
        if provider is None
        else (
            provider.package,
            _key_of_urn(provider.urn) if provider.urn else None,
            provider.region,
            provider.account,
        ),
        "dependencies": sorted(deps),
    }


def _custom(preview: Preview) -> dict[Key, RecordedResource]:
    found = [(r.type, r.name) for r in preview.resources if r.custom]
    repeated = [k for k, n in Counter(found).items() if n > 1]
    assert not repeated, repeated
    return {(r.type, r.name): r for r in preview.resources if r.custom}


def _split(catalog: Catalog, budget: int) -> Catalog:
    return replace(catalog, stacks=StackSettings(mode="split", budget=budget))


def _single(catalog: Catalog) -> Catalog:
    return replace(catalog, stacks=StackSettings(mode="single"))


def _assert_union_equals_single(catalog: Catalog, environment: str, source: str) -> None:
    plan = plan_environment(catalog, environment)
    assert plan.mode == "split"
    single = _custom(run_preview(_single(catalog), environment, source))
    union: dict[Key, tuple[str, RecordedResource]] = {}
    for spec in plan.stacks:
        preview = run_preview(catalog, spec.name, source)
        assert preview.stack == spec.name
        here = _custom(preview)
        # the budget counts exactly what the stack registers
        assert len(here) == spec.resources, (spec.name, len(here), spec.resources)
        twice = sorted(set(here) & set(union))
        assert not twice, f"{spec.name} repeats {twice[:3]} of {union[twice[0]][0]}"
        for key, r in here.items():
            union[key] = (spec.name, r)
        # every urn names its own stack; a team stack reads only its platform stack
        assert all(f"urn:pulumi:{spec.name}::" in r.urn for r in here.values())
        read = {
            k for r in here.values() for k in map(_key_of_urn, r.dependencies) if k[0] == REFERENCE
        }
        assert read <= {(REFERENCE, f"organization/seccat/{environment}")}, read
    assert sorted(union) == sorted(single)
    members: dict[str, set[Key]] = {}
    for key, (stack, _) in union.items():
        members.setdefault(stack, set()).add(key)
    for key, (stack, r) in union.items():
        keep = None if stack == environment else members[stack]
        expected = _view(single[key], keep)
        got = _view(r, None)
        if keep is None:
            # the platform stack keeps its dependencies on its own resources only, too
            got_keep = members[stack]
            expected = _view(single[key], got_keep)
            got = _view(r, got_keep)
        assert got == expected, (stack, key)


@pytest.fixture(scope="module")
def example() -> Catalog:
    return load_catalog(ROOT / "catalog.yaml")


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_example_catalog_split_per_team_equals_one_stack(
    example: Catalog, environment: str
) -> None:
    _assert_union_equals_single(_split(example, 500), environment, "catalog.yaml")


def test_example_catalog_hash_split_equals_one_stack(example: Catalog) -> None:
    """A budget below the biggest team's size splits it by hash; still the same resources."""
    catalog = _split(example, 25)
    plan = plan_environment(catalog, "prod")
    assert any(s.name.startswith("prod.payments.") for s in plan.stacks), plan.stacks
    _assert_union_equals_single(catalog, "prod", "catalog.yaml")


def test_generated_catalog_hash_split_equals_one_stack() -> None:
    """Every store and type, 20 teams, buckets within teams."""
    text = generate(120, n_teams=3, services_per_team=3)
    catalog, diagnostics = parse_catalog(text.encode(), "bench.yaml")
    assert catalog is not None, diagnostics
    catalog = _split(catalog, 120)
    plan = plan_environment(catalog, "prod")
    assert sum(1 for s in plan.stacks if s.kind == "shard") > 3, [s.name for s in plan.stacks]
    for spec in plan.stacks:
        if spec.resources > 120 and spec.kind == "shard":
            # only beside a group that cannot be split: an admin secret and the secrets
            # its rotators read it for (their functions name its ARN)
            assert f"{spec.team}/db-admin" in spec.secrets, (spec.name, spec.resources)
    _assert_union_equals_single(catalog, "prod", "bench.yaml")
