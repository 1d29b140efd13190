"""The value scan against the walk it replaced (kept here as the oracle).

``value_diagnostics`` judges each distinct key and string once and skips the format
search for free text already known to hold none; what it reports, where and in which
order, and which paths it flags, must not change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seccat.catalog import values
from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.untrusted import quoted
from seccat.catalog.values import (
    FREE_TEXT_FIELDS,
    MIN_TOKEN,
    VALUE_KEYS,
    WHERE_VALUES_BELONG,
    find_known,
    known_format,
    looks_random,
    value_diagnostics,
)
from seccat.catalog.yamlsource import RawPath, Source, read_yaml

_NAMED_MAPS = frozenset({"teams", "environments", "services", "databases", "secrets"})


def oracle(data: Any, src: Source) -> tuple[list[Diagnostic], set[RawPath]]:
    """``value_diagnostics`` as it was: a generator walk, every string searched."""
    out: list[Diagnostic] = []
    flagged: set[RawPath] = set()
    for path, what, text in _old_walk(data, ()):
        flagged.add(path)
        if what == "suspect value":
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
            if what == "value key":
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


def _old_walk(node: Any, path: RawPath) -> Iterator[tuple[RawPath, str, str]]:
    if type(node) is dict:
        named = len(path) == 1 and path[0] in _NAMED_MAPS
        for key, value in node.items():
            if find_known(key):
                yield (*path, key), "secret key", key
            elif (
                not named
                and type(value) is not dict
                and key.lower().replace("-", "_") in VALUE_KEYS
            ):
                yield (*path, key), "value key", key
            elif type(value) is str:
                if find_known(value) or (key in FREE_TEXT_FIELDS and len(value) >= MIN_TOKEN):
                    yield (*path, key), "suspect value", value
            elif type(value) in (dict, list):
                yield from _old_walk(value, (*path, key))
    elif type(node) is list:
        for i, value in enumerate(node):
            if type(value) is str:
                if find_known(value):
                    yield (*path, str(i)), "suspect value", value
            elif type(value) in (dict, list):
                yield from _old_walk(value, (*path, str(i)))
    elif type(node) is str and find_known(node):
        yield path, "suspect value", node


SECRETISH = [
    "AKIAIOSFODNN7EXAMPLE",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "ghp_" + "a1B2" * 9,
    "xoxb-1234567890-abc",
    "sk_live_" + "a1B2" * 5,
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.x",
    "postgres://user:pa55@db.example.com",
    "password: hunter2!",
    "token = abc123def",
    "Q3J5cHRvZ3JhcGhpY2FsbHkgcmFuZG9tIGJ5dGVz9x",  # random-looking base64
    "0123456789abcdef0123456789abcdef01234567",
    "Synthetic secret number 9978",
    "Database superuser used by rotation functions",
    "rotated weekly by the platform team, token: none",
]
KEYS = [
    *sorted(VALUE_KEYS)[:8],
    "Password",
    "api-key",
    "description",
    "reason",
    "without_source_keys",
    "owner",
    "secrets",
    "services",
    "teams",
    "x",
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_" + "a1B2" * 9,
]
SCALARS = st.one_of(
    st.sampled_from(SECRETISH), st.sampled_from(["x", "read", "aws-secretsmanager"]), st.integers()
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=30,
)


def _yaml(node: Any) -> str:
    """Flow YAML for a tree, every string double-quoted (so it reads back as written)."""
    if type(node) is dict:
        return "{" + ", ".join(f"{_yaml(k)}: {_yaml(v)}" for k, v in node.items()) + "}"
    if type(node) is list:
        return "[" + ", ".join(_yaml(v) for v in node) + "]"
    if type(node) is str:
        return '"' + node.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(node)


@settings(max_examples=300, deadline=None)
@given(root=st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6))
def test_value_scan_reports_what_it_did(root: dict[str, Any]) -> None:
    src = read_yaml(_yaml(root).encode(), "c.yaml")
    assert src.data == root and not src.diagnostics
    got, flagged = value_diagnostics(src.data, src)
    expected, expected_flagged = oracle(src.data, src)
    assert [d.render() for d in got] == [d.render() for d in expected]
    assert flagged == expected_flagged


@pytest.mark.parametrize("root", ["AKIAIOSFODNN7EXAMPLE", ["x", "AKIAIOSFODNN7EXAMPLE"], 7])
def test_a_document_that_is_not_a_mapping(root: Any) -> None:
    src = read_yaml(_yaml(root).encode(), "c.yaml")
    got, flagged = value_diagnostics(src.data, src)
    expected, expected_flagged = oracle(src.data, src)
    assert [d.render() for d in got] == [
        d.render() for d in expected
    ] and flagged == expected_flagged


def test_a_changed_scan_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: dropping the free-text token search changes what is reported."""
    monkeypatch.setattr(values, "looks_random", lambda text: False)
    src = read_yaml(b'a: {description: "Q3J5cHRvZ3JhcGhpY2FsbHkgcmFuZG9tIGJ5dGVz9x"}\n')
    assert value_diagnostics(src.data, src)[0] != oracle(src.data, src)[0]
