"""The preview's fast JSON writes exactly ``json.dumps(indent=2, ensure_ascii=True)``.

orjson writes most of the document; the guard in seccat.reports.exact_json decides when it
may (every float exact, as the recorder or a walk proves) and fixes what it writes raw (DEL,
text beyond ASCII). Generated trees with every leaf json treats specially go through it, the
fast path is checked on its own, a real preview with such inputs goes through the renderer,
and orjson alone is shown to differ on the same values, so these comparisons can fail.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from pathlib import Path

import orjson
import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seccat.catalog.loader import load_catalog
from seccat.engine.preview import run_program
from seccat.exact_floats import EXACT_LIMIT, exact_float
from seccat.reports import exact_json, preview_json
from seccat.reports.exact_json import dumps, plain
from seccat.reports.preview_json import render_json, render_json_bytes

ROOT = Path(__file__).resolve().parents[2]


def reference(value: object) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=True).encode("ascii")


class Colour(str, enum.Enum):  # noqa: UP042 - what pulumi enums are
    RED = "red"


#: Floats json and orjson write differently, and ones at the edges of the exact range.
_odd_floats = st.sampled_from(
    [
        *(math.nan, math.inf, -math.inf, -0.0, 1e-05, 2.5e-07, 1e-310, 5e-324, 1e16, 1e22),
        *(EXACT_LIMIT, -EXACT_LIMIT, EXACT_LIMIT + 2, 0.1, 1 / 3, 123456789012345.6),
    ]
)
_odd_text = st.sampled_from(["\x7f", "\x00\x1f", "é", "😀", "\ud800", "\udc00x", "\u2028", "/"])
_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | _odd_floats
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.integers(min_value=-(2**60), max_value=2**60).map(float)
    | st.text()
    | _odd_text
    | st.just(Colour.RED)
)
_trees = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text() | _odd_text, inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=1000, deadline=None)
@given(_trees, st.booleans())
def test_same_bytes_as_json_dumps(value: object, newline: bool) -> None:
    expected = reference(value) + (b"\n" if newline else b"")
    assert dumps(value, newline=newline) == expected


#: Trees orjson can write whole: exact floats, 64-bit integers, text without lone surrogates.
_exact_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.integers(min_value=-(2**53), max_value=2**53).map(float)
    | st.sampled_from([0.0, -0.0, 30.0, 3600.0, 365.0, EXACT_LIMIT, -EXACT_LIMIT])
    | st.text(st.characters(exclude_categories=["Cs"]))
    | _odd_text.filter(lambda t: not any("\ud800" <= c <= "\udfff" for c in t))
    | st.just(Colour.RED)
)
_exact_trees = st.recursive(
    _exact_leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), inner, max_size=4)
    ),
    max_leaves=25,
)


def _no_fallback(value: object) -> str:
    raise AssertionError(f"fell back to the Python encoder on {value!r}")


@settings(max_examples=1000, deadline=None)
@given(_exact_trees)
def test_the_orjson_path_alone_writes_json_bytes(value: object) -> None:
    """No fallback here: the Python encoder is made to fail, so every byte is orjson's plus
    the guard's escapes."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact_json.indented_json, "dumps", _no_fallback)
        assert dumps(value, floats_checked=True) == reference(value)
        if plain(value):  # no str subclass (the enum): the walk vouches instead
            assert dumps(value, newline=True) == reference(value) + b"\n"


@settings(max_examples=3000, deadline=None)
@given(
    st.floats(allow_nan=True, allow_infinity=True)
    | st.integers(min_value=-(2**54), max_value=2**54).map(float)
)
def test_an_exact_float_is_written_alike(value: float) -> None:
    if exact_float(value):
        assert orjson.dumps(value) == repr(value).encode() == json.dumps(value).encode()


def test_the_exact_range() -> None:
    assert exact_float(30.0) and exact_float(-0.0) and exact_float(EXACT_LIMIT)
    for value in (0.5, EXACT_LIMIT + 2, 1e16, 1e-05, math.nan, math.inf, -math.inf):
        assert not exact_float(value), value


def test_orjson_alone_differs_on_these_values() -> None:
    """The negative control: without the guard, orjson's bytes are not json's."""
    for value in (math.nan, math.inf, 1e-05, 2.5e-07, "\x7f", "é", "😀", {"k": [math.nan]}):
        assert orjson.dumps(value, option=orjson.OPT_INDENT_2) != reference(value), value
        assert dumps(value) == reference(value), value
    # and a caller that vouches for floats it did not check gets orjson's wrong bytes: the
    # floats_checked flag is what the recorder must get right
    assert dumps([math.nan, 1e-05], floats_checked=True) != reference([math.nan, 1e-05])


def test_plain_refuses_what_orjson_and_json_see_differently() -> None:
    class Number(float):
        pass

    class Mapping(dict):  # type: ignore[type-arg]
        pass

    assert plain({"a": [1, "x", None, True, 30.0, (2.0,)]})
    for value in ({"a": math.nan}, [1e-05], {1: "x"}, Number(1.0), Mapping(), {"a": object()}):
        assert not plain(value), value


def test_what_json_refuses_is_refused() -> None:
    import datetime

    @dataclasses.dataclass
    class Point:
        x: int

    for value in (
        {"a": object()},
        {1: "int keys are converted by json, never written by seccat"},
        {"when": datetime.datetime(2026, 1, 1)},
        [Point(1)],
    ):
        with pytest.raises(TypeError):
            dumps(value, floats_checked=True)
        with pytest.raises(TypeError):
            dumps(value)


_THING = "seccat:test:Thing"


def _preview(inputs: dict[str, object], engine: str):
    catalog = load_catalog(ROOT / "catalog.yaml")

    def main() -> None:
        pulumi.CustomResource(_THING, "odd", props=inputs)
        pulumi.CustomResource(_THING, "plain", props={"days": 30, "seconds": 3600.0})

    return run_program(main, catalog, "dev", "catalog.yaml", engine=engine)  # type: ignore[arg-type]


_ODD_INPUTS = {
    "nan": math.nan,
    "infinities": [math.inf, -math.inf],
    "negativeZero": -0.0,
    "tiny": 1e-05,
    "tinier": 2.5e-07,
    "huge": 1e22,
    "big": 2**60,
    "half": 0.5,
    "text": "é \x7f 😀 \u2028 \x00",
    "nested": {"empty": {}, "list": [], "deep": [[{"x": [1e-300]}]]},
}


@pytest.mark.parametrize("engine", ["plan", "sdk"])
def test_a_real_preview_with_odd_inputs(engine: str) -> None:
    preview = _preview(_ODD_INPUTS, engine)
    odd, plain_one = (preview.named(n) for n in ("odd", "plain"))
    assert odd.inputs["tiny"] == 1e-05 and math.isnan(odd.inputs["nan"])
    assert not odd.floats_exact and plain_one.floats_exact
    expected = reference(preview.to_json()) + b"\n"
    assert render_json_bytes(preview) == expected
    assert render_json(preview) == expected.decode("ascii")
    # a preview made another way (no recorder's word for its floats) is walked instead
    rebuilt = type(preview)(preview.stack, preview.catalog_path)
    rebuilt.resources = [dataclasses.replace(r, floats_exact=False) for r in preview.resources]
    assert render_json_bytes(rebuilt) == expected
    # the same document written by orjson alone is not json's: the test can fail
    assert orjson.dumps(preview.to_json(), option=orjson.OPT_INDENT_2) + b"\n" != expected


def test_a_real_preview_of_exact_floats_takes_the_fast_path(monkeypatch) -> None:
    preview = _preview({"days": 30, "text": "é \x7f 😀", "none": [None, {}]}, "plan")
    assert all(r.floats_exact for r in preview.resources)
    expected = reference(preview.to_json()) + b"\n"
    # unvouched but plain: walked per resource, then orjson
    rebuilt = type(preview)(preview.stack, preview.catalog_path)
    rebuilt.resources = [dataclasses.replace(r, floats_exact=False) for r in preview.resources]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact_json.indented_json, "dumps", _no_fallback)
        assert render_json_bytes(rebuilt) == expected

    monkeypatch.setattr(exact_json.indented_json, "dumps", _no_fallback)
    # nor walked: the recorder vouched for every resource
    monkeypatch.setattr(exact_json, "plain", _no_fallback)
    monkeypatch.setattr(preview_json, "plain", _no_fallback)
    assert render_json_bytes(preview) == expected
