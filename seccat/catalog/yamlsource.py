"""Read catalog YAML into plain data plus the position of every key and value.

The reader works on the libyaml event stream instead of a constructed document, because
that is where the hostile cases can be refused cheaply: anchors and aliases are rejected
as soon as they appear (so an alias bomb never expands), nesting depth and file size are
bounded, duplicate and non-string keys are reported where they were written, and every
failure becomes a located diagnostic instead of a traceback.

Three readers, fastest first: ``_LineReader`` reads the block-style subset catalogs are
written in from the lines, without libyaml; ``_PlainReader`` reads any clean document from
the events; ``_Reader`` reads everything else and words its problems. Each of the first two
gives up on anything it does not read exactly as ``_Reader`` would.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

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


def _load_ruamel() -> None:
    """Import ruamel.yaml's parser, events and errors into this module, once.

    Only ``_PlainReader`` and ``_Reader`` (and positions of a text the line reader read)
    need them; importing ruamel.yaml costs about 30 ms, which validating a valid catalog
    read by ``_LineReader`` no longer pays."""
    if "_Parser" in globals():
        return
    from ruamel.yaml import error, events, reader

    try:  # libyaml through ruamel.yaml.clib: about 25x faster than the pure-Python parser
        from _ruamel_yaml import CParser as parser
    except ImportError:  # pragma: no cover - only on platforms without the C extension
        parser = PureParser
    names = {name: getattr(events, name) for name in dir(events) if name.endswith("Event")}
    globals().update(
        names,
        MarkedYAMLError=error.MarkedYAMLError,
        YAMLError=error.YAMLError,
        ReaderError=reader.ReaderError,
        _Parser=parser,
    )


if TYPE_CHECKING:  # the names _load_ruamel puts here
    from _ruamel_yaml import CParser as _Parser
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.events import (
        AliasEvent,
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )
    from ruamel.yaml.reader import ReaderError


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
    for each up front would cost more than parsing the file. The table itself is laid out
    from the reader's marks on first use only (see ``Source``): validating a valid catalog
    never looks a place up.
    """

    def __init__(self, table: dict[RawPath, tuple[int, int]] | Source) -> None:
        self._table: dict[RawPath, tuple[int, int]] | None = None
        self._source: Source | None = None
        if isinstance(table, Source):
            self._source = table
        else:
            self._table = table

    def _laid_out(self) -> dict[RawPath, tuple[int, int]]:
        table = self._table
        if table is None:
            assert self._source is not None
            table = self._table = self._source.keys
            self._source = None
        return table

    def __getitem__(self, path: RawPath) -> Position:
        line, column = self._laid_out()[path]
        return Position(line, column)

    def __contains__(self, path: object) -> bool:
        return path in self._laid_out()

    def __iter__(self) -> Iterator[RawPath]:
        return iter(self._laid_out())

    def __len__(self) -> int:
        return len(self._laid_out())

    def __reduce__(self) -> tuple[Any, ...]:
        return (PositionTable, (self._laid_out(),))


class Source:
    """What the reader found: the data (None on a fatal problem) and where things are.

    The fast readers keep positions for later: ``_PlainReader`` records only the start mark
    of every key and value, in document order, and ``_LineReader`` none (libyaml finds the
    marks when they are first needed); ``keys``, ``values``, ``sequences`` and ``written``
    are laid out from them and the data on first access, which a valid catalog being
    validated never makes. Replacing ``data`` lays them out first; changing it in place
    while they are pending is not allowed (nothing does: every stage reads it).
    """

    def __init__(self, file: str) -> None:
        self.file = file
        self._data: Any = None
        self.diagnostics: list[Diagnostic] = []
        #: Paths whose content was refused by the reader (aliases, tags, non-string keys):
        #: later stages stay silent about them so each problem is reported once.
        self.refused: set[RawPath] = set()
        self.fatal = False
        self._keys: dict[RawPath, tuple[int, int]] = {}
        self._values: dict[RawPath, tuple[int, int]] = {}
        self._sequences: set[RawPath] = set()
        self._written: dict[RawPath, str] = {}
        self._rendered: dict[RawPath, str] = {}
        #: The fast reader's marks (one per key and per value, in document order) and the
        #: text of its typed plain scalars by mark index, until laid out; or the text the
        #: line reader read, whose marks are found when first needed.
        self._pending: tuple[list[Any], dict[int, str]] | _Unmarked | None = None

    def __repr__(self) -> str:
        return f"Source(file={self.file!r}, fatal={self.fatal!r}, diagnostics={self.diagnostics!r})"

    @property
    def data(self) -> Any:
        """The plain data read (None on a fatal problem)."""
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        # the pending marks belong to the data read: lay them out before it is replaced
        if self._pending is not None and value is not self._data:
            self._lay_out()
        self._data = value

    @property
    def keys(self) -> dict[RawPath, tuple[int, int]]:
        """Where each key was written (for sequence items: where the item starts)."""
        if self._pending is not None:
            self._lay_out()
        return self._keys

    @property
    def values(self) -> dict[RawPath, tuple[int, int]]:
        """Where each value starts."""
        if self._pending is not None:
            self._lay_out()
        return self._values

    @property
    def sequences(self) -> set[RawPath]:
        """Paths of sequences, so a path renders as ``consumers[0]`` rather than
        ``consumers.0``."""
        if self._pending is not None:
            self._lay_out()
        return self._sequences

    @property
    def written(self) -> dict[RawPath, str]:
        """The text as written of each plain scalar YAML read as a number, boolean or null
        (``044455556666`` for the int 44455556666): hints quote what the author wrote."""
        if self._pending is not None:
            self._lay_out()
        return self._written

    def _lay_out(self) -> None:
        """The position tables from the fast reader's marks: the data is walked in the
        order it was read (dicts keep insertion order), taking one mark per key and one
        per value, so each mark meets the path it was read at."""
        assert self._pending is not None
        pending = self._pending
        self._pending = None
        if isinstance(pending, _Unmarked):
            # read by _LineReader, which keeps no marks: libyaml finds them now, through
            # the reader that reads the same subset (and more) from events
            _load_ruamel()
            marks, typed = [], {}
            parser = pending.parser or _Parser
            _PlainReader._document(parser(pending.text).get_event, marks, typed)
        else:
            marks, typed = pending
        keys, values, sequences, written = self._keys, self._values, self._sequences, self._written
        keys[()] = (1, 1)
        mark = marks[0]
        values[()] = (mark.line + 1, mark.column + 1)
        index = 1

        def walk(node: Any, path: RawPath) -> None:
            nonlocal index
            if type(node) is dict:
                for key, value in node.items():
                    here = (*path, key)
                    mark = marks[index]
                    keys[here] = (mark.line + 1, mark.column + 1)
                    mark = marks[index + 1]
                    values[here] = (mark.line + 1, mark.column + 1)
                    if typed and index + 1 in typed:
                        written[here] = typed[index + 1]
                    index += 2
                    kind = type(value)
                    if kind is dict or kind is list:
                        walk(value, here)
            else:
                sequences.add(path)
                for i, value in enumerate(node):
                    here = (*path, str(i))
                    mark = marks[index]
                    keys[here] = values[here] = (mark.line + 1, mark.column + 1)
                    if typed and index in typed:
                        written[here] = typed[index]
                    index += 1
                    kind = type(value)
                    if kind is dict or kind is list:
                        walk(value, here)

        walk(self._data, ())
        if index != len(marks):  # pragma: no cover - the data was changed after reading
            raise AssertionError("catalog data changed before its positions were laid out")

    def key_position(self, path: RawPath) -> Position:
        """Where the entry at ``path`` was written, or its closest written ancestor."""
        return Position(*_closest(self.keys, path))

    def value_position(self, path: RawPath) -> Position:
        """Where the value at ``path`` starts; falls back to the closest key."""
        values = self.values
        if path in values:
            return Position(*values[path])
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
        sequences = self.sequences
        for i, raw_part in enumerate(path):
            if raw_part == _IGNORED:
                break
            part = printable(raw_part)
            if path[:i] in sequences:
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out

    def positions(self) -> PositionTable:
        """Where each key was written, as ``Position``s; laid out when first looked at."""
        if self._pending is not None:
            return PositionTable(self)
        return PositionTable(self._keys)


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
        if not _LineReader(src, text, parser).run() and not _PlainReader(src, text, parser).run():
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
        _load_ruamel()
        parser = parser or _Parser
        self.src = src
        self.text = text
        self.next = parser(text).get_event
        self.keys = src.keys
        self.values = src.values
        src.data = None

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


class _Unusual(Exception):
    """The plain reader met something only ``_Reader`` handles."""


class _PlainReader:
    """The common case, fast: one mapping document of untagged, unanchored scalars,
    mappings and sequences with string keys, each written once.

    It builds the same data as ``_Reader`` and keeps only the start mark of each key and
    value, in document order (``Source`` lays the positions out from them when asked).
    Anything else (an alias, an anchor, a tag, a duplicate or non-string key, nesting past
    the limit, a second document, any parser error) makes it give up and ``_Reader`` read
    the text again, so every problem is reported by the one reader that words it; a valid
    catalog never meets one. tests/catalog/test_reader_differential.py holds the two
    readers to the same data, positions and diagnostics.
    """

    def __init__(self, src: Source, text: str, parser: Any = None) -> None:
        _load_ruamel()
        self.src = src
        self.text = text
        self.parser = parser or _Parser

    def run(self) -> bool:
        """True when the text was read; False when ``_Reader`` must read it."""
        marks: list[Any] = []
        typed: dict[int, str] = {}
        try:
            data = self._document(self.parser(self.text).get_event, marks, typed)
        except Exception:  # anything at all is _Reader's to report
            return False
        self.src.data = data
        self.src._pending = (marks, typed)  # after the data: see Source.data
        return True

    @staticmethod
    def _document(next_event: Any, marks: list[Any], typed: dict[int, str]) -> Any:
        mark = marks.append
        maybe_typed = _MAYBE_TYPED
        #: plain scalars that may be typed, resolved once each: a catalog repeats the same
        #: few ('type', 'team-1', '30d') thousands of times, and resolving takes regexes
        resolved: dict[str, Any] = {}

        def resolve(text: str) -> Any:
            value = resolved[text] = resolve_plain(text)
            return value

        scalar, mapping_start, sequence_start = ScalarEvent, MappingStartEvent, SequenceStartEvent

        def mapping(depth: int) -> dict[str, Any]:
            result: dict[str, Any] = {}
            while True:
                event = next_event()
                kind = type(event)
                if kind is MappingEndEvent:
                    return result
                if kind is not scalar or event.anchor is not None or event.ctag is not None:
                    raise _Unusual
                key = event.value
                if not event.style and (not key or key[0] in maybe_typed):
                    value = resolved[key] if key in resolved else resolve(key)
                    if type(value) is not str:
                        raise _Unusual  # a key YAML reads as a number, boolean or null
                if key in result:
                    raise _Unusual
                mark(event.start_mark)
                event = next_event()
                if event.anchor is not None or event.ctag is not None:
                    raise _Unusual  # an alias has an anchor (its name), and no ctag
                mark(event.start_mark)
                kind = type(event)
                if kind is scalar:
                    text = event.value
                    if event.style or (text and text[0] not in maybe_typed):
                        result[key] = text
                    else:
                        value = resolved[text] if text in resolved else resolve(text)
                        if type(value) is not str:
                            typed[len(marks) - 1] = text
                        result[key] = value
                elif depth >= MAX_DEPTH:
                    raise _Unusual
                elif kind is mapping_start:
                    result[key] = mapping(depth + 1)
                elif kind is sequence_start:
                    result[key] = sequence(depth + 1)
                else:
                    raise _Unusual

        def sequence(depth: int) -> list[Any]:
            items: list[Any] = []
            while True:
                event = next_event()
                kind = type(event)
                if kind is SequenceEndEvent:
                    return items
                if event.anchor is not None or event.ctag is not None:
                    raise _Unusual
                mark(event.start_mark)
                if kind is scalar:
                    text = event.value
                    if event.style or (text and text[0] not in maybe_typed):
                        items.append(text)
                    else:
                        value = resolved[text] if text in resolved else resolve(text)
                        if type(value) is not str:
                            typed[len(marks) - 1] = text
                        items.append(value)
                elif depth >= MAX_DEPTH:
                    raise _Unusual
                elif kind is mapping_start:
                    items.append(mapping(depth + 1))
                elif kind is sequence_start:
                    items.append(sequence(depth + 1))
                else:
                    raise _Unusual

        if type(next_event()) is not StreamStartEvent:
            raise _Unusual
        if type(next_event()) is not DocumentStartEvent:
            raise _Unusual
        event = next_event()
        if type(event) is not mapping_start or event.anchor is not None or event.ctag is not None:
            raise _Unusual
        mark(event.start_mark)
        data = mapping(1)
        if type(next_event()) is not DocumentEndEvent or type(next_event()) is not StreamEndEvent:
            raise _Unusual
        return data


class _Unmarked:
    """Text read by ``_LineReader``, whose marks are found only when a position is asked."""

    __slots__ = ("parser", "text")

    def __init__(self, text: str, parser: Any) -> None:
        self.text = text
        self.parser = parser


# --- the line reader: the block-style subset catalogs are written in, without libyaml ---

#: Any character outside the subset: tabs, carriage returns and other controls, DEL, the C1
#: range with NEL, the line and paragraph separators, a BOM, the non-characters.
_OUTSIDE = re.compile(
    "[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
#: The same for ASCII text, as bytes, four times faster to check.
_PRINTABLE_ASCII = b"\n" + bytes(range(0x20, 0x7F))
#: The first character of a plain scalar: not a space and not an indicator.
_FIRST = r"""[^\s\-?:,\[\]{}#&*!|>'"%@`]"""
_SINGLE = r"'[^'\n]*(?:''[^'\n]*)*'"
#: Double quotes without a backslash: no escape to interpret.
_DOUBLE = r'"[^"\\\n]*"'
#: A key: a plain scalar without ':', '#' or flow indicators, or a quoted scalar on one line.
_LINE_KEY = re.compile(
    rf"({_FIRST}[^\s:#,\[\]{{}}]*(?: +[^\s:#,\[\]{{}}]+)*)|({_SINGLE})|({_DOUBLE})"
)
#: A block value: a plain scalar (':' only before a non-space, no '#'), a quoted scalar or
#: a flow collection, then perhaps a comment. A flow collection is checked by _flow.
_LINE_VALUE = re.compile(
    rf"(?:((?:{_FIRST}|-(?=[^\s#]))[^\s:#]*(?::+[^\s:#]+)*(?: +[^\s:#]+(?::+[^\s:#]+)*)*)"
    rf"|({_SINGLE})|({_DOUBLE})|([\[{{].*?))(?: +#.*| *)"
)
#: A token of a one-line flow collection: an indicator, or a plain (no ':', '#', '?' or
#: flow indicators: libyaml ends a plain scalar at '?' inside a flow collection) or quoted
#: scalar, perhaps followed by ': ' (a key).
_FLOW_PLAIN = rf"(?:{_FIRST}|-(?=[^\s,\[\]{{}}:#?]))[^\s,\[\]{{}}:#?]*(?: +[^\s,\[\]{{}}:#?]+)*"
#: Every part is captured, so joining a text's tokens gives the text back when they cover it.
_FLOW_TOKEN = re.compile(
    rf"( *)(?:([{{}}\[\],])|({_FLOW_PLAIN})|({_SINGLE})|({_DOUBLE}))(:(?= )|)( *)"
)
#: The plain scalars resolve_plain reads as something other than a string: these words,
#: and some of those starting with a digit, sign or dot.
_TYPED_WORDS = frozenset(["~", "null", "Null", "NULL", *_BOOL])
#: libyaml reads a key of up to 1024 characters; longer ones are left to it.
_LONGEST_KEY = 1000
#: Deeper nesting is left to the other readers, which apply MAX_DEPTH.
_LINE_DEPTH = MAX_DEPTH - 4
#: Kinds of block values: a scalar, a flow collection of scalars (copied shallowly for each
#: use), a nested flow collection (copied deeply), none on the key's line.
_SCALAR, _FLAT, _NESTED, _OPEN = 0, 1, 2, 3


class _LineReader:
    """The common case without libyaml: one block mapping written line by line.

    A catalog is a block mapping of block mappings and sequences whose leaves are plain or
    quoted scalars and one-line flow collections; 10,000 secrets take 100,000 such lines,
    and libyaml's 380,000 events cost more than reading the lines with ``str`` methods.
    Each distinct key and value text is checked with a regular expression once and its
    value kept, so the loop is a few string operations and dictionary look-ups per line.
    Anything outside the subset (tabs, CR, anchors, tags, '?' keys, block or multi-line
    scalars, backslashes in double quotes, '#' in a plain scalar, duplicate or non-string
    keys, '---', a root that is not a block mapping, odd indentation, deep nesting) makes
    it give up: ``_PlainReader`` and ``_Reader`` read the text instead, and report what
    is wrong. It keeps no marks; ``Source`` gets them from libyaml when a position is
    first asked for, which validating a valid catalog never does.
    tests/catalog/test_line_reader.py holds it to ``_Reader``'s data, positions and
    diagnostics.
    """

    def __init__(self, src: Source, text: str, parser: Any = None) -> None:
        self.src = src
        self.text = text
        self.parser = parser  # for the marks, when asked for (None: libyaml)

    def run(self) -> bool:
        """True when the text was read; False when the other readers must read it."""
        text = self.text
        if text.startswith(("---", "...")) or "\n---" in text or "\n..." in text:
            return False
        if text.isascii():  # the usual case: deleting the allowed bytes leaves none
            if text.encode("ascii").translate(None, _PRINTABLE_ASCII):
                return False
        elif _OUTSIDE.search(text) is not None:
            return False
        # the reading makes 100,000 containers and no cycles: collecting while it runs
        # finds nothing and costs a sixth of the time
        collecting = gc.isenabled()
        gc.disable()
        try:
            data = _read_lines(text)
        except _Unusual:
            return False
        finally:
            if collecting:
                gc.enable()
        self.src.data = data
        self.src._pending = _Unmarked(text, self.parser)  # after the data: see Source.data
        return True


def _line_key(text: str, keys: dict[str, str]) -> str:
    """The key ``text`` is (cached in ``keys``); _Unusual unless a plain string key."""
    match = _LINE_KEY.fullmatch(text)
    if match is None or len(text) > _LONGEST_KEY:
        raise _Unusual
    plain, single, double = match.groups()
    if plain is not None:
        if type(_flow_scalar(plain, None, None)) is not str:
            raise _Unusual  # a key YAML reads as a number, boolean or null
        key = plain
    elif single is not None:
        key = single[1:-1].replace("''", "'")
    else:
        key = double[1:-1]
    keys[text] = key
    return key


def _line_value(text: str, values: dict[str, tuple[int, Any, int]]) -> tuple[int, Any, int]:
    """What a block value ``text`` is: (kind, value, depth of its flow nesting), cached."""
    match = _LINE_VALUE.fullmatch(text)
    if match is None:
        raise _Unusual
    plain, single, double, flow = match.groups()
    if flow is None:
        out: tuple[int, Any, int] = (_SCALAR, _flow_scalar(plain, single, double), 0)
    else:
        value, depth = _flow(flow)
        kind = _NESTED if depth > 1 else _FLAT
        out = (kind, value, depth)
    values[text] = out
    return out


def _flow_scalar(plain: str | None, single: str | None, double: str | None) -> Any:
    if plain:
        if plain in _TYPED_WORDS or plain[0] in "0123456789+-.":
            return resolve_plain(plain)
        return plain
    if single:
        return single[1:-1].replace("''", "'")
    assert double
    return double[1:-1]


def _flow(text: str) -> tuple[Any, int]:
    """A one-line flow collection of scalars and flow collections, and its depth.

    One pass over the tokens: ``here`` is the innermost open collection, ``state`` what
    may come next (0 a value, 1 a key, 2 a comma or the closing indicator, 3 nothing)."""
    tokens = _FLOW_TOKEN.findall(text)
    if "".join(map("".join, tokens)) != text:
        raise _Unusual  # something no token matches
    stack: list[tuple[Any, str]] = []
    here: Any = None
    key = ""
    state = 0
    deepest = 0
    result: Any = None
    for _, indicator, plain, single, double, colon, _ in tokens:
        if state == 3:
            raise _Unusual  # more after the end
        if state == 2:
            if indicator == ",":
                state = 1 if type(here) is dict else 0
                continue
            if colon or indicator != ("}" if type(here) is dict else "]"):
                raise _Unusual
            value = here
        elif indicator == "{" or indicator == "[":
            if colon:
                raise _Unusual
            if state == 1 or len(stack) >= _LINE_DEPTH:
                raise _Unusual  # a collection as a key, or too deep
            stack.append((here, key))
            deepest = max(deepest, len(stack))
            here = {} if indicator == "{" else []
            state = 1 if indicator == "{" else 0
            continue
        elif indicator:  # ',' where a value or key belongs, or a closing indicator
            if colon or indicator != ("}" if type(here) is dict else "]") or here:
                raise _Unusual  # only an empty collection closes where an entry may start
            value = here
        elif state == 1:
            if not colon:
                raise _Unusual
            key = _flow_scalar(plain, single, double)
            if type(key) is not str or key in here or len(plain or single or double) > _LONGEST_KEY:
                raise _Unusual
            state = 0
            continue
        elif state == 0 and not colon:
            value = _flow_scalar(plain, single, double)
            if type(here) is dict:
                here[key] = value
            elif here is not None:
                here.append(value)
            else:
                raise _Unusual  # a scalar alone: not a flow collection
            state = 2
            continue
        else:
            raise _Unusual
        # a collection closed: it is the value of the one around it
        here, key = stack.pop()
        if here is None:
            result = value
            state = 3
        elif type(here) is dict:
            here[key] = value
            state = 2
        else:
            here.append(value)
            state = 2
    if state != 3:
        raise _Unusual  # unclosed
    return result, deepest


def _copied(node: Any) -> Any:
    if type(node) is dict:
        return {key: _copied(value) for key, value in node.items()}
    if type(node) is list:
        return [_copied(value) for value in node]
    return node


#: What a line holds: nothing (blank or a comment), 'key: value', '- value' or
#: '- key: value' (a mapping in a sequence).
_BLANK, _ENTRY, _ITEM, _ITEM_ENTRY = 0, 1, 2, 3


def _line(line: str, keys: dict[str, str], values: dict[str, tuple[int, Any, int]]) -> Any:
    """What ``line`` holds, as a tuple led by its kind: ``(_ENTRY, column, key, kind,
    value, depth)``, ``(_ITEM, column, kind, value, depth)`` or ``(_ITEM_ENTRY, column,
    key column, key, kind, value, depth)``; kind ``_OPEN`` is a key with nothing after it."""
    content = line.lstrip(" ")
    if not content or content[0] == "#":
        return (_BLANK,)
    column = len(line) - len(content)
    if content[:2] == "- ":
        item = content[2:].lstrip(" ")
        if not item or item[0] == "#":
            raise _Unusual  # a block value on the following lines, or null
        key_text, colon, rest = item.partition(": ")
        key: str | None = None
        if colon:
            try:
                key = keys[key_text] if key_text in keys else _line_key(key_text, keys)
            except _Unusual:
                key = None  # perhaps a scalar: "a: b" or {a: b}
        elif item[-1] == ":":
            key_text, rest = item[:-1], ""
            key = keys[key_text] if key_text in keys else _line_key(key_text, keys)
        if key is None:
            kind, value, depth = values[item] if item in values else _line_value(item, values)
            return (_ITEM, column, kind, value, depth)
        rest = rest.lstrip(" ")
        if not rest or rest[0] == "#":
            return (_ITEM_ENTRY, column, len(line) - len(item), key, _OPEN, None, 0)
        kind, value, depth = values[rest] if rest in values else _line_value(rest, values)
        return (_ITEM_ENTRY, column, len(line) - len(item), key, kind, value, depth)
    if content == "-":
        raise _Unusual
    key_text, colon, rest = content.partition(": ")
    if colon:
        rest = rest.lstrip(" ")
    elif content[-1] == ":":
        key_text = content[:-1]
    else:
        raise _Unusual  # a scalar alone on its line
    key = keys[key_text] if key_text in keys else _line_key(key_text, keys)
    if not rest or rest[0] == "#":
        return (_ENTRY, column, key, _OPEN, None, 0)
    kind, value, depth = values[rest] if rest in values else _line_value(rest, values)
    return (_ENTRY, column, key, kind, value, depth)


#: The commonest lines, 'key:' and 'key: value' with a key and a value of plain words, for
#: all distinct lines at once (see _simple_lines).
_SIMPLE_LINE = re.compile(
    r"^(( *)([A-Za-z_][\w./-]{0,900}):(?: ([A-Za-z_][\w./@-]*(?: [\w./@-]+)*))?)$", re.M
)


#: ... and '- {key: value, ...}' or 'key: {key: value, ...}' with keys and values of one
#: word each.
_SIMPLE_FLOW = re.compile(
    r"^(( *)(?:- |([A-Za-z_][\w./-]{0,900}): )"
    r"\{((?:[A-Za-z_][\w./-]{0,900}: \w[\w./@-]*, )*[A-Za-z_][\w./-]{0,900}: \w[\w./@-]*)\})$",
    re.M,
)


def _simple_lines(lines: list[str]) -> dict[str, Any]:
    """What ``_line`` says of each distinct line of the commonest kinds, found by regular
    expressions over them all at once (words that read as booleans or null, and duplicate
    keys, are left to ``_line``)."""
    shapes: dict[str, Any] = {}
    distinct = "\n".join(dict.fromkeys(lines))
    typed_words = _TYPED_WORDS
    for line, indent, key, value in _SIMPLE_LINE.findall(distinct):
        if key in typed_words or value in typed_words:
            continue
        if value:
            shapes[line] = (_ENTRY, len(indent), key, _SCALAR, value, 0)
        else:
            shapes[line] = (_ENTRY, len(indent), key, _OPEN, None, 0)
    for line, indent, key, body in _SIMPLE_FLOW.findall(distinct):
        if key in typed_words:
            continue
        mapping: dict[str, Any] = {}
        pairs = body.split(", ")
        for pair in pairs:
            inner, _, value = pair.partition(": ")
            mapping[inner] = _flow_scalar(value, None, None)
            if inner in typed_words:
                break
        else:
            if len(mapping) == len(pairs):  # no duplicate key
                if key:
                    shapes[line] = (_ENTRY, len(indent), key, _FLAT, mapping, 1)
                else:
                    shapes[line] = (_ITEM, len(indent), _FLAT, mapping, 1)
    return shapes


def _read_lines(text: str) -> dict[str, Any]:
    """The data of a catalog in the line subset; _Unusual for anything else.

    Each distinct line is worked out once (``_line``): a catalog repeats most of its lines
    ('    type: api-key') many times. The containers open at each indentation are a
    stack; a key with nothing after its colon waits for the next line, which either opens
    its block value (deeper) or leaves it null.
    """
    keys: dict[str, str] = {}
    values: dict[str, tuple[int, Any, int]] = {}
    lines = text.split("\n")
    seen = _simple_lines(lines)
    root: dict[str, Any] = {}
    stack: list[tuple[Any, int, bool]] = []
    here: Any = root  # the innermost open container
    indent = 0  # its indentation
    is_mapping = True
    waiting: dict[str, Any] | None = None  # the mapping whose last key waits for a value
    waiting_key = ""
    waiting_indent = 0
    for line in lines:
        shape = seen.get(line)
        if shape is None:
            shape = seen[line] = _line(line, keys, values)
        what = shape[0]
        if not what:
            continue
        column = shape[1]
        if waiting is not None:
            if column > waiting_indent:  # the block value of the waiting key
                child: Any = {} if what == _ENTRY else []
                waiting[waiting_key] = child
                stack.append((here, indent, is_mapping))
                if len(stack) >= _LINE_DEPTH:
                    raise _Unusual
                here, indent, is_mapping = child, column, what == _ENTRY
            waiting = None
        if column != indent:
            while column < indent:
                here, indent, is_mapping = stack.pop()
            if column != indent:
                raise _Unusual  # deeper than a block value may start, or between levels
        if what == _ENTRY:
            if not is_mapping:
                raise _Unusual  # a key where a sequence item belongs
            _, _, key, kind, value, depth = shape
            if key in here:
                raise _Unusual  # a duplicate: _Reader says where the first one was
            if kind:
                if kind == _OPEN:
                    here[key] = None
                    waiting, waiting_key, waiting_indent = here, key, column
                    continue
                if len(stack) + depth >= _LINE_DEPTH:
                    raise _Unusual
                value = value.copy() if kind == _FLAT else _copied(value)
            here[key] = value
            continue
        if is_mapping:
            raise _Unusual  # a sequence item where a key belongs
        if what == _ITEM:
            _, _, kind, value, depth = shape
            if kind:
                if len(stack) + depth >= _LINE_DEPTH:
                    raise _Unusual
                value = value.copy() if kind == _FLAT else _copied(value)
            here.append(value)
            continue
        # '- key: value': a mapping that goes on at the key's column
        _, _, column, key, kind, value, depth = shape
        child = {}
        here.append(child)
        stack.append((here, indent, is_mapping))
        if len(stack) + depth >= _LINE_DEPTH:
            raise _Unusual
        here, indent, is_mapping = child, column, True
        if kind == _OPEN:
            child[key] = None
            waiting, waiting_key, waiting_indent = child, key, column
            continue
        if kind:
            value = value.copy() if kind == _FLAT else _copied(value)
        child[key] = value
    if not root:
        raise _Unusual  # comments only: _Reader says the file is empty
    return root


def _yaml_message(exc: MarkedYAMLError, text: str, mark: Any) -> str:
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    at_tab = mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t"
    if at_tab or "'\\t'" in problem:
        return "tab character; indent YAML with spaces, not tabs"
    if exc.context and exc.problem and exc.context not in problem:
        problem = f"{problem} ({exc.context.strip()})"
    return "not valid YAML: " + problem
