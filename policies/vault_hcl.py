"""Read Vault ACL policies (HCL) into (path, capabilities) pairs.

Only the subset Vault accepts for ACL policies is needed: ``path "<p>" { key = value }``
blocks, comments, strings, lists and nested objects. A document outside that subset raises
ValueError, which rules report instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<punct>[{}\[\]=,:])
  | (?P<word>[A-Za-z0-9_.+-]+)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class PathRule:
    path: str
    capabilities: tuple[str, ...]


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            raise ValueError(f"unexpected character {text[pos]!r} at offset {pos}")
        pos = match.end()
        if match.lastgroup != "ws":
            out.append(match.group(0))
    return out


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ValueError(f"expected {expected or 'a token'}, found {token!r}")
        self.i += 1
        return token

    def value(self) -> Any:
        token = self.peek()
        if token == "[":
            self.take("[")
            items: list[Any] = []
            while self.peek() != "]":
                items.append(self.value())
                if self.peek() == ",":
                    self.take(",")
            self.take("]")
            return items
        if token == "{":
            return self.body()
        token = self.take()
        return _unquote(token) if token.startswith('"') else token

    def body(self) -> dict[str, Any]:
        self.take("{")
        out: dict[str, Any] = {}
        while self.peek() != "}":
            key = _unquote(self.take())
            if self.peek() in ("=", ":"):
                self.take()
            out[key] = self.value()
            if self.peek() == ",":
                self.take(",")
        self.take("}")
        return out


def _unquote(token: str) -> str:
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return token


_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|(#[^\n]*|//[^\n]*|/\*.*?\*/)', re.DOTALL)
#: The shape nearly every policy has: path blocks holding only a capabilities list. Parsed
#: with one regular expression; anything else goes through the general parser.
_SIMPLE_BLOCK = re.compile(
    r'\s*path\s+"([^"\\]*)"\s*\{\s*capabilities\s*=\s*\[([^\]]*)\]\s*,?\s*\}\s*'
)
_CAPABILITY = re.compile(r'^\s*"([a-z]+)"\s*$')


def _strip_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: "" if m.group(1) else m.group(0), text)


def _fast(text: str) -> tuple[PathRule, ...] | None:
    rules: list[PathRule] = []
    pos = 0
    while pos < len(text):
        match = _SIMPLE_BLOCK.match(text, pos)
        if not match:
            return None
        caps: list[str] = []
        for item in match.group(2).split(","):
            if not item.strip():
                continue
            cap = _CAPABILITY.match(item)
            if not cap:
                return None
            caps.append(cap.group(1))
        rules.append(PathRule(match.group(1), tuple(caps)))
        pos = match.end()
    return tuple(rules)


@lru_cache(maxsize=8192)
def parse_policy(text: str) -> tuple[PathRule, ...]:
    """Cached: several rules read each policy."""
    simple = _fast(_strip_comments(text))
    if simple is not None:
        return simple
    parser = _Parser(_tokens(text))
    rules: list[PathRule] = []
    while parser.peek() is not None:
        keyword = parser.take()
        if keyword != "path":
            raise ValueError(f"unexpected top-level {keyword!r} (only path blocks are allowed)")
        path = _unquote(parser.take())
        if parser.peek() == "=":
            parser.take("=")
        body = parser.body()
        caps = body.get("capabilities", [])
        listed = caps if isinstance(caps, list) else [caps]
        rules.append(PathRule(path, tuple(str(c) for c in listed)))
    return tuple(rules)
