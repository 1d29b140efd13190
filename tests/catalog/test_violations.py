"""The one-pass explainer (seccat.catalog.violations) finds exactly what jsonschema finds.

jsonschema is the reference implementation of JSON Schema; the explainer replaced it only
for speed (see docs/benchmarks.md). Catalogs are mutated at random (wrong types, unknown
and missing keys, bad names, duplicates in lists, integral floats, booleans for numbers)
and both must name the same (place, keyword) pairs.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from seccat.catalog.loader import parse_catalog
from seccat.catalog.schema import explainer, quick_check, validator
from seccat.catalog.violations import violations

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = YAML(typ="safe").load((ROOT / "catalog.yaml").read_text())

POOL: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    2.5,
    -3,
    70000,
    "",
    "x",
    "kv_prod",
    "Payments",
    "payments",
    "eu-west-10",
    "30d",
    "sys",
    "a" * 300,
    "*",
    [],
    ["dev", "dev"],
    [1, True],
    [1, 1.0],
    {},
    {"unknown": 1},
    {"every": "1d"},
]


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _nodes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _nodes(value, (*path, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def mutate(choose: Any, count: int) -> Any:
    """The example catalog with ``count`` random mutations; ``choose(options)`` picks one."""
    data = copy.deepcopy(EXAMPLE)
    for _ in range(count):
        path = choose(_nodes(data))
        action = choose(["replace", "add-key", "drop-key", "rename-key"])
        target = _get(data, path)
        if action == "replace" and path:
            _get(data, path[:-1])[path[-1]] = copy.deepcopy(choose(POOL))
        elif isinstance(target, dict) and action == "add-key":
            key = choose(["colour", "Bad Key", "kv_prod", "x" * 200, "owner"])
            target[key] = copy.deepcopy(choose(POOL))
        elif isinstance(target, dict) and target and action == "drop-key":
            del target[choose(sorted(target))]
        elif isinstance(target, dict) and target and action == "rename-key":
            old = choose(sorted(target))
            target[choose(["UPPER", "1abc", "ok-name", "a/b/c/d/e"])] = target.pop(old)
    return data


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    count = draw(st.integers(1, 4))
    return mutate(lambda options: draw(st.sampled_from(options)), count)


def _leaves(errors: Any) -> Any:
    for error in errors:
        if error.context and error.validator in ("anyOf", "oneOf"):
            yield from _leaves(error.context)
        else:
            yield error


def _reference(data: Any) -> set[tuple[tuple[str, ...], str, bool]]:
    out = set()
    for error in _leaves(validator().iter_errors(data)):
        path = tuple(str(p) for p in error.absolute_path)
        out.add((path, str(error.validator), "propertyNames" in error.schema_path))
    return out


def _ours(data: Any) -> set[tuple[tuple[str, ...], str, bool]]:
    found = violations(explainer(), data)
    # 'refused' is a check beyond JSON Schema; where jsonschema sees the same value fail its
    # pattern, the explainer words it as refused instead
    return {(v.path, "pattern" if v.keyword == "refused" else v.keyword, v.in_names) for v in found}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_explainer_agrees_with_jsonschema(data: Any) -> None:
    reference = _reference(data)
    assert _ours(data) == reference
    # and the quick check says "valid" exactly when there is nothing to report
    if quick_check()(data):
        assert reference == set()


def test_mutations_reach_every_keyword() -> None:
    """The generator is not vacuous: across a fixed sample every common kind of violation
    occurs (and the two implementations agree on each)."""
    rng = random.Random(8)
    seen: set[str] = set()
    for _ in range(150):
        data = mutate(rng.choice, rng.randint(1, 4))
        reference = _reference(data)
        assert _ours(data) == reference
        seen |= {keyword for _, keyword, _ in reference}
    assert {"type", "additionalProperties", "required", "pattern", "enum"} <= seen, seen


def test_an_invalid_catalog_reports_through_the_explainer() -> None:
    """One end-to-end case: the wording users see comes out of the explainer's records."""
    text = (ROOT / "catalog.yaml").read_text().replace("kv_mount: kv-prod", "kv_mount: kv_prod")
    _, diagnostics = parse_catalog(text)
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:23:23: error: environments.prod.vault.kv_mount: 'kv_prod' is not a valid "
        "Vault mount path (lowercase letters, digits and '-', starting with a letter, at most "
        "63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)"
    ]
