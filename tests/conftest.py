"""Shared fixtures. Real-server fixtures live in tests/servers/ and FAIL when their server
cannot start: a missing server is never a skip."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview, run_preview

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CATALOG = ROOT / "catalog.yaml"


@cache
def _example_catalog() -> Catalog:
    return load_catalog(EXAMPLE_CATALOG)


@cache
def _example_preview(stack: str) -> Preview:
    return run_preview(_example_catalog(), stack, EXAMPLE_CATALOG)


@pytest.fixture(scope="session")
def example_catalog() -> Catalog:
    """The repository's catalog.yaml, loaded once."""
    return _example_catalog()


@pytest.fixture(scope="session")
def example_preview() -> Callable[[str], Preview]:
    """``example_preview("prod")``: the offline preview of catalog.yaml, cached per stack."""
    return _example_preview
