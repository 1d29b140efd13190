"""What a secret value looks like: well-known credential formats and random-looking tokens.

A leaf module (it imports nothing of seccat), so the value scan, the message helpers and
``Diagnostic`` itself can all ask the same question without import cycles.
"""

from __future__ import annotations

import math
import re
from collections import Counter

#: Well-known credential formats, searched in every string of the catalog.
KNOWN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "an AWS access key id",
        re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    ),
    (
        "a PEM private key block",
        re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
    ("a PEM block", re.compile(r"-----BEGIN [A-Z0-9 ]+-----")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Stripe key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}\b")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")),
    ("a URL with a password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
    (
        "an inline credential (name: value)",
        # the value must hold a digit or a symbol, so "token: rotated weekly" is prose
        re.compile(
            r"\b(?i:password|passwd|pwd|secret|token|api[_-]?key)\s*[:=]\s*['\"]?"
            r"(?=[^\s'\"]*[0-9!#$%^&*])[^\s'\"]{6,}"
        ),
    ),
)

#: All known formats at once: one search per string finds out whether any applies.
ANY_KNOWN = re.compile("|".join(f"(?:{p.pattern})" for _, p in KNOWN_FORMATS))

#: A token worth measuring: the characters of base64, base64url and hex.
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-]{20,}")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
#: A segment of a kebab/snake/path name: a word, maybe with a number after it, or a number.
_WORD = re.compile(r"^(?:[A-Za-z][a-z]*[0-9]*|[0-9]+|)$")
#: Bits per character above which a token of that alphabet is taken for random. Random
#: base64 of 20+ characters scores above 4.0, hex of 32+ above 3.3; English words,
#: kebab-case names and version strings stay well below.
BASE64_BITS = 3.9
HEX_BITS = 3.2
MIN_TOKEN = 20
MIN_HEX_TOKEN = 32


def shannon_bits(text: str) -> float:
    """Shannon entropy per character."""
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(text: str) -> bool:
    """True for a string that holds a long random-looking token (a likely secret value)."""
    if len(text) < MIN_TOKEN:
        return False
    return any(_random_token(m.group(0)) for m in _TOKEN.finditer(text))


def _random_token(token: str) -> bool:
    if _HEX.match(token):
        return len(token) >= MIN_HEX_TOKEN and shannon_bits(token) >= HEX_BITS
    classes = (
        any(c.islower() for c in token)
        + any(c.isupper() for c in token)
        + any(c.isdigit() for c in token)
    )
    # kebab/snake names ("checkout-api-version2") are words glued together, not tokens
    words = re.split(r"[-_/]", token)
    if len(words) > 1 and all(_WORD.match(w) for w in words):
        return False
    return classes >= 2 and shannon_bits(token) >= BASE64_BITS


def known_format(text: str) -> str | None:
    """The name of the well-known credential format ``text`` contains, if any."""
    for name, pattern in KNOWN_FORMATS:
        if pattern.search(text):
            return name
    return None


def may_match_known(text: str) -> bool:
    """False when ``text`` cannot hold any well-known format (a few substring tests,
    far cheaper than the regular expressions): every format has one of these markers."""
    return (
        ":" in text
        or "=" in text
        or "-----" in text
        or "AKIA" in text
        or "ASIA" in text
        or "ABIA" in text
        or "ACCA" in text
        or "gh" in text
        or "xox" in text
        or "_live_" in text
        or "_test_" in text
        or "eyJ" in text
    )


def find_known(text: str) -> bool:
    """Whether ``text`` holds a well-known credential format."""
    return may_match_known(text) and ANY_KNOWN.search(text) is not None


#: The formats that stand out in any text: all but "name: value" credentials, which a
#: sentence of seccat's own (a diagnostic message) could resemble.
STRONG_FORMATS = tuple(f for f in KNOWN_FORMATS if not f[0].startswith("an inline"))
_ANY_STRONG = re.compile("|".join(f"(?:{p.pattern})" for _, p in STRONG_FORMATS))


def find_strong(text: str) -> bool:
    """Whether ``text`` holds a credential of a strong format (cheap for ordinary text)."""
    return (
        "://" in text
        or "-----" in text
        or "AKIA" in text
        or "ASIA" in text
        or "ABIA" in text
        or "ACCA" in text
        or "gh" in text
        or "xox" in text
        or "_live_" in text
        or "_test_" in text
        or "eyJ" in text
    ) and _ANY_STRONG.search(text) is not None
