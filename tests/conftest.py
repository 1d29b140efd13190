"""Shared fixtures. Keep this minimal: each area adds its own fixtures beside its tests.

Real-server fixtures live in tests/servers/ and FAIL when their server cannot start: a
missing server is never a skip.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
EXAMPLE_CATALOG = ROOT / "catalog.yaml"

# Lambda code lives outside the seccat package (it is packaged on its own); import it as the
# Lambda runtime does, with functions/ as the root.
for _path in (TESTS, ROOT / "functions", ROOT / "benchmarks"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from catalog_gen import generate  # noqa: E402
from servers.moto import MotoServer, running_moto  # noqa: E402
from servers.openbao import OpenBaoServer, running_openbao  # noqa: E402
from servers.postgres import (  # noqa: E402
    PostgresServer,
    running_postgres,
    running_postgres_clusters,
)
from vault.harness import Recorded, record  # noqa: E402
from xdist_groups import group_rank, parallel_group  # noqa: E402

from seccat.catalog.loader import load_catalog, parse_catalog  # noqa: E402
from seccat.catalog.model import Catalog  # noqa: E402
from seccat.engine.preview import Preview, run_preview  # noqa: E402


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


#: The benchmark catalog the isolation proofs and the name registry's completeness run on.
GENERATED_SECRETS = 1000
GENERATED_PATH = f"catalog-{GENERATED_SECRETS}.yaml"


@cache
def _generated_catalog() -> Catalog:
    catalog, diagnostics = parse_catalog(generate(GENERATED_SECRETS), GENERATED_PATH)
    assert catalog is not None, [d.render() for d in diagnostics]
    return catalog


@cache
def _generated_recording(stack: str) -> Recorded:
    """The offline preview of one stack of the generated catalog, with the unredacted
    inputs the Vault harness applies (one run serves every test that needs it)."""
    return record(_generated_catalog(), stack, GENERATED_PATH)


@pytest.fixture(scope="session")
def generated_catalog() -> Catalog:
    """benchmarks/catalog_gen.py's catalog of GENERATED_SECRETS secrets."""
    return _generated_catalog()


@pytest.fixture(scope="session")
def generated_preview() -> Callable[[str], Preview]:
    """``generated_preview("prod")``: its offline preview, cached per stack."""
    return lambda stack: _generated_recording(stack).preview


@pytest.fixture(scope="session")
def generated_recording() -> Callable[[str], Recorded]:
    return _generated_recording


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL 15 cluster with scram-sha-256 on 127.0.0.1; fails if PG is missing."""
    with running_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_per_environment() -> Iterator[dict[str, PostgresServer]]:
    """One real PostgreSQL per environment of catalog.yaml ("dev", "staging", "prod"), and
    "shared": one more for the layout issue 8 found (every environment on one server)."""
    with running_postgres_clusters(("dev", "staging", "prod", "shared")) as servers:
        yield servers


@pytest.fixture(scope="session")
def openbao_server() -> Iterator[OpenBaoServer]:
    """A real OpenBao dev server on 127.0.0.1 with a known root token; fails if bao is missing."""
    with running_openbao() as server:
        yield server


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """A real moto server (moto_server) on 127.0.0.1; fails if it cannot start."""
    with running_moto() as server:
        yield server


# -- running in parallel (pytest-xdist; `make test` runs `-n 2 --dist loadgroup`) -------------
# The groups and their order: tests/xdist_groups.py.


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup``: xdist's scope scheduling with parallel_group as the scope."""
    if config.getvalue("dist") != "loadgroup":
        return None
    # hand the groups out in tests/xdist_groups.py's order (costliest first), not xdist's
    # default of most tests first, which left the 3-test bootstrap module for the end
    config.option.loadscopereorder = False
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return parallel_group(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker, heaviest groups first (the scheduler hands groups out in the
    order the workers collected them); a run without xdist keeps the usual order."""
    if hasattr(config, "workerinput"):
        # stable: collection order within a group, and among the other modules
        items.sort(key=lambda item: group_rank(parallel_group(item.nodeid)))


#: What the xdist workers report for the end-of-run summary (the controller runs no tests).
_WORKER_OUTPUTS: list[dict] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    _WORKER_OUTPUTS.append(dict(getattr(node, "workeroutput", {})))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Under xdist, the summaries the workers' conftests would print on their own."""
    runs = [o["aws_conformance"] for o in _WORKER_OUTPUTS if "aws_conformance" in o]
    if runs:
        from tests.aws.conformance import summary

        summary.write(terminalreporter, runs)
