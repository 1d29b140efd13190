"""Values derived from one catalog object, made once and kept while the catalog lives.

A Catalog is never changed once built, so anything computed from it (an environment's stack
plan, its AWS plan) can be kept with it. The values live in the catalog object's own
``__dict__`` (beside its fields, not one of them): they go when the catalog goes, even
though they refer back to it, and no registry outlives it. `--all-stacks` computes them in
the parent before it forks, and every worker inherits them instead of computing them again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from seccat.catalog.model import Catalog

T = TypeVar("T")

_SLOT = "_seccat_derived"


def per_catalog(catalog: Catalog, key: Hashable, make: Callable[[], T]) -> T:
    """``make()``, once per catalog object and ``key``."""
    kept: dict[Hashable, Any] = catalog.__dict__.setdefault(_SLOT, {})
    if key not in kept:
        kept[key] = make()
    return kept[key]
