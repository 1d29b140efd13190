"""Refuse secret values in the catalog.

The catalog is reviewed in pull requests, copied into CI logs and read by every policy
rule; a value written into it is a leaked value. Detection is deliberately simple and
explainable: value-like keys, well-known credential formats, and long random-looking
tokens in the free-text fields where a pasted value would otherwise be accepted.
"""

from __future__ import annotations

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
        if what is _FREE_TEXT:  # long free text with no known format: a token in it?
            if not looks_random(text):
                continue
            what, kind = _SUSPECT, "a random token"
        elif what is _SUSPECT:
            kind = known_format(text)
        flagged.add(path)
        if what is _SUSPECT:
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


#: What ``_walk`` found at a path: a value-like key, a key that is a credential, a string
#: holding a well-known format, free text long enough to hold a token (and no known format).
_VALUE_KEY, _SECRET_KEY, _SUSPECT = "value key", "secret key", "suspect value"
_FREE_TEXT = "free text"


def _walk(node: Any, path: RawPath) -> list[tuple[RawPath, str, str]]:
    """(path, what, text) of value-like keys, keys that are themselves credentials (a
    token used as a service name or an unknown key), and suspect strings, in document order.

    Only strings that match a known format (``_SUSPECT``), or free text long enough to hold
    a token (``_FREE_TEXT``), are returned: the walk visits every scalar of the catalog and
    most are short names that repeat (a store, a team, a key), so each distinct key and
    string is judged once.
    """
    found: list[tuple[RawPath, str, str]] = []
    add = found.append
    #: key -> what it is on its own (_SECRET_KEY, _VALUE_KEY or "" for neither)
    key_kinds: dict[str, str] = {}
    #: string -> whether it holds a well-known format
    known: dict[str, bool] = {}

    def kind_of_key(key: str) -> str:
        if find_known(key):
            kind = _SECRET_KEY
        elif key.lower().replace("-", "_") in VALUE_KEYS:
            kind = _VALUE_KEY
        else:
            kind = ""
        key_kinds[key] = kind
        return kind

    def holds_known(text: str) -> bool:
        verdict = known[text] = find_known(text)
        return verdict

    def mapping(node: dict[str, Any], path: RawPath) -> None:
        named = len(path) == 1 and path[0] in _NAMED_MAPS
        for key, value in node.items():
            kind = key_kinds.get(key)
            if kind is None:
                kind = kind_of_key(key)
            value_type = type(value)
            if kind:
                if kind is _SECRET_KEY:
                    add(((*path, key), _SECRET_KEY, key))
                    continue
                # a mapping under such a key is structure (a typo of 'secrets:'), not a value
                if not named and value_type is not dict:
                    add(((*path, key), _VALUE_KEY, key))
                    continue
            if value_type is str:
                verdict = known.get(value)
                if verdict is None:
                    verdict = holds_known(value)
                if verdict:
                    add(((*path, key), _SUSPECT, value))
                elif key in FREE_TEXT_FIELDS and len(value) >= MIN_TOKEN:
                    add(((*path, key), _FREE_TEXT, value))
            elif value_type is dict:
                mapping(value, (*path, key))
            elif value_type is list:
                sequence(value, (*path, key))

    def sequence(node: list[Any], path: RawPath) -> None:
        for i, value in enumerate(node):
            value_type = type(value)
            if value_type is str:
                verdict = known.get(value)
                if verdict is None:
                    verdict = holds_known(value)
                if verdict:
                    add(((*path, str(i)), _SUSPECT, value))
            elif value_type is dict:
                mapping(value, (*path, str(i)))
            elif value_type is list:
                sequence(value, (*path, str(i)))

    if type(node) is dict:
        mapping(node, path)
    elif type(node) is list:
        sequence(node, path)
    elif type(node) is str and find_known(node):
        add((path, _SUSPECT, node))
    return found
