"""The preview's JSON encoder writes exactly what ``json.dumps(indent=2, ensure_ascii=True)``
writes: generated trees with every kind of leaf (unicode beyond the BMP, control and DEL
characters, NaN, infinities, big integers, exponent floats, str subclasses)."""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seccat.reports.indented_json import dumps


class Colour(str, enum.Enum):  # noqa: UP042 - what pulumi enums are
    RED = "red"


_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.just(Colour.RED)
)
_trees = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=600, deadline=None)
@given(_trees)
def test_same_bytes_as_json_dumps(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=True)


def test_the_leaves_json_treats_specially() -> None:
    value = {"nan": math.nan, "inf": -math.inf, "tiny": 2.5e-05, "del": "\x7f", "astral": "😀"}
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=True)
    assert '"\\u007f"' in dumps(value) and "\\ud83d\\ude00" in dumps(value)


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({1: "int keys are converted by json, never written by seccat"})
