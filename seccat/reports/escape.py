"""Text a user wrote, made inert for GitHub Markdown and Mermaid.

A catalog's descriptions, waiver reasons and ids, and the rule messages that quote them,
reach a pull-request comment. There they must not close a table cell (``|``), open a code
span or block, inject HTML, ping someone (``@user``), cross-reference an issue (``#12``),
render as a link, an emoji (``:secret:``) or math (``$x$``), or break out of a Mermaid label.
"""

from __future__ import annotations

import re

#: Zero-width space as an entity: invisible, and it separates '@' from a name so GitHub
#: neither mentions nor links (the technique Dependabot's comments use).
_ZWSP = "&#8203;"

#: Each alternative is one thing GitHub would act on; one pass, so an entity one rule
#: inserts is never rewritten by another.
_MD_SPECIAL = re.compile(
    r"""
    (?P<html>[&<>$])
  | (?P<punct>[\\`*_\[\]()#!|~{}])(?P<digit>(?<=\#)\d)?
  | (?P<mention>@)(?=[A-Za-z0-9_-])
  | (?P<emoji>:)(?=[A-Za-z0-9_+-]+:)
  | (?P<scheme>:)(?=//)
  | (?P<www>(?<![A-Za-z0-9])www)(?=\.)
    """,
    re.VERBOSE,
)
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")
#: '$' as an entity: GitHub's math delimiter is only a literal '$', and its documentation
#: says a backslash does not always keep one out of math.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}


def _special(m: re.Match[str]) -> str:
    if m.group("html"):
        return _HTML[m.group("html")]
    if m.group("punct"):
        # '#' before a digit would reference an issue: escaped and split from the number.
        return f"\\{m.group('punct')}" + (f"{_ZWSP}{m.group('digit')}" if m.group("digit") else "")
    if m.group("mention"):
        return "@" + _ZWSP
    if m.group("emoji") or m.group("scheme"):
        return ":" + _ZWSP
    return f"www{_ZWSP}"


def _visible(text: str) -> str:
    """One line, with control and bidi-override characters shown as ``\\xNN`` (they would
    reorder or hide what a reviewer reads)."""
    from seccat.cli.output import escape_for_terminal  # the one definition of "unsafe"

    return escape_for_terminal(_NEWLINES.sub(" ", text))


def md_text(text: str) -> str:
    """``text`` as inert Markdown prose, safe in a table cell: one line, every character
    that means something escaped, HTML as entities, and mentions, issue references, emoji
    codes and autolinks broken by an invisible zero-width space."""
    return _MD_SPECIAL.sub(_special, _visible(text))


def md_code(text: str, *, table: bool = True) -> str:
    """``text`` as a code span: nothing inside is Markdown, HTML, a mention or an emoji.

    The fence is one backtick longer than the longest run inside, padded when the text
    starts or ends with one. In a table cell a pipe still ends the cell even inside a code
    span (GitHub's table rule), so it is escaped there and GitHub shows it unescaped.
    """
    body = _visible(text)
    if table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.strip()):
        body = f" {body} "
    return f"{fence}{body}{fence}" if body else "` `"


#: Mermaid's own entity codes (#quot; ...): inside a quoted label they are the only escape.
_MERMAID = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "`": "#96;",
    "\\": "#92;",
}


def mermaid_label(text: str) -> str:
    """``text`` as a quoted Mermaid label: ``"..."`` with quotes, HTML, backticks (which
    would start a Markdown label, or close the fenced block) and '#' written as entities."""
    body = "".join(_MERMAID.get(c, c) for c in _visible(text))
    return f'"{body}"'
