"""Shared fixtures. Keep this minimal: each area adds its own fixtures beside its tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Lambda code lives outside the seccat package (it is packaged on its own); import it as the
# Lambda runtime does, with functions/ as the root.
for _path in (TESTS, TESTS.parent / "functions"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from servers.postgres import PostgresServer, running_postgres  # noqa: E402


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL 15 cluster with scram-sha-256 on 127.0.0.1; fails if PG is missing."""
    with running_postgres() as server:
        yield server
