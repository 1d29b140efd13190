"""seccat.collector.paused: no cycle collection inside, the previous state restored after."""

from __future__ import annotations

import gc

import pytest

from seccat.collector import paused


def test_paused_disables_then_restores_an_enabled_collector():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_restores_even_when_the_block_fails():
    with pytest.raises(RuntimeError), paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def _collections_while_rendering(preview) -> int:
    """Collections started while render_json runs with a tiny threshold (many would)."""
    from seccat.reports.preview_json import render_json

    started: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(1)

    gc.collect()
    thresholds = gc.get_threshold()
    gc.callbacks.append(note)
    gc.set_threshold(10)
    try:
        render_json(preview)
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(note)
    return len(started)


def test_render_json_runs_without_collections(example_catalog, monkeypatch):
    import contextlib

    from seccat.engine.preview import run_preview
    from seccat.reports import preview_json

    preview = run_preview(example_catalog, "prod", "catalog.yaml")
    # at most the one collection that follows re-enabling the collector
    assert _collections_while_rendering(preview) <= 1
    # negative control: the same rendering without the pause collects over and over
    monkeypatch.setattr(preview_json, "paused", contextlib.nullcontext)
    assert _collections_while_rendering(preview) >= 10


def test_settled_leaves_what_the_block_built_to_no_later_collection():
    """After ``settled`` no generation the collector walks holds what the block built
    (negative control: after ``paused`` the youngest one does, and the next collection walks
    it); reference counting still frees them."""
    import weakref

    from seccat.collector import settled

    class Node:
        pass

    def walked(target: object) -> bool:
        return any(o is target for g in range(3) for o in gc.get_objects(generation=g))

    with paused():
        control = [Node() for _ in range(1000)]
    assert walked(control[0])
    try:
        with settled():
            kept = [Node() for _ in range(1000)]
            assert not gc.isenabled()
        assert gc.isenabled()
        assert not walked(kept[0])
        probe = weakref.ref(kept[0])
        del kept
        assert probe() is None  # freed by reference counting, frozen or not
    finally:
        gc.unfreeze()
