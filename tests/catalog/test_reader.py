"""The YAML reader: hostile and odd inputs become one located diagnostic, quickly."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog, read_bytes
from seccat.catalog.model import Position
from seccat.catalog.yamlsource import (
    MAX_BYTES,
    MAX_DEPTH,
    PureParser,
    read_yaml,
    resolve_plain,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "catalogs"


def rendered(raw: bytes) -> list[str]:
    return [d.render() for d in read_yaml(raw, "c.yaml").diagnostics]


def test_positions_of_keys_and_values_are_one_based() -> None:
    src = read_yaml(b"a:\n  b: [x, {c: 1}]\n  'd': 2\n")
    assert src.data == {"a": {"b": ["x", {"c": 1}], "d": 2}}
    assert src.key_position(("a", "b")) == Position(2, 3)
    assert src.value_position(("a", "b")) == Position(2, 6)
    assert src.key_position(("a", "b", "1")) == Position(2, 10)
    assert src.key_position(("a", "b", "1", "c")) == Position(2, 11)
    assert src.value_position(("a", "b", "1", "c")) == Position(2, 14)
    assert src.key_position(("a", "d")) == Position(3, 3)
    assert src.render(("a", "b", "1", "c")) == "a.b[1].c"


def test_yaml_12_scalars_without_11_surprises() -> None:
    assert resolve_plain("on") == "on"
    assert resolve_plain("no") == "no"
    assert resolve_plain("2027-03-31") == "2027-03-31"
    assert resolve_plain("0x1f") == 31
    assert resolve_plain("0o17") == 15
    assert resolve_plain("1.5e3") == 1500.0
    assert resolve_plain("~") is None
    assert resolve_plain("True") is True
    src = read_yaml(b"a: '1'\nb: 1\nc: \"true\"\nd:\n")
    assert src.data == {"a": "1", "b": 1, "c": "true", "d": None}


def test_duplicate_keys_are_errors_at_every_depth() -> None:
    assert rendered(b"a:\n  - {x: 1, y: 2, x: 3}\n") == [
        "c.yaml:2:18: error: a[0].x: duplicate key 'x' (first written at line 2, column 6); "
        "a catalog never keeps the last one (DUPLICATE_KEY)"
    ]
    assert read_yaml(b"a: 1\na: 2\n").data == {"a": 1}  # first kept, never the last


def test_alias_is_refused_where_it_is_written() -> None:
    assert rendered(b"a: [1]\nb: *x\n") == [
        "c.yaml:2:4: error: not valid YAML: found undefined alias 'x' (YAML)"
    ] or rendered(b"a: [1]\nb: *x\n")[0].startswith("c.yaml:2:4: error: ")
    assert rendered(b"a: &x [1]\n") == [
        "c.yaml:1:4: error: a: anchor '&x' is not allowed; write the value out "
        "(a catalog refuses anchors and aliases) (ALIAS)"
    ]


def test_merge_keys_are_refused() -> None:
    out = rendered(b"base: &b {x: 1}\nother:\n  <<: *b\n")
    assert out == [
        "c.yaml:1:7: error: base: anchor '&b' is not allowed; write the value out "
        "(a catalog refuses anchors and aliases) (ALIAS)"
    ]


def test_billion_laughs_is_refused_quickly_in_bounded_memory() -> None:
    lines = [b'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [".encode() + b",".join([f"*a{i - 1}".encode()] * 10) + b"]")
    raw = b"\n".join(lines) + b"\n"
    tracemalloc.start()
    started = time.perf_counter()
    catalog, diagnostics = parse_catalog(raw, "bomb.yaml")
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert catalog is None
    assert [d.code for d in diagnostics] == ["ALIAS"]
    assert (diagnostics[0].line, diagnostics[0].column) == (1, 5)
    assert elapsed < 0.5
    assert peak < 5_000_000


def test_deep_nesting_is_bounded() -> None:
    out = rendered(b"[" * 10_000 + b"]" * 10_000)
    assert len(out) == 1
    assert out[0].startswith(f"c.yaml:1:{MAX_DEPTH + 1}: error: ")
    assert out[0].endswith(
        f"nesting is deeper than {MAX_DEPTH} levels; a catalog needs far fewer (DEPTH)"
    )
    block = b"".join(b"  " * i + b"k:\n" for i in range(200))
    out = rendered(block)
    assert len(out) == 1 and "(DEPTH)" in out[0] and out[0].startswith("c.yaml:33:")


def test_file_over_the_cap_is_refused_fast() -> None:
    raw = b"a: " + b"x" * (10 * 1024 * 1024) + b"\n"  # 10 MB
    started = time.perf_counter()
    out = rendered(raw)
    assert time.perf_counter() - started < 0.5
    assert out == [
        f"c.yaml:1:1: error: file is larger than {MAX_BYTES // 1048576} MiB, the limit for a "
        "catalog (10,000 secrets take about 5 MB) (TOO_LARGE)"
    ]


def test_read_bytes_never_reads_past_the_cap(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (MAX_BYTES + 100))
    assert len(read_bytes(big)) == MAX_BYTES + 1


def test_large_but_allowed_scalar_is_read() -> None:
    src = read_yaml(b"a: " + b"x" * (4 * 1024 * 1024) + b"\n")
    assert src.diagnostics == [] and len(src.data["a"]) == 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\xef\xbb\xbfa: 1\n", {"a": 1}),  # a UTF-8 byte order mark is accepted
        (b"a: 1\n...\n", {"a": 1}),  # an explicit document end is one document
        (b"---\na: 1\n", {"a": 1}),
    ],
)
def test_accepted_variants(raw: bytes, expected: object) -> None:
    src = read_yaml(raw)
    assert src.diagnostics == [] and src.data == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"a: 1\n\x00", "c.yaml:2:1: error: file contains NUL bytes"),
        (b"a: b\n  c: d\n", "c.yaml:2:4: error: not valid YAML: mapping values are not allowed"),
        (b"a: 'x\n", "c.yaml:2:1: error: not valid YAML: found unexpected end of stream"),
        (b"\ta: 1\n", "c.yaml:1:1: error: tab character; indent YAML with spaces, not tabs"),
        (b"a: \x07\n", "c.yaml:1:4: error: not valid YAML: control character U+0007 is not"),
        (b"a: 1\n\xed\xa0\x80\n", "c.yaml:2:1: error: invalid UTF-8 byte 0xed"),
        (b"? \n: 1\n", "c.yaml:1:2: error: an empty key is null; keys must be strings"),
        (b"*x : 1\n", "c.yaml:1:1: error: "),
        (b"a: !custom 1\n", "c.yaml:1:4: error: a: YAML tag '!custom' is not allowed"),
        (b"%YAML 1.1\n--- a\n--- b\n", "c.yaml:3:1: error: a catalog is a single YAML document"),
    ],
)
def test_bad_input_is_one_located_line(raw: bytes, expected: str) -> None:
    out = rendered(raw)
    assert len(out) == 1, out
    assert out[0].startswith(expected), out[0]
    assert "\n" not in out[0]


def test_pure_python_parser_reads_the_same() -> None:
    """Where the C extension is missing the pure parser takes over: same data, same places."""
    for path in [*sorted(FIXTURES.glob("*.yaml")), ROOT / "catalog.yaml"]:
        raw = path.read_bytes()
        fast, pure = read_yaml(raw), read_yaml(raw, parser=PureParser)
        assert (fast.data, fast.keys, fast.values) == (pure.data, pure.keys, pure.values), path
        assert [(d.line, d.column, d.code) for d in fast.diagnostics] == [
            (d.line, d.column, d.code) for d in pure.diagnostics
        ], path
