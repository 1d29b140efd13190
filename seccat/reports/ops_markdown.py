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


def own(text: str) -> str:
    """seccat's own fixed prose (a check's remediation) in a table cell: its code spans stay
    code. Never for live or catalog text: only a pipe and a line break are escaped."""
    return text.replace("|", "\\|").replace("\n", " ")


#: seccat's prose that ends with a command to copy (a rotate step by hand, a rollback that
#: cannot be): ``...: aws secretsmanager put-secret-value ... file://new-value``.
_COMMAND = re.compile(r"(?P<prose>.*?: )(?P<command>(?:aws|bao|seccat) .*)", re.DOTALL)


def with_command(text: str) -> str:
    """``cell``, but a trailing command becomes a code span: escaping it as prose would put
    a zero-width space into ``file://`` or ``@new-value``, and a copied command would then
    store that text as the secret's value."""
    found = _COMMAND.fullmatch(text)
    if found is None:
        return cell(text)
    return cell(found.group("prose")) + code(found.group("command"))


def fence(body: str, info: str = "") -> list[str]:
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(body)), default=0)
    marks = "`" * max(3, longest + 1)
    return [f"{marks}{info}", escape_for_terminal(body), marks]
