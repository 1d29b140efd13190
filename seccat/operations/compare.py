"""Semantic equality of the documents seccat generates and what a server returns.

IAM and key policies: AWS re-serialises them (whitespace, key order, a one-element list as
a string, ``"*"`` as ``{"AWS": "*"}``), and statement order carries no meaning, so they are
compared parsed and normalised, never as text. Action names and condition keys are
case-insensitive in IAM; ARNs, Sids and condition operators are not. Vault returns policy
HCL as written, so it is compared as text up to trailing whitespace.
"""

from __future__ import annotations

import difflib
import json
from typing import Any


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _principal(value: Any) -> Any:
    if value == "*":
        return "*"
    if isinstance(value, dict):
        if set(value) == {"AWS"} and _list(value["AWS"]) == ["*"]:
            return "*"
        return {str(k): sorted({_scalar(v) for v in _list(vs)}) for k, vs in value.items()}
    return _scalar(value)


def _condition(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        str(op): (
            {
                str(key).lower(): sorted({_scalar(v) for v in _list(values)})
                for key, values in block.items()
            }
            if isinstance(block, dict)
            else block
        )
        for op, block in value.items()
    }


def _statement(statement: Any) -> Any:
    if not isinstance(statement, dict):
        return statement
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Action", "NotAction"):
            out[key] = sorted({_scalar(a).lower() for a in _list(value)})
        elif key in ("Resource", "NotResource"):
            out[key] = sorted({_scalar(r) for r in _list(value)})
        elif key in ("Principal", "NotPrincipal"):
            out[key] = _principal(value)
        elif key == "Condition":
            out[key] = _condition(value)
        else:
            out[key] = value
    return out


def parse_document(document: Any) -> Any:
    """A policy as a value: JSON text parsed, a mapping as is; None stays None."""
    if document is None or document == "":
        return None
    if isinstance(document, str):
        try:
            return json.loads(document)
        except json.JSONDecodeError:
            return document
    return document


def normalise_policy(document: Any) -> Any:
    """The canonical form two equivalent policies share (see the module docstring)."""
    doc = parse_document(document)
    if not isinstance(doc, dict):
        return doc
    out = {k: v for k, v in doc.items() if k != "Statement"}
    statements = [_statement(s) for s in _list(doc.get("Statement"))]
    out["Statement"] = sorted(statements, key=lambda s: json.dumps(s, sort_keys=True))
    return out


def policies_equal(expected: Any, live: Any) -> bool:
    return normalise_policy(expected) == normalise_policy(live)


def policy_diff(expected: Any, live: Any) -> list[str]:
    """A unified diff of the two normalised documents, for a reader to see what changed."""
    return _diff(
        json.dumps(normalise_policy(expected), indent=2, sort_keys=True),
        json.dumps(normalise_policy(live), indent=2, sort_keys=True),
    )


def normalise_hcl(text: str | None) -> str:
    lines = [line.rstrip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def hcl_equal(expected: str | None, live: str | None) -> bool:
    return normalise_hcl(expected) == normalise_hcl(live)


def hcl_diff(expected: str | None, live: str | None) -> list[str]:
    return _diff(normalise_hcl(expected), normalise_hcl(live))


def _diff(expected: str, live: str) -> list[str]:
    return list(
        difflib.unified_diff(
            expected.splitlines(), live.splitlines(), "expected", "live", n=1, lineterm=""
        )
    )
