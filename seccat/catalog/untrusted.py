"""Text someone else wrote (catalog keys and values, file names), made safe to show.

Every diagnostic and finding passes its fields through ``safe_field`` when it is built, and
message builders quote user text with ``quoted``/``shown``, so whatever a catalog holds can
never reach a terminal, a CI log or a report as anything but inert, visible, bounded text:

- control characters (C0, DEL, C1, hence every ANSI/OSC escape sequence), bidirectional
  controls, zero-width and other format characters, private-use, unassigned and surrogate
  code points, and line/paragraph separators are written as ``\\xNN``/``\\uNNNN`` escapes;
- a run of Unicode tag characters (U+E0000 block, invisible text) is summarised, never
  spelled out, so text hidden in them does not come back out even escaped;
- anything that looks like a credential (well-known formats, long random tokens) is
  replaced by a description of it;
- every field is capped, so a 100,000-character key costs one short line.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from seccat.catalog.secretlike import (
    KNOWN_FORMATS,
    STRONG_FORMATS,
    find_known,
    find_strong,
    looks_random,
)

#: The longest user value a message quotes (escaped form), before "…".
MAX_SHOWN = 80
#: Caps for whole diagnostic fields (message, path, file name).
MAX_MESSAGE = 1000
MAX_PATH = 400
MAX_FILE = 400
_ELLIPSIS = "\u2026"
_TAGS = range(0xE0000, 0xE0080)


def escape(text: str) -> str:
    """``text`` with every character that is not plainly visible escaped (see module doc)."""
    if text.isprintable():
        return text
    out: list[str] = []
    tags = 0
    for char in text:
        code = ord(char)
        if code in _TAGS:
            tags += 1
            continue
        if tags:
            out.append(_tag_run(tags))
            tags = 0
        out.append(char if char.isprintable() else char.encode("unicode_escape").decode("ascii"))
    if tags:
        out.append(_tag_run(tags))
    return "".join(out)


def _tag_run(count: int) -> str:
    return f"<{count} invisible tag character{'s' if count != 1 else ''}>"


def clip(text: str, limit: int) -> str:
    """``text`` escaped and cut to at most ``limit`` characters."""
    if len(text) > limit * 4:  # never escape a megabyte to keep 80 characters of it
        text = text[: limit * 4]
        safe = escape(text)
        return safe[: limit - 1] + _ELLIPSIS
    safe = escape(text)
    return safe if len(safe) <= limit else safe[: limit - 1] + _ELLIPSIS


#: A whole PEM block, header to footer (or to the end of a cut text): the format patterns
#: match the BEGIN line alone, and the key material is the lines after it.
_PEM_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END [A-Z0-9 ]+-----|\Z)", re.DOTALL
)


def _pem_name(match: re.Match[str]) -> str:
    private = "PRIVATE KEY" in match.group(1)
    return f"[{'a PEM private key block' if private else 'a PEM block'}, not shown]"


def redact(text: str) -> str:
    """``text`` with every credential of a strong format replaced by what it is."""
    if not find_strong(text):
        return text
    text = _PEM_BLOCK.sub(_pem_name, text)
    for name, pattern in STRONG_FORMATS:
        text = pattern.sub(f"[{name}, not shown]", text)
    return text


def safe_field(text: str, limit: int) -> str:
    """A diagnostic field: credentials redacted, escaped, capped. Cheap for clean text.

    The backstop behind ``quoted``/``segment``: a builder that forgets them still cannot
    print a control sequence, an unbounded line or a token of a well-known format."""
    if len(text) <= limit and text.isprintable() and not find_strong(text):
        return text
    return clip(redact(text), limit)


def secret_like(text: str) -> str | None:
    """A description of ``text`` if it may be a secret value (then it is never shown)."""
    if find_known(text):
        for name, pattern in KNOWN_FORMATS:
            if pattern.search(text):
                return f"a value that looks like {name} (not shown)"
    if looks_random(text):
        return f"a {len(text)}-character value (not shown)"
    return None


def quoted(text: str, limit: int = MAX_SHOWN) -> str:
    """User text for a message: ``'name'``, escaped and capped, or a description of it
    when it may be a secret value (never echoed)."""
    hidden = secret_like(text)
    if hidden is not None:
        return hidden
    return f"'{clip(text, limit)}'"


def segment(text: str) -> str:
    """One key of a location path (``secrets.<key>.owner``): like ``quoted``, unquoted."""
    if len(text) < 20 and text.isprintable() and not find_known(text):
        return text
    hidden = secret_like(text)
    if hidden is not None:
        return f"<{hidden}>"
    return clip(text, MAX_SHOWN)


def shown(value: Any) -> str:
    """Any YAML value for a message: short, escaped, and never a string that could be a
    secret."""
    if isinstance(value, str):
        return quoted(value)
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return clip(repr(value), MAX_SHOWN)


#: Line breaks keep the message people already know for them.
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_CATEGORY_WORDS = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
    "Cs": "a surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}


def refused_message(text: str, index: int) -> str:
    """Why free text with an invisible or control character at ``index`` is refused; never
    quotes the text (what is hidden in it must not come back out)."""
    char = text[index]
    if char in _LINE_BREAKS:
        return (
            "contains a line break or another control character; write it on one line "
            "(a block scalar needs '>-' or '|-' to drop the final newline)"
        )
    code = ord(char)
    if code in _TAGS:
        what = "an invisible Unicode tag character"
    elif char in _BIDI:
        what = "a bidirectional control character"
    elif char in _ZERO_WIDTH:
        what = "a zero-width character"
    else:
        what = _CATEGORY_WORDS.get(unicodedata.category(char), "an invisible character")
    return (
        f"contains U+{code:04X} ({what}) at character {index + 1}; free text must be plain "
        "visible text, since such characters hide or reorder what reviewers see"
    )
