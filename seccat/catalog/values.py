"""Refuse secret values in the catalog.

The catalog is reviewed in pull requests, copied into CI logs and read by every policy
rule; a value written into it is a leaked value. Detection is deliberately simple and
explainable: value-like keys, well-known credential formats, and long random-looking
tokens in the free-text fields where a pasted value would otherwise be accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.secretlike import KNOWN_FORMATS as KNOWN_FORMATS
from seccat.catalog.secretlike import MIN_TOKEN, find_known, known_format, looks_random
from seccat.catalog.secretlike import shannon_bits as shannon_bits
from seccat.catalog.untrusted import quoted
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
FREE_TEXT_FIELDS = frozenset({"description", "reason", "without_source_keys"})


def value_diagnostics(data: Any, src: Source) -> tuple[list[Diagnostic], set[RawPath]]:
    """Diagnostics for everything that looks like a secret value, and the paths involved.

    The paths are returned so later stages stay silent about them: a schema error there
    would say "unknown key 'password'" or, worse, quote the value.
    """
    out: list[Diagnostic] = []
    flagged: set[RawPath] = set()
    for path, what, text in _walk(data, ()):
        flagged.add(path)
        if what == _SUSPECT:
            kind = known_format(text)
            if kind is None and path and path[-1] in FREE_TEXT_FIELDS and looks_random(text):
                kind = "a random token"
            if kind is None:
                flagged.discard(path)
                continue
            message = f"this looks like a secret value ({kind}); {WHERE_VALUES_BELONG}"
            pos = src.value_position(path)
        else:
            pos = src.key_position(path)
            if what == _VALUE_KEY:
                message = f"key {quoted(text)} holds a secret value; {WHERE_VALUES_BELONG}"
            else:
                message = (
                    f"this key looks like a secret value ({known_format(text)}); a key is a "
                    f"name, never a credential; {WHERE_VALUES_BELONG}"
                )
        out.append(
            Diagnostic(src.file, pos.line, pos.column, src.render(path), message, "SECRET_VALUE")
        )
    return out, flagged


#: What ``_walk`` found at a path.
_VALUE_KEY, _SECRET_KEY, _SUSPECT = "value key", "secret key", "suspect value"


def _walk(node: Any, path: RawPath) -> Iterator[tuple[RawPath, str, str]]:
    """Yield (path, what, text): value-like keys, keys that are themselves credentials (a
    token used as a service name or an unknown key), and suspect strings.

    Only strings that match a known format, or free text long enough to hold a token, are
    yielded: the walk visits every scalar of the catalog and most are short names.
    """
    if type(node) is dict:
        named = len(path) == 1 and path[0] in _NAMED_MAPS
        for key, value in node.items():
            if find_known(key):
                yield (*path, key), _SECRET_KEY, key
            # a mapping under such a key is structure (a typo of 'secrets:'), not a value
            elif (
                not named
                and type(value) is not dict
                and key.lower().replace("-", "_") in VALUE_KEYS
            ):
                yield (*path, key), _VALUE_KEY, key
            elif type(value) is str:
                if find_known(value) or (key in FREE_TEXT_FIELDS and len(value) >= MIN_TOKEN):
                    yield (*path, key), _SUSPECT, value
            elif type(value) in (dict, list):
                yield from _walk(value, (*path, key))
    elif type(node) is list:
        for i, value in enumerate(node):
            if type(value) is str:
                if find_known(value):
                    yield (*path, str(i)), _SUSPECT, value
            elif type(value) in (dict, list):
                yield from _walk(value, (*path, str(i)))
    elif type(node) is str and find_known(node):
        yield path, _SUSPECT, node
