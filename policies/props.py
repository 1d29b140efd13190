"""Reading props as CrossGuard passes them: camelCase keys, numbers as floats, JSON documents
as strings, and unknowns that raise (via pulumi_policy's proxy) when touched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: The tags every seccat resource carries (components/tagging.py).
CLASSIFICATION_TAG = "seccat:classification"
CATALOG_ID_TAG = "seccat:catalog-id"
COMPLIANCE_TAG = "seccat:compliance"


def get(props: Mapping[str, Any], *path: str | int) -> Any:
    """A nested value or None; touching an unknown raises UnknownValueError on purpose."""
    value: Any = props
    for key in path:
        if isinstance(key, int):
            if not isinstance(value, Sequence) or isinstance(value, str) or key >= len(value):
                return None
        elif not isinstance(value, Mapping):
            return None
        try:
            value = value[key]
        except (KeyError, IndexError):
            return None
    return value


def number(value: Any) -> float | None:
    """Integers arrive as floats; booleans are not numbers here."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def tags(props: Mapping[str, Any]) -> dict[str, str]:
    raw = get(props, "tags")
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): raw[k] for k in raw}


def plain(value: Any) -> Any:
    """Copy proxied containers into plain ones (touching every element, so unknowns raise)."""
    if isinstance(value, Mapping):
        return {str(k): plain(value[k]) for k in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain(value[i]) for i in range(len(value))]
    return value


def strings(value: Any) -> list[str]:
    """A string or list of strings as a list (IAM allows both)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    return [str(value)]
