"""The catalog's JSON Schema and its errors in words a catalog author recognises.

The schema is the single description of the format: editors use it through the
``yaml-language-server`` comment, ``seccat schema`` prints it, and validation runs it once
per load with a validator built once per process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from seccat.catalog.alphabets import ALPHABETS, by_title, schema_defs
from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Position
from seccat.catalog.quickcheck import Check, compile_schema, ecma_regex
from seccat.catalog.suggest import closest
from seccat.catalog.untrusted import quoted, refused_message, shown
from seccat.catalog.violations import (
    Explain,
    Violation,
    compile_explainer,
    first_repeat,
    violations,
)
from seccat.catalog.yamlsource import RawPath, Source

_HERE = Path(__file__).resolve().parent
#: The schema ships inside the package (wheel) and lives at the top of the repository.
_CANDIDATES = (_HERE / "catalog.schema.json", _HERE.parents[1] / "schema" / "catalog.schema.json")

#: How the schema titles a duration, and the forms it accepts.
DURATION_TITLE = ALPHABETS["duration"].title
DURATION_HINT = ALPHABETS["duration"].hint or ""

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def schema_path() -> Path:
    for candidate in _CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("catalog.schema.json is missing from the installation")


@cache
def catalog_schema() -> dict[str, Any]:
    """The schema as data (parsed once), its alphabets taken from the one table.

    The committed file holds the same ``$defs`` (a test keeps it current, and
    ``seccat schema --write`` regenerates it); validation never depends on it being so.
    """
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    schema["$defs"] = {**schema.get("$defs", {}), **schema_defs()}
    return schema


def schema_text() -> str:
    """The schema as the committed file and `seccat schema` spell it."""
    return json.dumps(catalog_schema(), indent=2, ensure_ascii=False) + "\n"


@cache
def inlined_schema() -> dict[str, Any]:
    """The schema with its ``$ref``s inlined, built once.

    Each definition's title survives inlining, which the messages below use."""
    schema = catalog_schema()
    return _inline(schema, schema.get("$defs", {}))


@cache
def validator() -> Any:
    """jsonschema's validator over the inlined schema (ECMA-262 patterns): the reference
    implementation the explainer is tested against (tests/catalog/test_violations.py).

    Validation itself never imports jsonschema: it costs a quarter of a second at start-up,
    and ``seccat validate`` runs in CI on every push.
    """
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    def ecma_pattern(
        validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
    ) -> Iterator[ValidationError]:
        """``pattern`` with ECMA-262 semantics (see ``ecma_regex``); jsonschema uses ``re``."""
        if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
            yield ValidationError(f"{instance!r} does not match {pattern!r}")

    extended = validators.extend(Draft202012Validator, {"pattern": ecma_pattern})
    return extended(inlined_schema())


@cache
def quick_check() -> Check:
    """A compiled yes/no check; the explainer runs only when it says no (see quickcheck)."""
    return compile_schema(inlined_schema())


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target = _inline(defs[node["$ref"].removeprefix("#/$defs/")], defs)
            rest = {k: _inline(v, defs) for k, v in node.items() if k != "$ref"}
            return {**target, **rest}
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def schema_diagnostics(
    data: Any,
    src: Source,
    silenced: Callable[[RawPath], bool] = lambda path: False,
) -> list[Diagnostic]:
    """Every schema violation in ``data``, located and worded for people.

    ``silenced`` says which paths were already reported by an earlier stage (an alias, a
    secret value): their schema errors would repeat the problem, or echo a value.
    """
    return [d for _, d in schema_problems(data, src, silenced)]


def schema_problems(
    data: Any,
    src: Source,
    silenced: Callable[[RawPath], bool] = lambda path: False,
) -> list[tuple[RawPath, Diagnostic]]:
    """Like ``schema_diagnostics``, with the path of each problem as a tuple."""
    if quick_check()(data):
        return []
    out: list[tuple[RawPath, Diagnostic]] = []
    seen: set[tuple[RawPath, str]] = set()
    file = src.file
    for violation in violations(explainer(), data):
        for path, position, message in _explain(violation, src):
            if silenced(path) or (path, message) in seen:
                continue
            seen.add((path, message))
            diagnostic = Diagnostic(
                file, position.line, position.column, src.render(path), message, "SCHEMA"
            )
            out.append((path, diagnostic))
    return out


@cache
def explainer() -> Explain:
    """Every violation, compiled once from the same inlined schema as ``validator()``."""
    return compile_explainer(inlined_schema())


def _title(schema: Any) -> str | None:
    return schema.get("title") if isinstance(schema, dict) else None


def _explain(error: Violation, src: Source) -> list[tuple[RawPath, Position, str]]:
    path = error.path
    kind = error.keyword
    instance = error.instance
    schema = error.schema
    here = src.value_position(path)

    if error.in_names:
        key_path = (*path, str(instance))
        title = _title(schema) or "a valid name"
        if kind == "maxLength":
            message = f"{shown(instance)} is longer than {error.value} characters"
        else:
            message = _not_a(instance, title)
        return [(key_path, src.key_position(key_path), message)]

    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        out = []
        for key in instance:
            if key in allowed:
                continue
            key_path = (*path, key)
            message = f"unknown key {quoted(key)}"
            close = _suggest(key, allowed)
            if close:
                message += f"; did you mean '{close}'?"
            else:
                message += f" (allowed here: {', '.join(allowed)})"
            out.append((key_path, src.key_position(key_path), message))
        return out

    if kind == "required":
        where = src.key_position(path)
        return [
            (path, where, f"missing required key '{key}'")
            for key in error.value
            if isinstance(instance, dict) and key not in instance
        ]

    if kind == "type":
        expected = error.value
        expected_list = expected if isinstance(expected, list) else [expected]
        return [(path, here, _wrong_type(instance, expected_list, schema, src.written.get(path)))]

    if kind == "pattern":
        title = _title(schema) or "in the expected format"
        return [(path, here, _not_a(instance, title))]

    if kind == "refused":
        return [(path, here, refused_message(instance, error.value))]

    if kind == "enum":
        choices = [str(c) for c in error.value]
        message = f"{shown(instance)} is not one of {', '.join(choices)}"
        if isinstance(instance, str):
            close = _suggest(instance, choices)
            if close:
                message += f"; did you mean '{close}'?"
        return [(path, here, message)]

    if kind == "const":
        if path == ("version",):
            return [(path, here, f"unsupported version {shown(instance)}; seccat reads version 1")]
        return [(path, here, f"{shown(instance)} must be {error.value!r}")]

    if kind == "maxLength":
        return [(path, here, f"{shown(instance)} is longer than {error.value} characters")]
    if kind == "minLength":
        return [(path, here, "must not be empty")]
    if kind == "minimum":
        return [(path, here, f"{shown(instance)} is less than the minimum {error.value}")]
    if kind == "maximum":
        return [(path, here, f"{shown(instance)} is more than the maximum {error.value}")]
    if kind == "minItems":
        return [(path, here, f"must list at least {error.value} item(s)")]
    if kind == "uniqueItems":
        index = first_repeat(instance) or 0
        item_path = (*path, str(index))
        return [
            (item_path, src.value_position(item_path), f"{shown(instance[index])} is listed twice")
        ]
    if kind in ("minProperties", "maxProperties"):
        keys = list(schema.get("properties", {}))
        if schema.get("minProperties") == 1 and schema.get("maxProperties") == 1 and keys:
            return [(path, here, f"set exactly one of {', '.join(keys)}")]
        if kind == "minProperties":
            return [(path, here, f"must define at least {error.value} entry")]
        return [(path, here, f"must define at most {error.value} entries")]
    raise AssertionError(f"unworded schema keyword {kind}")  # violations knows no other


def _suggest(word: str, choices: list[str]) -> str | None:
    """The closest of the schema's own words (keys, enum values) to ``word``."""
    return closest(word, choices, cutoff=0.6)


#: A plain number a unit would turn into a duration (``every: 60`` -> ``60d``).
_DURATION_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def _wrong_type(
    instance: Any, expected: list[str], schema: dict[str, Any], written: str | None
) -> str:
    """``expected a string, got a number``, with the fix that works. ``written`` is the
    scalar as the author wrote it (YAML reads ``044455556666`` as 44455556666): a hint
    quotes that text, never the number YAML made of it."""
    numeric = isinstance(instance, int | float) and not isinstance(instance, bool)
    text = written if written is not None else str(instance)
    if numeric and _title(schema) == DURATION_TITLE:
        if _DURATION_NUMBER.fullmatch(text):
            return f"expected a duration, got a number ({text}); {_add_a_unit(text)}"
        return f"expected a duration, got a number ({text}); a duration is {DURATION_HINT}"
    words = " or ".join(_TYPE_WORDS.get(t, t) for t in expected if t != "null")
    got = f"a number ({text})" if numeric else _describe(instance)
    message = f"expected {words}, got {got}"
    if "string" in expected and numeric:
        message += f' (quote it: "{text}")'
    return message


def _add_a_unit(number: str) -> str:
    return f"add a unit: {number}d for days, {number}h for hours (s, m, h, d or w)"


def _not_a(instance: Any, title: str) -> str:
    if not isinstance(instance, str):
        return f"{shown(instance)} is not {title}"
    if title == "free text":
        return (
            "contains a line break or another control character; write it on one line "
            "(a block scalar needs '>-' or '|-' to drop the final newline)"
        )
    if title == DURATION_TITLE and _DURATION_NUMBER.fullmatch(instance):
        return f"{shown(instance)} is not a duration; {_add_a_unit(instance)}"
    alphabet = by_title(title)
    hint = alphabet.hint if alphabet else None
    return f"{shown(instance)} is not {title}" + (f" ({hint})" if hint else "")


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"a boolean ({'true' if value else 'false'})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({shown(value)})"
    if isinstance(value, list):
        return "a list"
    return "a mapping"
