"""A fast yes/no answer to "is this data valid against the schema?".

jsonschema walks a 10,000-secret catalog in about two seconds, most of it in per-keyword
dispatch. Valid catalogs are the common case, so the schema is compiled once into plain
closures that answer only "valid" or "not sure". "Not sure" hands the data to jsonschema,
which stays the single authority for every error and its wording.

Each keyword follows JSON Schema (it applies only to instances of its type); where exact
agreement would take more code (integral floats, uniqueness of non-strings, enum and const
across types) the check answers False, which costs time and never correctness. A keyword it does not
know makes compilation fail, so a schema change cannot silently bypass validation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from seccat.catalog.alphabets import by_title

Check = Callable[[Any], bool]

#: Keywords that do not constrain instances.
_ANNOTATIONS = frozenset({"title", "description", "default", "$schema", "$id", "$comment"})

_TYPES: dict[str, Check] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


@cache
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """A schema pattern with JSON Schema's (ECMA-262) meaning of a final ``$``.

    In Python ``$`` also matches before a trailing newline, so ``^[a-z]+$`` would accept
    "payments\\n" and a newline would reach an IAM, HCL or SQL template. ECMA's ``$`` is
    the end of the input, which Python spells ``\\Z``.
    """
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


class UnsupportedKeyword(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def compile_schema(schema: dict[str, Any]) -> Check:
    """A validity check for ``schema`` (``$ref``s already inlined)."""
    schema = _normalise(schema)
    checks: list[Check] = []
    unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
    if unknown:
        raise UnsupportedKeyword(", ".join(sorted(unknown)))
    # A single 'type' whose own keywords are here is checked by their compiler, which then
    # refuses other types itself: one call per value instead of two (the common case).
    strict = schema.get("type")
    strict_keyword = _STRICT.get(strict) if isinstance(strict, str) else None
    if strict_keyword not in schema:
        strict_keyword = None
    for keyword in _ORDER:
        if keyword not in schema or (keyword == "type" and strict_keyword):
            continue
        if keyword == strict_keyword:
            checks.append(_KEYWORD_COMPILERS[keyword](schema, strict=True))
        else:
            checks.append(_KEYWORD_COMPILERS[keyword](schema))
    return _all_of(checks)


def _all_of(checks: list[Check]) -> Check:
    """All of ``checks`` (in order), without a generator per value."""
    if not checks:
        return lambda v: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    first, rest = checks[0], _all_of(checks[1:])
    return lambda v: first(v) and rest(v)


def _type(schema: dict[str, Any]) -> Check:
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    tests = [_TYPES[n] for n in names]
    if len(tests) == 1:
        return tests[0]
    return lambda v: any(t(v) for t in tests)


def _object(schema: dict[str, Any], strict: bool = False) -> Check:
    """properties, additionalProperties, required, propertyNames, min/maxProperties
    (``strict``: and 'type: object')."""
    props = {k: compile_schema(s) for k, s in schema.get("properties", {}).items()}
    extra = schema.get("additionalProperties", True)
    extra_check: Check | None
    if extra is False:
        extra_check = None
    elif extra is True:
        extra_check = lambda v: True  # noqa: E731
    else:
        extra_check = compile_schema(extra)
    required = tuple(schema.get("required", ()))
    names = compile_schema(schema["propertyNames"]) if "propertyNames" in schema else None
    low = schema.get("minProperties", 0)
    high = schema.get("maxProperties")

    other_types = not strict  # as in JSON Schema: 'type' decides, object keywords do not apply
    get = props.get

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return other_types
        if len(value) < low or (high is not None and len(value) > high):
            return False
        for key in required:
            if key not in value:
                return False
        if names is not None:
            for key in value:
                if not names(key):
                    return False
        for key, item in value.items():
            sub = get(key)
            if sub is not None:
                if not sub(item):
                    return False
            elif extra_check is None or not extra_check(item):
                return False
        return True

    return check


def _array(schema: dict[str, Any], strict: bool = False) -> Check:
    items = compile_schema(schema["items"]) if "items" in schema else None
    low = schema.get("minItems", 0)
    unique = schema.get("uniqueItems", False)
    other_types = not strict

    def check(value: Any) -> bool:
        if type(value) is not list:
            return other_types
        if len(value) < low:
            return False
        if items is not None:
            for item in value:
                if not items(item):
                    return False
        if not unique:
            return True
        # only strings are compared here; anything else is left to jsonschema
        for item in value:
            if type(item) is not str:
                return False
        return len(set(value)) == len(value)

    return check


def _string(schema: dict[str, Any], strict: bool = False) -> Check:
    search = ecma_regex(schema["pattern"]).search if "pattern" in schema else None
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    title = schema.get("title")
    alphabet = by_title(title) if isinstance(title, str) else None
    refused = alphabet.refused if alphabet is not None else frozenset()

    other_types = not strict

    def check(value: Any) -> bool:
        if type(value) is not str:
            return other_types
        if len(value) < low:
            return False
        if high is not None and len(value) > high:
            return False
        # Unicode categories the alphabet refuses (see seccat.catalog.violations)
        if (
            refused
            and not value.isascii()
            and any(unicodedata.category(c) in refused for c in value)
        ):
            return False
        return search is None or search(value) is not None

    return check


def _enum(schema: dict[str, Any]) -> Check:
    choices = schema["enum"]
    if not all(type(c) is str for c in choices):
        raise UnsupportedKeyword("enum of non-strings")
    allowed = frozenset(choices)
    return lambda v: type(v) is str and v in allowed


def _const(schema: dict[str, Any]) -> Check:
    expected = schema["const"]
    kind = type(expected)
    if kind not in (str, int):
        raise UnsupportedKeyword("const of a non-scalar")
    return lambda v: type(v) is kind and v == expected


def _range(schema: dict[str, Any]) -> Check:
    low = schema.get("minimum")
    high = schema.get("maximum")

    def check(value: Any) -> bool:
        if type(value) not in (int, float):
            return True
        return (low is None or value >= low) and (high is None or value <= high)

    return check


_KEYWORD_COMPILERS: dict[str, Callable[..., Check]] = {
    "type": _type,
    "properties": _object,
    "enum": _enum,
    "const": _const,
    "pattern": _string,
    "items": _array,
    "minimum": _range,
}
#: Keywords each compiler above consumes (one compiler may handle several).
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
_ORDER = ("type", "enum", "const", "properties", "pattern", "items", "minimum")
#: The keyword whose compiler can also check a single ``type`` (``strict``).
_STRICT = {"object": "properties", "array": "items", "string": "pattern"}


def _normalise(schema: dict[str, Any]) -> dict[str, Any]:
    """Route keywords that appear without their 'anchor' keyword to a compiler."""
    out = dict(schema)
    if "properties" not in out and any(
        k in out for k in ("additionalProperties", "required", "propertyNames", "minProperties")
    ):
        out["properties"] = {}
    if "maxProperties" in out and "properties" not in out:
        out["properties"] = {}
    if "pattern" not in out and ("minLength" in out or "maxLength" in out):
        out["pattern"] = ""
    if "items" not in out and ("minItems" in out or "uniqueItems" in out):
        out["items"] = {}
    if "minimum" not in out and "maximum" in out:
        out["minimum"] = None
    return out
