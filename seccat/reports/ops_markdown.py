"""Markdown building blocks for the operations reports (verify, status, rotate, rollback).

Live values are untrusted: a table cell escapes what would end the cell or start markup and
shows control and bidi characters as escapes; a fenced block is fenced with more backticks
than any run inside it, so nothing can close it early.
"""

from __future__ import annotations

import re

from seccat.cli.output import escape_for_terminal

_BACKTICKS = re.compile(r"`+")


def cell(text: str) -> str:
    return (
        escape_for_terminal(text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("`", "\\`")
        .replace("<", "&lt;")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def fence(body: str, info: str = "") -> list[str]:
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{info}", escape_for_terminal(body), marks]
