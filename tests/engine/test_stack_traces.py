"""The offline engine skips the SDK's per-resource call-stack capture, and nothing else
changes: previews and check reports are byte-identical with and without it."""

from __future__ import annotations

import contextlib
import json
import sys
import traceback
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from pulumi.runtime import resource as sdk_resource
from typer.testing import CliRunner

from seccat.catalog.loader import load_catalog
from seccat.cli import app
from seccat.engine import preview as engine_preview
from seccat.engine.preview import ProgramError, run_preview, run_program
from seccat.engine.stack_traces import capture_is_patchable, without_stack_traces

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from catalog_gen import write  # noqa: E402


@pytest.fixture(autouse=True)
def _sdk_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The capture happens on the SDK engine's registrations; the resource plan (the default
    engine) never reaches them."""
    monkeypatch.setenv("SECCAT_ENGINE", "sdk")


def test_the_pinned_sdk_has_the_capture_this_engine_replaces():
    # If a Pulumi upgrade renames it, the engine silently gets slower: fail here instead.
    assert capture_is_patchable()


def test_registrations_capture_no_stack_inside_the_engine(example_catalog, monkeypatch):
    calls: list[int] = []
    real = traceback.extract_stack

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    def program() -> None:
        aws.sns.Topic("t")
        aws.sns.Topic("u")

    monkeypatch.setattr(traceback, "extract_stack", counting)
    run_program(program, example_catalog, "dev", "catalog.yaml")
    assert calls == []
    # negative control: the same program with the capture left on walks the stack each time
    monkeypatch.setattr(engine_preview, "without_stack_traces", contextlib.nullcontext)
    run_program(program, example_catalog, "dev", "catalog.yaml")
    assert len(calls) >= 2


def test_the_sdk_function_is_restored_after_a_run_and_after_a_failure(example_catalog):
    original = sdk_resource._get_stack_trace

    def failing() -> None:
        raise pulumi.RunError("refused")

    run_program(lambda: None, example_catalog, "dev", "catalog.yaml")
    assert sdk_resource._get_stack_trace is original
    with pytest.raises(ProgramError):
        run_program(failing, example_catalog, "dev", "catalog.yaml")
    assert sdk_resource._get_stack_trace is original
    with pytest.raises(RuntimeError), without_stack_traces():
        assert sdk_resource._get_stack_trace is not original
        raise RuntimeError("boom")
    assert sdk_resource._get_stack_trace is original


def _preview_bytes(catalog_path: Path, stack: str) -> str:
    catalog = load_catalog(catalog_path)
    return json.dumps(run_preview(catalog, stack, str(catalog_path)).to_json(), indent=2)


def _with_capture(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_preview, "without_stack_traces", contextlib.nullcontext)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_shipped_catalog_previews_are_identical_with_and_without_capture(stack, monkeypatch):
    catalog = ROOT / "catalog.yaml"
    fast = _preview_bytes(catalog, stack)
    _with_capture(monkeypatch)
    assert _preview_bytes(catalog, stack) == fast


def test_benchmark_catalog_preview_and_check_report_are_identical(tmp_path, monkeypatch):
    catalog = write(100, tmp_path)
    argv = ["check", "--stack", "prod", "--catalog", str(catalog), "--format", "json"]
    runner = CliRunner()
    fast_preview = _preview_bytes(catalog, "prod")
    fast_check = runner.invoke(app, argv)
    _with_capture(monkeypatch)
    slow_preview = _preview_bytes(catalog, "prod")
    slow_check = runner.invoke(app, argv)
    assert len(json.loads(fast_preview)["resources"]) > 1000
    assert slow_preview == fast_preview
    assert (slow_check.exit_code, slow_check.stdout_bytes) == (
        fast_check.exit_code,
        fast_check.stdout_bytes,
    )
    assert json.loads(fast_check.stdout_bytes)["summary"]
