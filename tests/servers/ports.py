"""Free loopback ports for the servers tests start, one range per pytest-xdist worker.

Asking the kernel for a free port (bind to 0, close, hand the number to a server) races
with the other worker doing the same: both may get the same number, and a readiness probe
on it can then be answered by the other worker's server. Each worker takes its ports from
its own range below Linux's ephemeral range (32768-60999), where the kernel never hands
out ports on its own, so two workers of one run never pick the same port.
"""

from __future__ import annotations

import os
import random
import socket

_FIRST = 20_000
_SPAN = 1_000
#: Ranges below the ephemeral range: workers gw0..gw11, then they wrap (more workers than
#: that share ranges and retry on a collision as before).
_RANGES = 12


def _worker_index() -> int:
    name = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw3"; unset without xdist
    return int(name[2:]) + 1 if name.startswith("gw") and name[2:].isdigit() else 0


def free_port() -> int:
    """A port of this worker's range that nothing listens on now."""
    start = _FIRST + (_worker_index() % _RANGES) * _SPAN
    candidates = random.sample(range(start, start + _SPAN), 50)
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port in 127.0.0.1:{start}-{start + _SPAN - 1}")
