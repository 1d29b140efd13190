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


# -- running in parallel (pytest-xdist, `make test` runs `-n 2 --dist loadgroup`) -------------

#: Session fixtures too expensive to build once per worker, by the name of their group. A
#: module with a test that uses one runs in that group, whole (its module fixtures are then
#: built once too); a module using two joins their groups. The groups are handed out first,
#: in this order (heaviest first, so that no worker is left with a long group at the end).
SHARED_FIXTURES = {
    # the 1,000-secret catalog's previews (about 20 s a stack) and its OpenBao world
    "generated_catalog": "generated-catalog",
    "generated_preview": "generated-catalog",
    "generated_recording": "generated-catalog",
    "generated_vault": "generated-catalog",
    # catalog.yaml and the benchmark catalog applied to moto, with the built Lambda layer
    "lambda_layer": "aws-conformance",
    # the operations world: its own moto, a Lambda layer, OpenBao and PostgreSQL seeded
    "ops_layer": "operations",
    # catalog.yaml applied to OpenBao and PostgreSQL
    "vault_world": "vault-world",
    "postgres_per_environment": "postgres-per-environment",
}

#: Modules whose own tests or module fixtures take long (build a wheel, a pip venv, a fresh
#: bootstrap, split previews): handed out right after the shared groups, in this order.
SLOW_MODULES = (
    "tests/stacks/test_split_union.py",
    "tests/quickstart/test_bootstrap.py",
    "tests/policies/test_pack_standalone.py",
    "tests/packaging/test_installed_tool.py",
    "tests/catalog/test_one_alphabet.py",
    "tests/stacks/test_moves.py",
    "tests/engine/test_stack_traces.py",
    "tests/stacks/test_all_stacks.py",
    "tests/diff/test_diff_example.py",
)


def _groups(items: list[pytest.Item]) -> dict[str, str]:
    """Each module's xdist group: its own path, or the joined groups of the shared fixtures
    its tests use (union-find over modules and groups)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    order = list(dict.fromkeys(SHARED_FIXTURES.values()))
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in SHARED_FIXTURES:
                a, b = sorted((find(module), find(SHARED_FIXTURES[fixture])), key=_rank(order))
                parent[b] = a
    return {m: find(m) for m in (i.nodeid.split("::", 1)[0] for i in items)}


def _rank(order: list[str]) -> Callable[[str], tuple[int, str]]:
    """Shared groups by their order, then the slow modules, then any other module."""
    known = order + list(SLOW_MODULES)
    return lambda group: (known.index(group) if group in known else len(known), group)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``--dist loadgroup`` each group runs on one worker: tests sharing an expensive
    fixture (above) together, every other module as a whole. In a worker, the groups are
    also reordered heaviest first (the scheduler hands them out in collection order); a run
    without xdist keeps the usual order."""
    groups = _groups(items)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid.split("::", 1)[0]]))
    if hasattr(config, "workerinput"):
        rank = _rank(list(dict.fromkeys(SHARED_FIXTURES.values())))
        # stable: collection order within a group, and among the other modules
        items.sort(key=lambda item: rank(groups[item.nodeid.split("::", 1)[0]])[0])


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
