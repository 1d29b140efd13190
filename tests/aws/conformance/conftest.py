"""The AWS conformance world: catalog.yaml's three stacks and one 200-secret benchmark
stack, each recorded offline and applied to a real moto server once per session."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers.moto import MotoServer, running_moto

from benchmarks.catalog_gen import write as write_benchmark_catalog
from seccat.catalog.loader import load_catalog
from seccat.engine.preview import Preview, run_preview
from tests.aws.conformance import summary
from tests.aws.conformance.assets import RepositoryAssets
from tests.aws.conformance.harness import Applied, AwsHarness, Finding

ROOT = Path(__file__).resolve().parents[3]
STACKS = ("dev", "staging", "prod")
#: The benchmark catalog's size: every store and type, at a scale with many of each.
BENCHMARK_SECRETS = 200
LAYER = "build/lambda-layer"


@dataclass
class World:
    """Stacks applied to one server: the harness, and per stack its preview, what the
    server made of it and every read-back comparison."""

    server: MotoServer
    harness: AwsHarness
    previews: dict[str, Preview]
    applied: dict[str, Applied]
    findings: dict[str, list[Finding]]


@pytest.fixture(scope="session")
def lambda_layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dependency layer folder the previews record as build/lambda-layer, built as
    `make layer` builds it (functions/build_layer.py, from uv's cache or PyPI)."""
    sys.path.insert(0, str(ROOT / "functions"))
    try:
        import build_layer
    finally:
        sys.path.remove(str(ROOT / "functions"))
    out = tmp_path_factory.mktemp("layer")
    build_layer.build_layer(out)
    return out


@pytest.fixture(scope="session")
def assets(lambda_layer: Path) -> RepositoryAssets:
    return RepositoryAssets(ROOT, directories={LAYER: lambda_layer})


#: Worlds built in this session, for the summary at the end of the run.
_BUILT: list[World] = []


def _world(server: MotoServer, assets: RepositoryAssets, previews: dict[str, Preview]) -> World:
    harness = AwsHarness(server, assets)
    applied = {stack: harness.apply(p) for stack, p in previews.items()}
    findings = {stack: harness.verify(a) for stack, a in applied.items()}
    world = World(server, harness, previews, applied, findings)
    _BUILT.append(world)
    return world


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker: hand the counts to the controller (tests/conftest.py prints them)."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None and _BUILT:
        output[summary.WORKER_KEY] = summary.counts(_BUILT)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Per type: resources applied to moto and comparisons read back (mismatches)."""
    if not hasattr(terminalreporter.config, "workeroutput"):
        summary.write(terminalreporter, [summary.counts(_BUILT)])


@pytest.fixture(scope="session")
def example_world(
    moto_server: MotoServer, assets: RepositoryAssets, example_preview: Callable[[str], Preview]
) -> World:
    """catalog.yaml's dev, staging and prod applied to one moto server (every name is
    environment-qualified, and dev and prod are different accounts)."""
    return _world(moto_server, assets, {s: example_preview(s) for s in STACKS})


@pytest.fixture(scope="session")
def benchmark_world(
    assets: RepositoryAssets, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The benchmark generator's 200-secret catalog, prod stack, on a server of its own
    (its prod shares catalog.yaml's account, region and environment-wide names)."""
    path = write_benchmark_catalog(BENCHMARK_SECRETS, tmp_path_factory.mktemp("benchmark"))
    preview = run_preview(load_catalog(path), "prod", path.name)
    with running_moto() as server:
        yield _world(server, assets, {"benchmark-prod": preview})


@pytest.fixture(scope="session")
def worlds(example_world: World, benchmark_world: World) -> list[World]:
    return [example_world, benchmark_world]
