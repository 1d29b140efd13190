"""Read Vault ACL policies (HCL) into (path, capabilities) pairs.

Only the subset Vault accepts for ACL policies is needed: ``path "<p>" { key = value }``
blocks, comments, strings, lists and nested objects. A document outside that subset raises
ValueError, which rules report instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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


def parse_policy(text: str) -> list[PathRule]:
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
        rules.append(
            PathRule(path, tuple(str(c) for c in (caps if isinstance(caps, list) else [caps])))
        )
    return rules
