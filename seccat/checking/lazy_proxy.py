"""pulumi_policy's unknown-checking proxy, built lazily.

The engine's proxy copies every nested value up front; a rule reads a handful of fields, so
over a 10,000-secret stack the copy would cost more than all rules together. This wrapper
behaves the same way where a rule can tell (Mapping/Sequence interfaces, the same
UnknownValueError with the same path and sentinels) but wraps a value only when it is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

_SENTINELS = frozenset(
    (
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    )
)


def _wrap(value: Any, path: tuple[str, ...], key: Any) -> Any:
    """The value at ``path + key``, wrapped if a container; the path tuple is only built
    for containers and errors, since most reads are scalars."""
    cls = value.__class__
    if cls is str:
        if value in _SENTINELS:
            raise UnknownValueError(value, [*path, str(key)])
        return value
    if cls is dict:
        return LazyDict(value, (*path, str(key)))
    if cls is list:
        return LazyList(value, (*path, str(key)))
    return value


class LazyDict(Mapping[str, Any]):
    __slots__ = ("_path", "_target")

    def __init__(self, target: dict[str, Any], path: tuple[str, ...] = ()) -> None:
        self._target = target
        self._path = path

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._target[key], self._path, key)

    def __contains__(self, key: object) -> bool:
        # Membership needs no value, so it never raises (the engine's proxy reads the value).
        return key in self._target

    def __iter__(self) -> Iterator[str]:
        return iter(self._target)

    def __len__(self) -> int:
        return len(self._target)


class LazyList(Sequence[Any]):
    __slots__ = ("_path", "_target")

    def __init__(self, target: list[Any], path: tuple[str, ...] = ()) -> None:
        self._target = target
        self._path = path

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._target)))]
        return _wrap(self._target[index], self._path, index)

    def __len__(self) -> int:
        return len(self._target)


def lazy_unknown_checking_proxy(props: dict[str, Any]) -> LazyDict:
    return LazyDict(props)
