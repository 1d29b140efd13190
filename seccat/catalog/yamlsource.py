"""Read catalog YAML into plain data plus the position of every key and value.

The reader works on the libyaml event stream instead of a constructed document, because
that is where the hostile cases can be refused cheaply: anchors and aliases are rejected
as soon as they appear (so an alias bomb never expands), nesting depth and file size are
bounded, duplicate and non-string keys are reported where they were written, and every
failure becomes a located diagnostic instead of a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.reader import ReaderError

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Position
from seccat.catalog.untrusted import quoted, segment


class PureParser:
    """ruamel.yaml's pure-Python parser behind the CParser ``get_event`` interface.

    Used only where the C extension is missing: about 25 times slower, same events.
    """

    def __init__(self, text: str) -> None:
        from ruamel.yaml import YAML

        self._events = YAML(typ="safe", pure=True).parse(text)

    def get_event(self) -> Any:
        return next(self._events)


try:  # libyaml through ruamel.yaml.clib: about 25x faster than the pure-Python parser
    from _ruamel_yaml import CParser as _Parser
except ImportError:  # pragma: no cover - only on platforms without the C extension
    _Parser = PureParser  # type: ignore[assignment,misc]


#: A catalog of 10,000 secrets is under 5 MB; the cap keeps a hostile file cheap to refuse.
MAX_BYTES = 8 * 1024 * 1024
#: The catalog format nests about 6 levels; anything much deeper is not a catalog.
MAX_DEPTH = 32
#: Stop collecting reader problems after this many; the rest adds nothing.
MAX_PROBLEMS = 100

#: A path is the keys leading to a value; sequence indexes are written as strings ("0"),
#: as in ``Catalog.positions``.
RawPath = tuple[str, ...]


class PositionTable(Mapping[RawPath, Position]):
    """Positions stored as bare (line, column) pairs and made into ``Position`` on access.

    A 10,000-secret catalog records half a million places; building a frozen dataclass
    for each up front would cost more than parsing the file.
    """

    def __init__(self, table: dict[RawPath, tuple[int, int]]) -> None:
        self._table = table

    def __getitem__(self, path: RawPath) -> Position:
        line, column = self._table[path]
        return Position(line, column)

    def __contains__(self, path: object) -> bool:
        return path in self._table

    def __iter__(self) -> Iterator[RawPath]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


@dataclass
class Source:
    """What the reader found: the data (None on a fatal problem) and where things are."""

    file: str
    data: Any = None
    #: Where each key was written (for sequence items: where the item starts).
    keys: dict[RawPath, tuple[int, int]] = field(default_factory=dict)
    #: Where each value starts.
    values: dict[RawPath, tuple[int, int]] = field(default_factory=dict)
    #: Paths of sequences, so a path renders as ``consumers[0]`` rather than ``consumers.0``.
    sequences: set[RawPath] = field(default_factory=set)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Paths whose content was refused by the reader (aliases, tags, non-string keys):
    #: later stages stay silent about them so each problem is reported once.
    refused: set[RawPath] = field(default_factory=set)
    #: The text as written of each plain scalar YAML read as a number, boolean or null
    #: (``044455556666`` for the int 44455556666): hints quote what the author wrote.
    written: dict[RawPath, str] = field(default_factory=dict)
    fatal: bool = False
    _rendered: dict[RawPath, str] = field(default_factory=dict, repr=False)

    def key_position(self, path: RawPath) -> Position:
        """Where the entry at ``path`` was written, or its closest written ancestor."""
        return Position(*_closest(self.keys, path))

    def value_position(self, path: RawPath) -> Position:
        """Where the value at ``path`` starts; falls back to the closest key."""
        if path in self.values:
            return Position(*self.values[path])
        return Position(*_closest(self.keys, path))

    def render(self, path: RawPath) -> str:
        """``secrets.payments/stripe-api-key.consumers[0].service``: how users name a place.

        Each key is shown safely (``printable``); prefixes are remembered, so rendering
        the paths of 100,000 diagnostics costs one new segment each."""
        done = self._rendered.get(path)
        if done is not None:
            return done
        if not path or _IGNORED in path:
            return self._render_slowly(path)
        parent = path[:-1]
        head = self.render(parent)
        part = printable(path[-1])
        if parent in self.sequences:
            part = f"[{part}]"
        elif head:
            part = f".{part}"
        out = self._rendered[path] = head + part
        return out

    def _render_slowly(self, path: RawPath) -> str:
        out = ""
        for i, raw_part in enumerate(path):
            if raw_part == _IGNORED:
                break
            part = printable(raw_part)
            if path[:i] in self.sequences:
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out

    def positions(self) -> PositionTable:
        return PositionTable(self.keys)


def printable(text: str) -> str:
    """A key as a location path shows it: escaped (a diagnostic is one line, and a key is
    shown as written even when it holds a newline), capped, never a secret value."""
    return segment(text)


def _closest(table: dict[RawPath, tuple[int, int]], path: RawPath) -> tuple[int, int]:
    while path:
        if path in table:
            return table[path]
        path = path[:-1]
    return table.get((), (1, 1))


#: Path element under which ignored content (a duplicate's value, a refused key) is read;
#: NUL never survives decoding, so it cannot collide with a real key.
_IGNORED = "\x00ignored"


class _Fatal(Exception):
    """Reading cannot go on; the diagnostic is already recorded."""


# YAML 1.2 core schema resolution for plain scalars. Done here rather than by a resolver so
# that 1.1 surprises (`on`, `no`, `2027-03-31` as a date) never happen: those stay strings.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOL["FALSE"] = False
_INT10 = re.compile(r"^[-+]?[0-9]+$")
_INT8 = re.compile(r"^0o[0-7]+$")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


#: First characters of plain scalars that may resolve to something other than a string.
_MAYBE_TYPED = frozenset("~nNtTfF0123456789+-.")


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar under the YAML 1.2 core schema."""
    if not text or text[0] in "~nNtTfF":
        if _NULL.match(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        return text
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT10.match(text):
            return int(text)
        if _INT8.match(text):
            return int(text[2:], 8)
        if _INT16.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
        if _INF.match(text):
            return float("-inf") if text[0] == "-" else float("inf")
        if _NAN.match(text):
            return float("nan")
    return text


_KIND = {type(None): "null", bool: "a boolean", int: "an integer", float: "a number"}


def read_yaml(raw: bytes, file: str = "catalog.yaml", parser: Any = None) -> Source:
    """Parse catalog bytes; never raises for bad input, reports it in ``diagnostics``.

    ``parser`` replaces the libyaml parser (tests run the pure-Python one through it).
    """
    src = Source(file=file)
    try:
        text = _decode(raw, src)
        _Reader(src, text, parser).run()
    except _Fatal:
        src.fatal = True
        src.data = None
    return src


def _problem(src: Source, pos: tuple[int, int], path: RawPath, message: str, code: str) -> None:
    if len(src.diagnostics) >= MAX_PROBLEMS:
        src.diagnostics.append(
            Diagnostic(src.file, pos[0], pos[1], "", "too many problems; stopping here", code)
        )
        raise _Fatal
    src.diagnostics.append(Diagnostic(src.file, pos[0], pos[1], src.render(path), message, code))


def _fatal(
    src: Source, pos: tuple[int, int], message: str, code: str, path: RawPath = ()
) -> NoReturn:
    message = " ".join(message.split())  # a diagnostic is one line, whatever the parser said
    src.diagnostics.append(Diagnostic(src.file, pos[0], pos[1], src.render(path), message, code))
    raise _Fatal


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return (raw.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def _decode(raw: bytes, src: Source) -> str:
    if len(raw) > MAX_BYTES:
        _fatal(
            src,
            (1, 1),
            f"file is larger than {MAX_BYTES // 1048576} MiB, the limit for a catalog "
            "(10,000 secrets take about 5 MB)",
            "TOO_LARGE",
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        _fatal(
            src,
            _offset_position(raw, nul),
            "file contains NUL bytes; a catalog is UTF-8 text, not a binary file",
            "ENCODING",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        _fatal(
            src,
            _offset_position(raw, exc.start),
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; a catalog must be UTF-8 text",
            "ENCODING",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        _fatal(src, (1, 1), "the file is empty; expected a catalog mapping", "YAML")
    return text


_ANCHOR_HINT = "write the value out (a catalog refuses anchors and aliases)"


class _Reader:
    """Builds plain data from parser events in one pass, refusing what a catalog never needs.

    This loop runs once per event (half a million for 10,000 secrets), hence the inlined
    mark arithmetic and ``type(...) is`` tests.
    """

    def __init__(self, src: Source, text: str, parser: Any = None) -> None:
        parser = parser or _Parser
        self.src = src
        self.text = text
        self.next = parser(text).get_event
        self.keys = src.keys
        self.values = src.values

    def run(self) -> None:
        try:
            self._stream()
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            pos = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            _fatal(self.src, pos, _yaml_message(exc, self.text, mark), "YAML")
        except ReaderError as exc:  # a character YAML does not allow (control codes)
            offset = max(0, min(int(exc.position), len(self.text)))
            line = self.text.count("\n", 0, offset) + 1
            column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
            char = (
                exc.character
                if isinstance(exc.character, int)
                else ord(str(exc.character)[:1] or "?")
            )
            _fatal(
                self.src,
                (line, column),
                f"not valid YAML: control character U+{char:04X} is not allowed",
                "YAML",
            )
        except (YAMLError, ValueError, RecursionError, MemoryError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            _fatal(self.src, (1, 1), f"not valid YAML: {first}", "YAML")

    def _plain(self, text: str, path: RawPath) -> Any:
        """A plain scalar's value; when it is not a string, its text is kept as written."""
        value = resolve_plain(text)
        if type(value) is not str:
            self.src.written[path] = text
        return value

    def _stream(self) -> None:
        documents = 0
        while True:
            event = self.next()
            kind = type(event)
            if kind is StreamEndEvent:
                break
            if kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    mark = event.start_mark
                    _fatal(
                        self.src,
                        (mark.line + 1, mark.column + 1),
                        "a catalog is a single YAML document; found another one here "
                        "(remove the '---' separator and what follows)",
                        "YAML",
                    )
            elif kind in (ScalarEvent, MappingStartEvent, SequenceStartEvent, AliasEvent):
                self.keys[()] = (1, 1)
                self.src.data = self._node(event, (), 1)
        if documents == 0:
            _fatal(self.src, (1, 1), "the file is empty; expected a catalog mapping", "YAML")

    def _node(self, event: Any, path: RawPath, depth: int) -> Any:
        mark = event.start_mark
        pos = (mark.line + 1, mark.column + 1)
        self.values[path] = pos
        kind = type(event)
        if (
            kind is ScalarEvent
            and event.anchor is None
            and (event.tag is None or event.implicit[0])
        ):
            if event.style:
                return event.value
            return self._plain(event.value, path)
        # Refused outright and at once: without anchors there is nothing to expand, so an
        # alias bomb costs no more than reading its first line.
        if kind is AliasEvent:
            _fatal(
                self.src,
                pos,
                f"alias '*{event.anchor}' is not allowed; {_ANCHOR_HINT}",
                "ALIAS",
                path,
            )
        if event.anchor:
            _fatal(
                self.src,
                pos,
                f"anchor '&{event.anchor}' is not allowed; {_ANCHOR_HINT}",
                "ALIAS",
                path,
            )
        tag = event.tag
        if tag and tag != "!" and not (kind is ScalarEvent and event.implicit[0]):
            _problem(
                self.src,
                pos,
                path,
                f"YAML tag '{tag}' is not allowed; a catalog uses plain values only",
                "TAG",
            )
            self.src.refused.add(path)
        if kind is ScalarEvent:
            return event.value if event.style else self._plain(event.value, path)
        if depth > MAX_DEPTH:
            _fatal(
                self.src,
                pos,
                f"nesting is deeper than {MAX_DEPTH} levels; a catalog needs far fewer",
                "DEPTH",
                path,
            )
        if kind is SequenceStartEvent:
            return self._sequence(path, depth)
        return self._mapping(path, depth)

    def _sequence(self, path: RawPath, depth: int) -> list[Any]:
        self.src.sequences.add(path)
        items: list[Any] = []
        keys, values = self.keys, self.values
        while True:
            event = self.next()
            if type(event) is SequenceEndEvent:
                return items
            item_path = (*path, str(len(items)))
            mark = event.start_mark
            pos = (mark.line + 1, mark.column + 1)
            keys[item_path] = pos
            if type(event) is ScalarEvent and event.anchor is None and event.tag is None:
                values[item_path] = pos  # the common case, inlined: no call per scalar
                text = event.value
                if event.style or (text and text[0] not in _MAYBE_TYPED):
                    items.append(text)
                else:
                    items.append(self._plain(text, item_path))
            else:
                items.append(self._node(event, item_path, depth + 1))

    def _mapping(self, path: RawPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        keys, values = self.keys, self.values
        while True:
            event = self.next()
            kind = type(event)
            if kind is MappingEndEvent:
                return result
            mark = event.start_mark
            key_pos = (mark.line + 1, mark.column + 1)
            if (
                kind is ScalarEvent
                and event.anchor is None
                and (event.tag is None or event.implicit[0])
            ):
                key = event.value if event.style else resolve_plain(event.value)
            else:
                key = self._node(event, (*path, _IGNORED), depth + 1)
            value_event = self.next()
            if kind is ScalarEvent and type(key) is str:
                key_path = (*path, key)
                if key in result:
                    first = keys[key_path]
                    _problem(
                        self.src,
                        key_pos,
                        key_path,
                        f"duplicate key {quoted(key)} (first written at line {first[0]}, "
                        f"column {first[1]}); a catalog never keeps the last one",
                        "DUPLICATE_KEY",
                    )
                    self._node(value_event, (*path, _IGNORED), depth + 1)
                    continue
                keys[key_path] = key_pos
                if (
                    type(value_event) is ScalarEvent
                    and value_event.anchor is None
                    and value_event.tag is None
                ):
                    mark = value_event.start_mark
                    values[key_path] = (mark.line + 1, mark.column + 1)
                    text = value_event.value
                    if value_event.style or (text and text[0] not in _MAYBE_TYPED):
                        result[key] = text
                    else:
                        result[key] = self._plain(text, key_path)
                else:
                    result[key] = self._node(value_event, key_path, depth + 1)
                continue
            if kind is ScalarEvent:
                shown = "an empty key" if event.value == "" else f"key {quoted(event.value)}"
                kind_name = _KIND.get(type(key), "not a string")
                message = f"{shown} is {kind_name}; keys must be strings (quote it)"
                _problem(self.src, key_pos, path, message, "KEY")
            else:
                _problem(
                    self.src,
                    key_pos,
                    path,
                    "a mapping or sequence cannot be a key; keys must be strings",
                    "KEY",
                )
            self.src.refused.add(path)
            self._node(value_event, (*path, _IGNORED), depth + 1)


def _yaml_message(exc: MarkedYAMLError, text: str, mark: Any) -> str:
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if at_tab or "'\\t'" in problem:
        return "tab character; indent YAML with spaces, not tabs"
    if exc.context and exc.problem and exc.context not in problem:
        problem = f"{problem} ({exc.context.strip()})"
    return "not valid YAML: " + problem
