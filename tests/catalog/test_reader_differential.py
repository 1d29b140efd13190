"""The fast plain reader against the full reader it stands in for.

``read_yaml`` reads the common case with ``_PlainReader`` (when ``_LineReader`` does not read
it first; here it is kept off) and hands everything else to ``_Reader``. Whatever it reads,
the result must be what ``_Reader`` alone gives: the same data (types included), the same
key and value positions, sequences, written text of typed scalars, refused paths and
diagnostics, and the same diagnostics from the whole loader.
Generated catalog-like YAML covers plain, quoted, typed and block scalars, flow and block
collections, duplicate and non-string keys, anchors, aliases, tags, extra documents and
random damage; a mutated plain reader is shown to be caught.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from seccat.catalog import loader, yamlsource
from seccat.catalog.yamlsource import MAX_DEPTH, PureParser, Source

#: ``read_yaml`` now tries ``_LineReader`` first; this file is about the plain reader behind
#: it, so it reads with the line reader off (tests/catalog/test_line_reader.py holds the
#: line reader to the same oracle).
_NO_LINE_READER = mock.patch.object(yamlsource._LineReader, "run", lambda self: False)


def read_yaml(raw: bytes, file: str = "catalog.yaml", parser: Any = None) -> Source:
    with _NO_LINE_READER:
        return yamlsource.read_yaml(raw, file, parser)


ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "catalogs"


def oracle(raw: bytes, file: str = "c.yaml", parser: Any = None) -> Source:
    """``read_yaml`` as it was before the plain reader: ``_Reader`` on every input."""
    src = Source(file)
    try:
        text = yamlsource._decode(raw, src)
        yamlsource._Reader(src, text, parser).run()
    except yamlsource._Fatal:
        src.fatal = True
        src.data = None
    return src


def observed(src: Source) -> tuple[Any, ...]:
    """Everything a later stage can see of a reading, in a comparable form."""
    positions = src.positions()
    return (
        src.fatal,
        repr(src.data),  # repr: 1, 1.0 and True differ, and nan equals itself
        list(src.keys.items()),  # lists: the order of the tables is kept too
        list(src.values.items()),
        sorted(src.sequences),
        sorted(src.written.items()),
        sorted(src.refused),
        [d.render() for d in src.diagnostics],
        [(path, positions[path]) for path in positions],
        [src.render(path) for path in src.keys],
    )


def took_plain_path(raw: bytes, parser: Any = None) -> bool:
    src = read_yaml(raw, "c.yaml", parser)
    return src._pending is not None  # positions not laid out yet: the plain reader read it


# --- generated catalog-like YAML -------------------------------------------------------

PLAIN_KEYS = [
    "a",
    "b",
    "c",
    "secrets",
    "owner",
    "type",
    "x-y",
    "p/q",
    "'quoted'",
    '"dq"',
    "no",
    "on",
    "2027-01-01",
    "é",
]
ODD_KEYS = ["1", "null", "~", "true", "0x1F", "''", "&k a", "!t a", "*k", "? [k]", "1.5"]
PLAIN_SCALARS = [
    "x",
    "eu-west-1",
    "payments/stripe-api-key",
    "Synthetic secret number 9",
    "0044",
    "1",
    "-2",
    "+3",
    "1.50",
    "1e3",
    ".inf",
    "-.Inf",
    ".nan",
    "0o17",
    "0x1F",
    "0x",
    "true",
    "False",
    "TRUE",
    "tRue",
    "~",
    "null",
    "Null",
    "nULL",
    "",
    "yes",
    "on",
    "2027-03-31",
    "'x'",
    "'0044'",
    '"true"',
    '"a\\tb"',
    "''",
    '"\\u00e9"',
    '"cron(0 4 ? * SUN *)"',
    "|",
    ">-",
]
ANCHORED_SCALARS = ["&a x", "*a", "&b [1]", "*b"]
TAGGED_SCALARS = ["!!str 1", "! x", "!custom 1", "!!int '1'", "!!map {}", "!!seq []", "! [x]"]
DAMAGE = ["\t", "\x07", ":", "- ", "---\n", "\n", "#", "'", '"', "&a ", "*a", "{", "]", "  ", "?"]


def _flow(node: Any) -> str:
    kind = node[0]
    if kind == "scalar":
        text = node[1]
        return '"block"' if text in ("|", ">-") else text
    if kind == "map":
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in node[2]) + "}"
    return "[" + ", ".join(_flow(v) for v in node[2]) + "]"


def _block(node: Any, indent: int) -> str:
    """``node`` as block lines at ``indent`` (a flow node or an empty one stays inline)."""
    sp = " " * indent
    if node[0] == "map":
        out = []
        for key, value in node[2]:
            if value[0] == "scalar" and value[1] in ("|", ">-"):
                out.append(f"{sp}{key}: {value[1]}\n{sp}  some text\n{sp}  more\n")
            elif value[0] == "scalar" or value[1] or not value[2]:
                out.append(f"{sp}{key}: {_flow(value)}\n")
            else:
                out.append(f"{sp}{key}:\n{_block(value, indent + 2)}")
        return "".join(out)
    out = []
    for value in node[2]:
        if value[0] == "scalar" or value[1] or not value[2]:
            out.append(f"{sp}- {_flow(value)}\n")
        else:  # compact: '- a: 1' with the rest of the mapping under it
            inner = _block(value, indent + 2)
            out.append(f"{sp}- {inner[indent + 2 :]}")
    return "".join(out)


def _tree(keys: list[str], scalars: list[str]) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(scalars).map(lambda s: ("scalar", s))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.tuples(
                st.just("map"),
                st.booleans(),
                st.lists(st.tuples(st.sampled_from(keys), children), max_size=4),
            ),
            st.tuples(st.just("seq"), st.booleans(), st.lists(children, max_size=4)),
        ),
        max_leaves=30,
    )


@st.composite
def documents(draw: Any, clean: bool = False) -> bytes:
    """A YAML document; ``clean`` leaves out what the plain reader gives up on (odd keys
    and scalars, damage, a root other than a mapping). Otherwise each of those is drawn
    on its own, so a document often has just one kind of trouble."""
    odd_keys, anchored, tagged, damaged, odd_root = (
        (False,) * 5 if clean else draw(st.tuples(*[st.booleans()] * 5))
    )
    keys = PLAIN_KEYS + ODD_KEYS if odd_keys else PLAIN_KEYS
    scalars = (
        PLAIN_SCALARS + (ANCHORED_SCALARS if anchored else []) + (TAGGED_SCALARS if tagged else [])
    )
    entries = draw(st.lists(st.tuples(st.sampled_from(keys), _tree(keys, scalars)), max_size=6))
    root: Any = ("map", draw(st.booleans()) and odd_root, entries)
    if odd_root and draw(st.booleans()):
        root = draw(_tree(keys, scalars))
    text = _block(root, 0) if root[0] != "scalar" and not root[1] and root[2] else _flow(root)
    if draw(st.booleans()):
        text = "# yaml-language-server: $schema=x\n---\n" + text
    if damaged:
        for _ in range(draw(st.integers(1, 2))):
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(DAMAGE)) + text[at:]
    return text.encode("utf-8")


PARSERS = st.sampled_from([None, PureParser])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=documents(), parser=PARSERS)
def test_read_yaml_reads_what_the_full_reader_reads(raw: bytes, parser: Any) -> None:
    assert observed(read_yaml(raw, "c.yaml", parser)) == observed(oracle(raw, "c.yaml", parser))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=documents(clean=True), parser=PARSERS)
def test_clean_documents_take_the_plain_path(raw: bytes, parser: Any) -> None:
    """The plain reader really reads the common case (else the test above proves little)."""
    expected = oracle(raw, "c.yaml", parser)
    assert observed(read_yaml(raw, "c.yaml", parser)) == observed(expected)
    if not expected.diagnostics and not expected.fatal:
        assert took_plain_path(raw, parser)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=documents())
def test_the_loader_reports_the_same_with_either_reader(raw: bytes) -> None:
    """Schema, semantic and secret-value diagnostics too (they read positions, paths and
    the written text of typed scalars from the reader)."""
    with _NO_LINE_READER:
        _, fast = loader.parse_catalog(raw, "c.yaml")
    with mock.patch.object(loader, "read_yaml", oracle):
        _, slow = loader.parse_catalog(raw, "c.yaml")
    assert [d.render() for d in fast] == [d.render() for d in slow]


@pytest.mark.parametrize(
    "path", [*sorted(FIXTURES.glob("*.yaml")), ROOT / "catalog.yaml"], ids=lambda p: p.name
)
def test_fixture_catalogs_read_the_same(path: Path) -> None:
    raw = path.read_bytes()
    assert observed(read_yaml(raw, "c.yaml")) == observed(oracle(raw, "c.yaml"))


def test_the_example_catalog_takes_the_plain_path() -> None:
    assert took_plain_path((ROOT / "catalog.yaml").read_bytes())


@pytest.mark.parametrize("flow", [True, False])
@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_at_the_limit_reads_the_same(depth: int, flow: bool) -> None:
    if flow:
        raw = ("{k: " * depth + "[x]" + "}" * depth).encode()
    else:
        raw = "".join("  " * i + "k:\n" for i in range(depth)).encode() + b"  " * depth + b"- x\n"
    assert observed(read_yaml(raw, "c.yaml")) == observed(oracle(raw, "c.yaml"))


def test_positions_are_laid_out_once_and_then_dropped() -> None:
    src = read_yaml(b"a: [1, {b: x}]\nc: 0044\n")
    table = src.positions()
    assert src._pending is not None  # nothing laid out until a place is looked up
    assert table[("a", "1", "b")].line == 1 and src._pending is None
    assert src.written == {("a", "0"): "1", ("c",): "0044"}


def test_replacing_the_data_lays_the_positions_out_first() -> None:
    src = read_yaml(b"a: [1]\n")
    src.data = {}
    assert src.keys[("a", "0")] == (1, 5) and src.written == {("a", "0"): "1"}


# --- negative controls: a plain reader changed in small ways is caught -----------------

MUTANTS = {
    "duplicate keys kept": (
        "                if key in result:\n                    raise _Unusual\n",
        "",
    ),
    "typed scalars read as strings": (
        "if event.style or (text and text[0] not in maybe_typed):\n                        result",
        "if event.style or text:\n                        result",
    ),
    "tags accepted": (
        "                if event.anchor is not None or event.ctag is not None:\n"
        "                    raise _Unusual  # an alias",
        "                if event.anchor is not None:\n"
        "                    raise _Unusual  # an alias",
    ),
    "written text at the wrong mark": (
        "typed[len(marks) - 1] = text\n                        items",
        "typed[len(marks) - 2] = text\n                        items",
    ),
    "key mark not kept": (
        "                mark(event.start_mark)\n                event = next_event()",
        "                event = next_event()",
    ),
}


def _mutant(old: str, new: str) -> type:
    source = textwrap.dedent(inspect.getsource(yamlsource._PlainReader))
    assert source.count(old) == 1, old
    yamlsource._load_ruamel()  # the event classes the mutant's code names
    namespace = dict(vars(yamlsource))
    exec(compile(source.replace(old, new), "<mutant>", "exec"), namespace)
    return namespace["_PlainReader"]


@pytest.mark.parametrize("name", list(MUTANTS))
def test_a_changed_plain_reader_is_caught(name: str) -> None:
    mutant = _mutant(*MUTANTS[name])

    def differs(raw: bytes) -> bool:
        try:
            with mock.patch.object(yamlsource, "_PlainReader", mutant):
                got = observed(read_yaml(raw, "c.yaml"))
        except Exception:  # misplaced marks cannot even be laid out
            return True
        return got != observed(oracle(raw, "c.yaml"))

    found = find(
        documents(),
        differs,
        settings=settings(
            max_examples=3000,
            deadline=None,
            phases=[Phase.generate],
            derandomize=True,
            database=None,
        ),
    )
    assert differs(found)
