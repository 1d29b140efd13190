"""Markdown building blocks for the operations reports (verify, status, rotate, rollback).

Live values are untrusted (a tag value, a hand-made Vault policy's name, an error message),
and these reports are posted as pull-request and incident comments. So they use the same
escapers as `seccat diff`'s comment (seccat/reports/escape.py): prose and table cells through
``md_text`` (nothing can end the cell, open markup, mention, link or inject HTML), names
through ``md_code`` (a code span whose fence no backtick inside can close: a backslash does
not escape inside a code span), and a fenced block is fenced with more backticks than any
run inside it, so nothing can close it early.
"""

from __future__ import annotations

import re

from seccat.cli.output import escape_for_terminal
from seccat.reports.escape import md_code, md_text

_BACKTICKS = re.compile(r"`+")


def cell(text: str) -> str:
    """Inert Markdown prose on one line, safe in a table cell."""
    return md_text(text)


def code(text: str, *, table: bool = True) -> str:
    """A name or location as a code span, safe in a table cell (``table=False`` outside
    one: a heading or a line, where an escaped pipe would show its backslash)."""
    return md_code(text, table=table)


def fence(body: str, info: str = "") -> list[str]:
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{info}", escape_for_terminal(body), marks]
