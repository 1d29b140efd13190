"""Every schema violation of catalog data, found in one linear pass.

jsonschema's ``iter_errors`` costs tens of microseconds per error (validator evolution,
error objects, lazy paths): 100,000 small mistakes took over ten seconds to list. The
catalog schema uses a small, fixed set of keywords (the same ones ``quickcheck`` compiles,
and compilation fails on any other), so each schema node is compiled once into a closure
that appends plain ``Violation`` records, descending only into values the quick check
does not already accept.

The meaning of each keyword is JSON Schema draft 2020-12's, as jsonschema implements it
(integral floats are integers, ``true`` is not ``1``, a keyword applies only to instances
of its type); tests/catalog/test_violations.py checks the two agree, violation for
violation, on generated and mutated catalogs. On top of the standard keywords, a string
whose schema title names an alphabet with ``refused`` Unicode categories (free text) is
checked for them: ECMA-262 patterns cannot express those portably.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from seccat.catalog.alphabets import by_title
from seccat.catalog.quickcheck import compile_schema, ecma_regex

RawPath = tuple[str, ...]


class Violation(NamedTuple):
    """One failed keyword: where, which keyword, on what, and the schema node holding it."""

    path: RawPath
    keyword: str
    instance: Any
    schema: dict[str, Any]
    #: The keyword's value in the schema (jsonschema's ``validator_value``); for
    #: ``refused``, the index of the first refused character.
    value: Any
    #: Found by ``propertyNames``: ``instance`` is a key of the mapping at ``path``.
    in_names: bool = False


Explain = Callable[[Any, RawPath, list[Violation], bool], None]

_ANNOTATIONS = frozenset({"title", "description", "default", "$schema", "$id", "$comment"})
_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "additionalProperties",
        "required",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "items",
        "minItems",
        "uniqueItems",
        "minimum",
        "maximum",
    }
)


class UnsupportedKeyword(ValueError):
    """The schema uses a keyword this module does not implement."""


def _is_number(v: Any) -> bool:
    return type(v) in (int, float)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    # as jsonschema: 1.0 is an integer, true is not
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
    "number": _is_number,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


def same_key(value: Any) -> Any:
    """What JSON equality compares (``true`` differs from ``1``; ``1`` equals ``1.0``)."""
    if type(value) is bool:
        return ("bool", value)
    if _is_number(value):
        return ("number", value)
    if type(value) is str:
        return ("string", value)
    if value is None:
        return ("null",)
    return ("json", json.dumps(value, sort_keys=True, default=str))


def first_repeat(items: list[Any]) -> int | None:
    """Index of the first item equal (in JSON terms) to an earlier one."""
    seen: set[Any] = set()
    for i, item in enumerate(items):
        key = same_key(item)
        if key in seen:
            return i
        seen.add(key)
    return None


def compile_explainer(schema: dict[str, Any]) -> Explain:
    """The violations of ``schema`` (``$ref``s inlined) as one closure per schema node."""
    unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
    if unknown:
        raise UnsupportedKeyword(", ".join(sorted(unknown)))
    steps: list[Explain] = []
    if "type" in schema:
        steps.append(_type(schema))
    if "enum" in schema:
        steps.append(_enum(schema))
    if "const" in schema:
        steps.append(_const(schema))
    if _OBJECT_KEYS & set(schema):
        steps.append(_object(schema))
    if _STRING_KEYS & set(schema) or _refused(schema):
        steps.append(_string(schema))
    if _ARRAY_KEYS & set(schema):
        steps.append(_array(schema))
    if "minimum" in schema or "maximum" in schema:
        steps.append(_range(schema))

    def explain(value: Any, path: RawPath, out: list[Violation], names: bool) -> None:
        for step in steps:
            step(value, path, out, names)

    return explain


_OBJECT_KEYS = frozenset(
    {"properties", "additionalProperties", "required", "propertyNames"}
    | {"minProperties", "maxProperties"}
)
_STRING_KEYS = frozenset({"pattern", "minLength", "maxLength"})
_ARRAY_KEYS = frozenset({"items", "minItems", "uniqueItems"})


def _type(schema: dict[str, Any]) -> Explain:
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    tests = [_TYPES[n] for n in names]

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if not any(t(value) for t in tests):
            out.append(Violation(path, "type", value, schema, schema["type"], in_names))

    return step


def _enum(schema: dict[str, Any]) -> Explain:
    allowed = {same_key(c) for c in schema["enum"]}

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if same_key(value) not in allowed:
            out.append(Violation(path, "enum", value, schema, schema["enum"], in_names))

    return step


def _const(schema: dict[str, Any]) -> Explain:
    expected = same_key(schema["const"])

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if same_key(value) != expected:
            out.append(Violation(path, "const", value, schema, schema["const"], in_names))

    return step


def _object(schema: dict[str, Any]) -> Explain:
    props = {
        key: (compile_schema(sub), compile_explainer(sub))
        for key, sub in schema.get("properties", {}).items()
    }
    extra = schema.get("additionalProperties", True)
    extra_pair = (
        (compile_schema(extra), compile_explainer(extra)) if isinstance(extra, dict) else None
    )
    required = tuple(schema.get("required", ()))
    names = schema.get("propertyNames")
    names_pair = (compile_schema(names), compile_explainer(names)) if names is not None else None
    low = schema.get("minProperties")
    high = schema.get("maxProperties")

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if type(value) is not dict:
            return
        if low is not None and len(value) < low:
            out.append(Violation(path, "minProperties", value, schema, low, in_names))
        if high is not None and len(value) > high:
            out.append(Violation(path, "maxProperties", value, schema, high, in_names))
        if required and any(key not in value for key in required):
            out.append(Violation(path, "required", value, schema, list(required), in_names))
        extras = False
        for key, item in value.items():
            if names_pair is not None and not names_pair[0](key):
                names_pair[1](key, path, out, True)
            pair = props.get(key)
            if pair is None:
                if extra is False:
                    extras = True
                    continue
                pair = extra_pair
                if pair is None:
                    continue
            if not pair[0](item):
                pair[1](item, (*path, key), out, in_names)
        if extras:
            out.append(Violation(path, "additionalProperties", value, schema, False, in_names))

    return step


def _refused(schema: dict[str, Any]) -> frozenset[str]:
    alphabet = by_title(schema.get("title", "")) if isinstance(schema.get("title"), str) else None
    return alphabet.refused if alphabet is not None else frozenset()


def _string(schema: dict[str, Any]) -> Explain:
    search = ecma_regex(schema["pattern"]).search if "pattern" in schema else None
    low = schema.get("minLength")
    high = schema.get("maxLength")
    refused = _refused(schema)

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if type(value) is not str:
            return
        if low is not None and len(value) < low:
            out.append(Violation(path, "minLength", value, schema, low, in_names))
        if high is not None and len(value) > high:
            out.append(Violation(path, "maxLength", value, schema, high, in_names))
        bad = refused_index(value, refused) if refused else None
        if bad is not None:
            # one message for an invisible character, not a pattern error beside it
            out.append(Violation(path, "refused", value, schema, bad, in_names))
        elif search is not None and search(value) is None:
            out.append(Violation(path, "pattern", value, schema, schema["pattern"], in_names))

    return step


def refused_index(text: str, refused: frozenset[str]) -> int | None:
    """Index of the first character of ``text`` in a refused Unicode category."""
    if text.isascii():
        for i, char in enumerate(text):
            if (char < " " or char == "\x7f") and "Cc" in refused:
                return i
        return None
    for i, char in enumerate(text):
        if unicodedata.category(char) in refused:
            return i
    return None


def _array(schema: dict[str, Any]) -> Explain:
    items = schema.get("items")
    item_pair = (compile_schema(items), compile_explainer(items)) if items is not None else None
    low = schema.get("minItems")
    unique = schema.get("uniqueItems", False)

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if type(value) is not list:
            return
        if low is not None and len(value) < low:
            out.append(Violation(path, "minItems", value, schema, low, in_names))
        if unique and first_repeat(value) is not None:
            out.append(Violation(path, "uniqueItems", value, schema, True, in_names))
        if item_pair is not None:
            quick, explain = item_pair
            for i, item in enumerate(value):
                if not quick(item):
                    explain(item, (*path, str(i)), out, in_names)

    return step


def _range(schema: dict[str, Any]) -> Explain:
    low = schema.get("minimum")
    high = schema.get("maximum")

    def step(value: Any, path: RawPath, out: list[Violation], in_names: bool) -> None:
        if type(value) not in (int, float):
            return
        if low is not None and value < low:
            out.append(Violation(path, "minimum", value, schema, low, in_names))
        if high is not None and value > high:
            out.append(Violation(path, "maximum", value, schema, high, in_names))

    return step


def violations(explain: Explain, data: Any) -> list[Violation]:
    """Every violation in ``data``."""
    out: list[Violation] = []
    explain(data, (), out, False)
    return out
