"""Refuse secret values in the catalog.

The catalog is reviewed in pull requests, copied into CI logs and read by every policy
rule; a value written into it is a leaked value. Detection is deliberately simple and
explainable: value-like keys, well-known credential formats, and long random-looking
tokens in the free-text fields where a pasted value would otherwise be accepted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.yamlsource import RawPath, Source

WHERE_VALUES_BELONG = (
    "the catalog holds metadata only; store values in AWS Secrets Manager or Vault "
    "(see README 'Filling externally issued secrets')"
)

#: Keys that only ever hold a value. Compared after lowercasing and turning '-' into '_'.
VALUE_KEYS: frozenset[str] = frozenset(
    {
        "value",
        "values",
        "secret",
        "secret_value",
        "secret_string",
        "secretstring",
        "secret_binary",
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "private_key",
        "privatekey",
        "key_material",
        "token",
        "access_token",
        "refresh_token",
        "auth_token",
        "bearer_token",
        "api_key",
        "apikey",
        "api_secret",
        "client_secret",
        "access_key",
        "access_key_id",
        "secret_key",
        "secret_access_key",
        "aws_secret_access_key",
        "credential",
        "credentials",
        "plaintext",
        "connection_string",
        "dsn",
    }
)

#: Maps whose keys are names chosen by the author (a secret may well be called 'token').
_NAMED_MAPS = frozenset({"teams", "environments", "services", "databases", "secrets"})

#: Fields of free text, where anything may be typed and so a pasted value is looked for.
FREE_TEXT_FIELDS = frozenset({"description", "reason"})

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
_ANY_KNOWN = re.compile("|".join(f"(?:{p.pattern})" for _, p in KNOWN_FORMATS))

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
    for name, pattern in KNOWN_FORMATS:
        if pattern.search(text):
            return name
    return None


def value_diagnostics(data: Any, src: Source) -> tuple[list[Diagnostic], set[RawPath]]:
    """Diagnostics for everything that looks like a secret value, and the paths involved.

    The paths are returned so later stages stay silent about them: a schema error there
    would say "unknown key 'password'" or, worse, quote the value.
    """
    out: list[Diagnostic] = []
    flagged: set[RawPath] = set()
    for path, key, value in _walk(data, ()):
        if key is not None:
            flagged.add(path)
            pos = src.key_position(path)
            out.append(
                Diagnostic(
                    src.file,
                    pos.line,
                    pos.column,
                    src.render(path),
                    f"key '{key}' holds a secret value; {WHERE_VALUES_BELONG}",
                    "SECRET_VALUE",
                )
            )
            continue
        what = known_format(value)
        if what is None and path and path[-1] in FREE_TEXT_FIELDS and looks_random(value):
            what = "a random token"
        if what is None:
            continue
        flagged.add(path)
        pos = src.value_position(path)
        out.append(
            Diagnostic(
                src.file,
                pos.line,
                pos.column,
                src.render(path),
                f"this looks like a secret value ({what}); {WHERE_VALUES_BELONG}",
                "SECRET_VALUE",
            )
        )
    return out, flagged


def _walk(node: Any, path: RawPath) -> Iterator[tuple[RawPath, str | None, str]]:
    """Yield (path, key, '') for value-like keys and (path, None, text) for suspect strings.

    Only strings that match a known format, or free text long enough to hold a token, are
    yielded: the walk visits every scalar of the catalog and most are short names.
    """
    if type(node) is dict:
        named = len(path) == 1 and path[0] in _NAMED_MAPS
        for key, value in node.items():
            # a mapping under such a key is structure (a typo of 'secrets:'), not a value
            if (
                not named
                and type(value) is not dict
                and key.lower().replace("-", "_") in VALUE_KEYS
            ):
                yield (*path, key), key, ""
            elif type(value) is str:
                if _ANY_KNOWN.search(value) or (
                    key in FREE_TEXT_FIELDS and len(value) >= MIN_TOKEN
                ):
                    yield (*path, key), None, value
            elif type(value) in (dict, list):
                yield from _walk(value, (*path, key))
    elif type(node) is list:
        for i, value in enumerate(node):
            if type(value) is str:
                if _ANY_KNOWN.search(value):
                    yield (*path, str(i)), None, value
            elif type(value) in (dict, list):
                yield from _walk(value, (*path, str(i)))
    elif type(node) is str and _ANY_KNOWN.search(node):
        yield path, None, node
