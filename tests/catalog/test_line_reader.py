"""The line reader against the full reader it stands in for.

``read_yaml`` reads a catalog in the block-style subset with ``_LineReader`` (no libyaml
events at all) and hands everything else to ``_PlainReader`` and ``_Reader``. Whatever it
reads, the result must be what ``_Reader`` alone gives: the same data (types included, and
no container shared between two places), the same key and value positions, sequences,
written text of typed scalars, refused paths and diagnostics. Checked on every YAML file of
the repository, the YAML blocks of the documentation, generated benchmark catalogs, and
generated texts aimed at the subset's edges (indentation, compact sequences, comments,
quoting, flow collections, unicode) with damage on top (tabs, CRLF, anchors, tags,
duplicate lines, shifted indentation, document markers). Changed line readers are caught.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from seccat.catalog import loader, yamlsource
from seccat.catalog.yamlsource import PureParser, Source, read_yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_reader_differential import documents, observed, oracle

ROOT = Path(__file__).resolve().parents[2]


def shared_containers(data: Any) -> int:
    """How many dicts or lists are reached twice: the line reader caches what a line holds,
    and a cached collection handed out twice would let one place's edit change another."""
    seen: set[int] = set()
    shared = 0
    stack = [data]
    while stack:
        node = stack.pop()
        if type(node) in (dict, list):
            if id(node) in seen:
                shared += 1
                continue
            seen.add(id(node))
            stack.extend(node.values() if type(node) is dict else node)
    return shared


def seen_by_users(src: Source) -> tuple[Any, ...]:
    return (*observed(src), shared_containers(src.data))


def took_line_path(src: Source) -> bool:
    return isinstance(src._pending, yamlsource._Unmarked)


def same_as_oracle(raw: bytes, parser: Any = None, module: ModuleType = yamlsource) -> bool:
    got = module.read_yaml(raw, "c.yaml", parser)
    return seen_by_users(got) == seen_by_users(oracle(raw, "c.yaml", parser))


# --- generated texts at the edges of the subset ----------------------------------------

KEYS = ["a", "b", "owner", "x-y", "p/q", "a b", "é", "no", "2027-01-01", "'s q'", '"d q"']
ODD_KEYS = [
    "1",
    "null",
    "~",
    "true",
    "0o17",
    "''",
    '""',
    "a:b",
    "-a",
    "?a",
    "a#b",
    '"a: b"',
    "'it''s'",
    '"a\\tb"',
    "k" * 1030,
    "<<",
    "&x a",
    "!t a",
    "? a",
    "[a]",
    "{a: b}",
    "a\u00a0b",
]
SCALARS = [
    "x",
    "eu-west-1",
    "Synthetic secret number 9",
    "a  b",
    "a:b",
    "a?b",
    "arn:aws:iam::111111111111:role/r",
    "https://example.com/x?y=1",
    "x, y",
    "a]",
    "a}",
    "-x",
    "-2",
    "0044",
    "0o17",
    "0o18",
    "0x1F",
    "1e3",
    "1.",
    ".5",
    "+3",
    ".inf",
    "-.Inf",
    ".NaN",
    "true",
    "False",
    "NULL",
    "~",
    "yes",
    "é",
    "日本",
    "\U0001f511 key",
    "''",
    "'it''s'",
    "'a #b'",
    "'a: b'",
    "'\"'",
    "'\\'",
    '""',
    '"true"',
    '"a #b"',
    '"a: b"',
    '"it\'s"',
    "{a: b}",
    "{a: 1, b: [x, 'y', \"z\"]}",
    "{ a: b , c: d }",
    "[]",
    "{}",
    "[a, [b, {c: 0o17}]]",
    "{a: {b: {c: {}}}}",
]
ODD_SCALARS = [
    "a#b",
    "a #b",
    "a: b",
    "b:",
    "-",
    "- x",
    "? x",
    ": x",
    "&a x",
    "*a",
    "!t x",
    "!!str 1",
    "|",
    ">-",
    "%x",
    "@x",
    "`x",
    '"a\\tb"',
    '"a\\"b"',
    '"\\x41"',
    '"\\/"',
    "'a\tb'",
    "{a:b}",
    '{"a":b}',
    "{a: }",
    "{a: b,}",
    "[a, b,]",
    "[a: b]",
    "{a: b, a: c}",
    "{1: x}",
    "{a: b} c",
    "{a: 'b #'}",
    "[a #b]",
    "{a: b?c}",
    "[a?, b]",
    "{a?b: c}",
    "[-x, - y]",
    "a\u00a0",
    "\u00a0a",
    "a\u2028b",
    "'a\u2028b'",
    "'a\u2029b'",
    '"a\x85b"',
    "'a\x07b'",
    "a\x85b",
    "a\ufeffb",
    "x" * 1100,
]
DAMAGE = [
    "\t",
    "\r",
    " ",
    "  ",
    "\n",
    "\n  ",
    "#",
    " #",
    ":",
    ": ",
    "- ",
    "-",
    "'",
    '"',
    "\\",
    "&a ",
    "*a",
    "!t ",
    "? ",
    "|",
    ",",
    "{",
    "}",
    "[",
    "]",
    "---",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "\ufeff",
    "\u2028",
    "\x85",
    "\xa0",
    "\x07",
    "é",
]


def _tree(keys: list[str], scalars: list[str]) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(scalars).map(lambda text: ("scalar", text))
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.tuples(
                st.just("map"), st.lists(st.tuples(st.sampled_from(keys), children), max_size=4)
            ),
            st.tuples(st.just("seq"), st.lists(children, max_size=4)),
        ),
        max_leaves=16,
    )


@st.composite
def line_documents(draw: Any, subset: bool = False) -> bytes:
    """Block YAML with varied indentation, compact and same-column sequences, empty values,
    comments and blank lines; ``subset`` keeps to what the line reader reads (then a valid
    text must take the line path), otherwise odd keys and scalars and damage are drawn."""
    odd = not subset and draw(st.booleans())
    # one odd key or scalar at a time, drawn often, so that a text often has just one kind
    # of trouble and has it more than once
    keys, scalars = KEYS, SCALARS
    if odd and draw(st.booleans()):
        keys = KEYS + [draw(st.sampled_from(ODD_KEYS))] * 4
    elif odd:
        scalars = SCALARS + [draw(st.sampled_from(ODD_SCALARS))] * 12
    entries = draw(st.lists(st.tuples(st.sampled_from(keys), _tree(keys, scalars)), max_size=5))
    choice = draw(st.randoms(use_true_random=False))

    def comment(indent: int) -> str:
        if choice.random() < 0.1:
            return " " * choice.choice([0, indent, indent + 3]) + "# note: x #y\n"
        return "\n" if choice.random() < 0.05 else ""

    def value_suffix() -> str:
        return choice.choice(["", "", "", "  ", " # c", "  #c: d"])

    def block(node: Any, indent: int, compact: bool = False) -> str:
        out = []
        if node[0] == "map":
            for i, (key, value) in enumerate(node[1]):
                if i or not compact:  # '- # c' then the mapping below is not the subset
                    out.append(comment(indent))
                head = " " * indent + key + ":"
                out.append(head + child(value, indent, in_map=True))
        else:
            for value in node[1]:
                out.append(comment(indent))
                dash = "-" + " " * choice.choice([1, 1, 1, 2, 3])
                if subset and value[0] == "seq" and value[1]:
                    out.append(" " * indent + dash + "[x, 'y', {z: 1}]\n")  # '-' alone is not
                elif value[0] == "map" and value[1] and (subset or choice.random() < 0.8):
                    inner = block(value, indent + len(dash), compact=subset)
                    out.append(" " * indent + dash + inner[indent + len(dash) :])
                else:
                    out.append(" " * indent + dash.rstrip(" ") + child(value, indent, in_map=False))
        return "".join(out)

    def child(value: Any, indent: int, in_map: bool) -> str:
        if value[0] == "scalar":
            text = value[1]
            if text in ("|", ">-"):
                return f" {text}\n{' ' * (indent + 2)}some text\n"
            if not subset and choice.random() < 0.05:  # a plain scalar over two lines
                return f" {text}\n{' ' * (indent + 2)}more\n"
            return f" {text}{value_suffix()}\n"
        if not value[1]:
            return " " + ("{}" if value[0] == "map" else "[]") + value_suffix() + "\n"
        if value[0] == "seq" and in_map and not subset and choice.random() < 0.3:
            return value_suffix() + "\n" + block(value, indent)  # '- x' under its key's column
        step = choice.choice([1, 2, 2, 2, 3, 4])
        return value_suffix() + "\n" + block(value, indent + step)

    text = block(("map", entries), 0)
    if draw(st.booleans()):
        text = "# yaml-language-server: $schema=x\n" + text
    if not subset and not odd and draw(st.booleans()):
        for _ in range(draw(st.integers(1, 2))):
            lines = text.split("\n")
            where = draw(st.integers(0, max(0, len(lines) - 1)))
            how = draw(
                st.sampled_from(["insert", "insert", "duplicate", "indent", "dedent", "crlf"])
            )
            if how == "insert":
                at = draw(st.integers(0, len(text)))
                text = text[:at] + draw(st.sampled_from(DAMAGE)) + text[at:]
                continue
            if how == "duplicate":
                lines.insert(where, lines[where])
            elif how == "indent":
                lines[where] = " " + lines[where]
            elif how == "dedent" and lines[where].startswith(" "):
                lines[where] = lines[where][1:]
            elif how == "crlf":
                lines = [line + "\r" for line in lines]
            text = "\n".join(lines)
    return text.encode("utf-8")


PARSERS = st.sampled_from([None, PureParser])
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(raw=line_documents(), parser=PARSERS)
def test_line_documents_read_as_the_full_reader_reads_them(raw: bytes, parser: Any) -> None:
    assert same_as_oracle(raw, parser)


@EXAMPLES
@given(raw=line_documents(subset=True))
def test_valid_texts_of_the_subset_take_the_line_path(raw: bytes) -> None:
    """The line reader really reads the subset (else the tests above prove little)."""
    expected = oracle(raw, "c.yaml")
    got = read_yaml(raw, "c.yaml")
    line_path = took_line_path(got)  # before anything lays the positions out
    assert seen_by_users(got) == seen_by_users(expected)
    if not expected.fatal and not expected.diagnostics:
        assert line_path, raw.decode()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=documents())
def test_the_plain_readers_documents_read_the_same(raw: bytes) -> None:
    """The earlier generator (flow roots, anchors, tags, block scalars, random damage)."""
    assert same_as_oracle(raw)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=line_documents())
def test_the_loader_reports_the_same_through_the_line_reader(raw: bytes) -> None:
    """Schema, semantic and secret-value diagnostics look positions, paths and written
    text up in the reading; through the line reader they come from libyaml's marks late."""
    _, fast = loader.parse_catalog(raw, "c.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "read_yaml", oracle)
        _, slow = loader.parse_catalog(raw, "c.yaml")
    assert [d.render() for d in fast] == [d.render() for d in slow]


# --- every YAML text of the repository and of the benchmarks ---------------------------

#: The repository's own files (git's list): a folder git ignores (a virtualenv, the checkov
#: benchmark's) holds third-party YAML that would make the run differ between checkouts.
YAML_FILES = sorted(
    ROOT / name
    for name in subprocess.run(
        ["git", "ls-files", "-z", "--", "*.yaml", "*.yml"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    .stdout.decode()
    .split("\0")
    if name
)


def _documented_yaml() -> list[tuple[str, str]]:
    blocks = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        found = re.findall(r"```ya?ml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        blocks += [(f"{path.name}[{i}]", text) for i, text in enumerate(found)]
    return blocks


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_reads_the_same(path: Path) -> None:
    raw = path.read_bytes()
    assert same_as_oracle(raw)
    assert same_as_oracle(raw.replace(b"\n", b"\r\n"))


@pytest.mark.parametrize("name,text", _documented_yaml(), ids=lambda v: v if "\n" not in v else "")
def test_documented_yaml_reads_the_same(name: str, text: str) -> None:
    assert same_as_oracle(text.encode())


def test_the_example_catalogs_take_the_line_path() -> None:
    for path in (ROOT / "catalog.yaml", ROOT / "tests" / "fixtures" / "features-catalog.yaml"):
        assert took_line_path(read_yaml(path.read_bytes())), path


@pytest.mark.parametrize("stacks", [None, "{mode: split}"])
def test_benchmark_catalogs_read_the_same_and_take_the_line_path(stacks: str | None) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from catalog_gen import generate

    raw = generate(120, stacks=stacks).encode()
    assert same_as_oracle(raw)
    assert took_line_path(read_yaml(raw))


SIMPLE_LINES = [
    "a:",
    "  team-004/secret-09978:",
    "    description: Synthetic secret number 9978",
    "  owner: team-1",
    "x: true",
    "true: x",
    "x: Null",
    "x: nan",
    "x: a@b.c",
    "é: ü",
    "a: b  c",
    "a: b ",
    "a:b",
    "k" * 901 + ": x",
]


@settings(max_examples=200, deadline=None)
@given(raw=line_documents())
def test_lines_found_at_once_are_what_each_line_holds(raw: bytes) -> None:
    """_simple_lines works the commonest lines out for all of them at once; each must be
    what _line makes of it alone."""
    lines = [*raw.decode("utf-8", "replace").split("\n"), *SIMPLE_LINES]
    for line, shape in yamlsource._simple_lines(lines).items():
        assert shape == yamlsource._line(line, {}, {}), line


def test_the_commonest_lines_are_found_at_once() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from catalog_gen import generate

    lines = generate(120).split("\n")
    shapes = yamlsource._simple_lines(lines)
    assert sum(line in shapes for line in lines) > len(lines) / 2
    for line, shape in shapes.items():
        assert shape == yamlsource._line(line, {}, {}), line


def test_positions_are_found_when_first_asked_for() -> None:
    src = read_yaml(b"a:\n  - {b: 0o17}\n  - c: [x]\n    d: 'y'\n")
    assert took_line_path(src)
    assert src.key_position(("a", "1", "d")).line == 4 and src._pending is None
    assert src.values[("a", "1", "d")] == (4, 8)
    assert src.written == {("a", "0", "b"): "0o17"} and src.data["a"][0] == {"b": 15}
    assert src.render(("a", "1", "c", "0")) == "a[1].c[0]"


# --- negative controls: a line reader changed in small ways is caught ------------------

#: name: (replaced text, replacement, a text the change reads differently)
MUTANTS = {
    "0o17 read as decimal": (
        "            return resolve_plain(plain)\n        return plain\n",
        "            return int(plain[2:]) if plain[:2] == '0o' else resolve_plain(plain)\n"
        "        return plain\n",
        b"a: 0o17\n",
    ),
    "numbers read as strings": (
        'if plain in _TYPED_WORDS or plain[0] in "0123456789+-.":',
        "if plain in _TYPED_WORDS:",
        b"a:\n  - 1\n",
    ),
    "duplicate keys kept": (
        "            if key in here:\n                raise _Unusual",
        "",
        b"a: 1\na: 2\n",
    ),
    "control characters let through": ('"[^\\n -~', '"[^\\x01-\\x1f -~', "a: 'é\x07'\n".encode()),
    "control characters let through in ASCII text": (
        'b"\\n" + bytes(range(0x20, 0x7F))',
        "bytes(range(0x01, 0x7F))",
        b"a: 'x\x07'\n",
    ),
    "a comment without a space before '#'": ("(?: +#.*| *)", "(?: *#.*| *)", b"a: x#y\n"),
    "a key line deeper than its block": (
        "            if column != indent:\n                raise _Unusual  # deeper",
        "            if column < indent:\n                raise _Unusual  # deeper",
        b"a:\n    b: 1\n  c: 2\n",
    ),
    "a flow collection shared between lines": (
        "            value = value.copy() if kind == _FLAT else _copied(value)\n"
        "            here.append(value)",
        "            here.append(value)",
        b"a:\n  - {b: c}\n  - {b: c}\n",
    ),
    "positions found in another text": (
        "_Unmarked(text, self.parser)",
        "_Unmarked(text.replace('\\n\\n', '\\n'), self.parser)",
        b"a: 1\n\nb: 2\n",
    ),
}
#: Changes the generated texts find quickly as well (the others take thousands of texts).
FOUND_BY_GENERATION = [
    "numbers read as strings",
    "duplicate keys kept",
    "positions found in another text",
]


def _mutant(old: str, new: str) -> ModuleType:
    source = Path(yamlsource.__file__).read_text(encoding="utf-8")
    assert source.count(old) == 1, old
    module = ModuleType("yamlsource_mutant")
    exec(compile(source.replace(old, new), "<mutant>", "exec"), module.__dict__)
    return module


def _differs(raw: bytes, mutant: ModuleType) -> bool:
    try:
        return not same_as_oracle(raw, module=mutant)
    except Exception:  # marks that do not fit the data cannot even be laid out
        return True


@pytest.mark.parametrize("name", list(MUTANTS))
def test_a_changed_line_reader_is_caught(name: str) -> None:
    old, new, witness = MUTANTS[name]
    assert same_as_oracle(witness)
    assert _differs(witness, _mutant(old, new))


@pytest.mark.parametrize("name", FOUND_BY_GENERATION)
def test_generated_texts_catch_a_changed_line_reader(name: str) -> None:
    mutant = _mutant(*MUTANTS[name][:2])
    found = find(
        line_documents(),
        lambda raw: _differs(raw, mutant),
        settings=settings(
            max_examples=1000,
            deadline=None,
            phases=[Phase.generate],
            derandomize=True,
            database=None,
        ),
    )
    assert _differs(found, mutant)
