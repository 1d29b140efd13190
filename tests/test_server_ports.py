"""Each xdist worker starts its servers on ports of its own range (tests/servers/ports.py),
so two workers never race for one port."""

from __future__ import annotations

import socket

import pytest
from servers import ports


def test_workers_draw_from_disjoint_ranges_below_the_ephemeral_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: dict[str, set[int]] = {}
    for worker in ("", "gw0", "gw1", "gw2"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        drawn[worker] = {ports.free_port() for _ in range(20)}
    for worker, found in drawn.items():
        assert all(20_000 <= p < 32_768 for p in found), (worker, found)
    ranges = {w: {p // 1_000 for p in found} for w, found in drawn.items()}
    assert [len(r) for r in ranges.values()] == [1, 1, 1, 1]
    assert len(set().union(*ranges.values())) == 4  # four workers, four ranges


def test_a_port_something_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            spare = probe.getsockname()[1]
        monkeypatch.setattr(ports.random, "sample", lambda _range, _k: [taken, spare])
        assert ports.free_port() == spare
        monkeypatch.setattr(ports.random, "sample", lambda _range, _k: [taken])
        with pytest.raises(OSError, match="no free port"):
            ports.free_port()
