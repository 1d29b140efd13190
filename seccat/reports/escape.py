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

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]()#!|~{}$])")
_MENTION = re.compile(r"@(?=[A-Za-z0-9_-])")
_ISSUE = re.compile(r"#(?=\d)")
_EMOJI = re.compile(r":(?=[A-Za-z0-9_+-]+:)")
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(://)|(?<![a-z0-9])(www)(\.)")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")


def md_text(text: str) -> str:
    """``text`` as inert Markdown prose, safe in a table cell: one line, every character
    that means something escaped, HTML as entities."""
    out = _NEWLINES.sub(" ", text)
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MD_PUNCTUATION.sub(r"\\\1", out)
    out = _MENTION.sub("@" + _ZWSP, out)
    out = _ISSUE.sub("#" + _ZWSP, out)
    out = _EMOJI.sub(":" + _ZWSP, out)
    return _AUTOLINK.sub(
        lambda m: f":{_ZWSP}//" if m.group(1) else f"{m.group(2)}{_ZWSP}{m.group(3)}", out
    )


def md_code(text: str, *, table: bool = True) -> str:
    """``text`` as a code span: nothing inside is Markdown, HTML, a mention or an emoji.

    The fence is one backtick longer than the longest run inside, padded when the text
    starts or ends with one. In a table cell a pipe still ends the cell even inside a code
    span (GitHub's table rule), so it is escaped there and GitHub shows it unescaped.
    """
    body = _NEWLINES.sub(" ", text)
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
    body = "".join(_MERMAID.get(c, c) for c in _NEWLINES.sub(" ", text))
    return f'"{body}"'
