"""The compiled quick check never calls valid what jsonschema calls invalid."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from seccat.catalog.quickcheck import UnsupportedKeyword, compile_schema
from seccat.catalog.schema import quick_check, validator
from seccat.catalog.yamlsource import read_yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "catalogs"

ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    -1,
    70000,
    "",
    "x",
    "Payments",
    "40x",
    "30d",
    "eu-west-1",
    "a" * 300,
    "line\nbreak",
    [],
    ["dev"],
    ["dev", "dev"],
    {},
    {"x": 1},
    "cron(0 4 ? * SUN *)",
]


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


def _set(root: Any, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        root = root[part]
    root[path[-1]] = value


def _delete(root: Any, path: tuple) -> None:
    for part in path[:-1]:
        root = root[part]
    del root[path[-1]]


def test_agrees_with_jsonschema_on_thousands_of_mutations() -> None:
    base = read_yaml((ROOT / "catalog.yaml").read_bytes()).data
    quick, full = quick_check(), validator()
    assert quick(base) and not list(full.iter_errors(base))
    rng = random.Random(20261130)
    paths = [p for p in _paths(base) if p]
    disagreements, invalid = [], 0
    for _ in range(1500):
        data = copy.deepcopy(base)
        for _ in range(rng.randint(1, 2)):
            path = rng.choice(paths)
            try:
                action = rng.random()
                if action < 0.6:
                    _set(data, path, copy.deepcopy(rng.choice(ODD_VALUES)))
                elif action < 0.8:
                    _delete(data, path)
                else:
                    _set(data, (*path[:-1], "unknown_key"), 1)
            except (KeyError, IndexError, TypeError):
                continue
        valid = not any(True for _ in full.iter_errors(data))
        invalid += not valid
        if quick(data) and not valid:
            disagreements.append(data)
    assert disagreements == []
    assert invalid > 500  # the mutations really produced invalid catalogs


@pytest.mark.parametrize("name", ["schema-errors.yaml", "duplicate-key.yaml", "tagged.yaml"])
def test_says_no_to_invalid_fixtures(name: str) -> None:
    data = read_yaml((FIXTURES / name).read_bytes()).data
    assert not quick_check()(data)


def test_unknown_keywords_refuse_to_compile() -> None:
    with pytest.raises(UnsupportedKeyword):
        compile_schema({"type": "object", "oneOf": [{}]})
    with pytest.raises(UnsupportedKeyword):
        compile_schema({"type": "string", "format": "email"})
