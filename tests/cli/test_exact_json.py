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


# The document in pieces (object_pieces, json_pieces): what the CLI writes.

_keys = st.text() | _odd_text


@settings(max_examples=400, deadline=None)  # a whole tree per item: 1,000 took 13 s
@given(
    st.dictionaries(_keys, _trees, max_size=4),
    _keys,
    st.lists(_trees, max_size=7),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
)
def test_the_pieces_joined_are_json_dumps(
    fields: dict[str, object], key: str, items: list[object], batch: int, newline: bool
) -> None:
    whole = {**fields, key: items}
    expected = reference(whole) + (b"\n" if newline else b"")
    pieces = list(exact_json.object_pieces(fields, key, iter(items), newline=newline, batch=batch))
    assert b"".join(pieces) == expected
    assert dumps(whole, newline=newline) == expected  # and the same as the whole-document path
    if key not in fields and items:  # streamed: a piece for the fields, each batch, the end
        assert len(pieces) == 2 + -(-len(items) // batch)


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(st.text(st.characters(exclude_categories=["Cs"])), _exact_trees, max_size=3),
    st.lists(_exact_trees, max_size=7),
    st.integers(min_value=1, max_value=3),
)
def test_the_pieces_on_the_orjson_path_alone(
    fields: dict[str, object], items: list[object], batch: int
) -> None:
    fields.pop("k", None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exact_json.indented_json, "dumps", _no_fallback)
        pieces = exact_json.object_pieces(fields, "k", items, floats_checked=True, batch=batch)
        assert b"".join(pieces) == reference({**fields, "k": items})


def _wrong_nest(array: bytes) -> bytes:
    return array[1:-2].replace(b"\n", b"\n ")  # one space short of the next level


@pytest.mark.parametrize(
    "nest",
    [
        _wrong_nest,
        lambda array: array[1:-2],  # not moved to its depth at all
        lambda array: array[1:-1].replace(b"\n", b"\n  "),  # the batch's closing newline kept
    ],
)
def test_a_wrongly_nested_batch_is_seen(monkeypatch, nest) -> None:
    """The negative control of the pieces: re-indentation done wrong gives other bytes, on
    plain values and on a real preview's resources."""
    fields, items = {"a": [1, {"b": None}]}, [{"x": [1, "\x7f"]}, {}, [[]], "s"]
    expected = reference({**fields, "k": items})
    assert b"".join(exact_json.object_pieces(fields, "k", items, batch=2)) == expected
    monkeypatch.setattr(exact_json, "_nest", nest)
    assert b"".join(exact_json.object_pieces(fields, "k", items, batch=2)) != expected
    preview = _preview({"days": 30}, "plan")
    document = reference(preview.to_json()) + b"\n"
    assert b"".join(preview_json.json_pieces(preview, batch=1)) != document


@pytest.mark.parametrize("engine", ["plan", "sdk"])
def test_a_real_preview_in_pieces(engine: str) -> None:
    """Every batch size gives the whole document's bytes, fast path or not."""
    preview = _preview(_ODD_INPUTS, engine)
    rebuilt = type(preview)(preview.stack, preview.catalog_path)
    rebuilt.resources = [dataclasses.replace(r, floats_exact=True) for r in preview.resources]
    exact = _preview({"days": 30, "text": "é \x7f 😀", "none": [None, {}]}, engine)
    for one in (preview, exact):
        expected = reference(one.to_json()) + b"\n"
        assert dumps(one.to_json(), newline=True) == expected
        count = len(one.resources)
        for batch in (1, 2, count - 1, count, 256):
            pieces = list(preview_json.json_pieces(one, batch=batch))
            assert b"".join(pieces) == expected, batch
            assert len(pieces) == 2 + -(-count // batch)
    # a recorder wrongly vouching for the odd floats: orjson's bytes, not json's (as for the
    # whole document, the flag is what the pieces trust)
    assert b"".join(preview_json.json_pieces(rebuilt)) != reference(rebuilt.to_json()) + b"\n"


def test_a_catalog_preview_in_pieces() -> None:
    """The example catalog's prod stack (hundreds of resources) in batches of 1, 7 and the
    CLI's: each the same bytes as the whole document written at once and as json's."""
    from seccat.engine.preview import run_preview

    preview = run_preview(load_catalog(ROOT / "catalog.yaml"), "prod", "catalog.yaml")
    assert all(r.floats_exact for r in preview.resources)
    whole = dumps(preview.to_json(), floats_checked=True, newline=True)
    assert whole == reference(preview.to_json()) + b"\n"
    for batch in (1, 7, exact_json.BATCH):
        assert b"".join(preview_json.json_pieces(preview, batch=batch)) == whole, batch
    assert render_json_bytes(preview) == whole
