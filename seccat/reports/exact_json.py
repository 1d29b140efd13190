"""``json.dumps(value, indent=2, ensure_ascii=True)`` as ASCII bytes, by orjson when that is
provably the same bytes, else by :mod:`seccat.reports.indented_json`.

orjson (pinned in pyproject.toml) writes a tree with two-space indentation in a fifth of the
pure-Python encoder's time, and its layout, key order, escapes of ``"``, ``\\`` and control
characters, integers, ``true``/``false``/``null`` and empty containers are json's. Where it
is not json, and what this module does about it:

- DEL and text beyond ASCII are written raw where json writes ``\\uXXXX`` escapes
  (surrogate pairs beyond the BMP). Raw, they can only stand inside a string literal, so
  DEL is replaced by json's escape, and the text is encoded back to ASCII with an error
  handler that writes json's own escapes (``json.encoder.encode_basestring_ascii``) of each
  run of other characters;
- floats: NaN and the infinities become ``null`` (json writes ``NaN``, ``Infinity``), and
  ``1e-05`` becomes ``0.00001``; nothing in the output shows it happened. So orjson only
  runs once every float in the tree is known to be integral and within 2**53
  (:mod:`seccat.exact_floats`): the caller vouches for that (``floats_checked``, from where
  the floats were made, as the preview's recorder does), or :func:`plain` walks the tree;
- what orjson refuses (integers beyond 64 bits, keys that are not strings, lone surrogates,
  float subclasses, anything else it cannot serialise natively) goes to the Python encoder,
  which writes json's bytes or raises as json does; datetimes and dataclasses, which orjson
  would write and json refuses, are refused too.

A large document can also be written in pieces (:func:`object_pieces`): an object whose
last member is a long array, each batch of the array's elements encoded as above and moved to
its depth. json's indented layout depends on depth alone, and no encoded string holds a raw
newline, so a batch's bytes nested one level deeper are exactly its bytes with two spaces
after every newline. The whole document's bytes are then never held at once (146 MB for the
10,000-secret preview: docs/benchmarks.md, "Fifth round").

tests/cli/test_exact_json.py holds the bytes equal to ``json.dumps`` on generated trees and
shows that orjson alone is not, and that the pieces joined are the same bytes.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from itertools import islice
from json.encoder import encode_basestring_ascii
from typing import Any

import orjson

from seccat.exact_floats import exact_float
from seccat.reports import indented_json

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
#: The codec error handler that escapes non-ASCII text as json does.
_ESCAPES = "seccat-json-escapes"
#: Array elements encoded per call by :func:`object_pieces`: few enough that a batch of
#: preview resources is under a megabyte, enough that orjson's per-call cost is nothing.
BATCH = 256


def plain(value: Any) -> bool:
    """Whether ``value`` is a tree orjson may write: dicts, lists and tuples of strings,
    integers, booleans, None and exact floats, with no subclass anywhere (json and orjson
    each have their own idea of a subclass)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str for k in value) and all(plain(v) for v in value.values())
    if kind is list or kind is tuple:
        return all(plain(v) for v in value)
    if kind is float:
        return exact_float(value)
    return kind is str or kind is int or kind is bool or value is None


def dumps(value: Any, *, floats_checked: bool = False, newline: bool = False) -> bytes:
    """json.dumps(value, indent=2, ensure_ascii=True), encoded (ASCII), plus "\\n" when
    ``newline``. ``floats_checked``: the caller knows every float in ``value`` passes
    :func:`exact_float` and the tree holds only JSON's types (str and int subclasses
    included: both write their value), as the preview's recorder makes it; a UUID or a plain
    Enum, which orjson writes and json refuses, must not be there. Else the tree is walked
    (:func:`plain`) to find out."""
    if floats_checked or plain(value):
        try:
            out = orjson.dumps(
                value,
                default=_refuse,
                option=_OPTIONS | orjson.OPT_APPEND_NEWLINE if newline else _OPTIONS,
            )
        except orjson.JSONEncodeError:
            pass  # json's answer (bytes, or the same TypeError) from the Python encoder
        else:
            if b"\x7f" in out:
                out = out.replace(b"\x7f", b"\\u007f")
            if out.isascii():
                return out
            return out.decode("utf-8").encode("ascii", _ESCAPES)
    return by_python(value, newline=newline)


def object_pieces(
    fields: dict[str, Any],
    key: str,
    items: Iterable[Any],
    *,
    floats_checked: bool = False,
    newline: bool = False,
    batch: int = BATCH,
) -> Iterator[bytes]:
    """The bytes of :func:`dumps` of ``{**fields, key: list(items)}``, in pieces: ``fields``
    first, then ``items`` (an iterable, consumed as it goes) a batch at a time. The pieces
    joined are json's bytes; the whole is never built. ``floats_checked``, as for
    :func:`dumps`, vouches for ``fields`` and every item."""
    plain_keys = type(fields) is dict and all(type(k) is str for k in fields)
    if type(key) is not str or key in fields or not plain_keys:
        # json's own order and conversions of such keys: not worth streaming
        yield dumps({**fields, key: list(items)}, floats_checked=floats_checked, newline=newline)
        return
    name = encode_basestring_ascii(key).encode("ascii")
    if fields:
        head = dumps(fields, floats_checked=floats_checked)  # b"{\n  ...\n}"
        yield head[:-2] + b",\n  " + name + b": ["
    else:
        yield b"{\n  " + name + b": ["
    elements = iter(items)
    first = True
    while chunk := list(islice(elements, batch)):
        nested = _nest(dumps(chunk, floats_checked=floats_checked))
        yield nested if first else b"," + nested
        first = False
    close = b"]\n}" if first else b"\n  ]\n}"
    yield close + b"\n" if newline else close


def _nest(array: bytes) -> bytes:
    """A non-empty array's elements as they stand one level deeper, with their separators
    and a newline before each: ``[\\n  a,\\n  b\\n]`` becomes ``\\n    a,\\n    b``."""
    return array[1:-2].replace(b"\n", b"\n  ")


def by_python(value: Any, *, newline: bool = False) -> bytes:
    """The same bytes from the pure-Python encoder, for a tree known not to be plain."""
    text = indented_json.dumps(value)
    return (text + "\n" if newline else text).encode("ascii")


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _escape(error: UnicodeError) -> tuple[str, int]:
    """json's escapes of the characters ASCII cannot encode (a whole run at a time)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    return encode_basestring_ascii(run)[1:-1], error.end


codecs.register_error(_ESCAPES, _escape)
