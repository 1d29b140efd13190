"""Time a command and the worker processes it forks: wall, CPU of the whole tree, peak RSS of
the parent, of each worker and of all of them together.

    .venv/bin/python benchmarks/process_tree.py -- seccat check --all-stacks ...

CPU comes from ``wait4``: the user + system time of the command and of every descendant it
waited for (``seccat --all-stacks`` joins every worker), so it is the whole tree's. Peak
RSS per process comes from sampling ``/proc/<pid>/status`` (``VmHWM``, the kernel's own
high-water mark, so a sample taken any time before the process exits sees its true peak;
only a worker's last ``interval`` of life can escape) and the summed peak is the largest sum
of ``VmRSS`` over the live tree at one sample. Forked workers share the parent's pages
until either writes them, so the summed RSS counts those shared pages once per process: it
is an upper bound on what the tree holds. ``Pss`` (``/proc/<pid>/smaps_rollup``) divides
shared pages among the processes that map them; its summed peak is the better estimate of
the memory the tree needs. Reading ``smaps_rollup`` walks the page tables (a sampler
reading it every 50 ms of a multi-GiB tree spends about a tenth of a core), so ``Pss`` is
read every ``pss_every``-th sample only: its summed peak may miss a short spike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _status_kib(pid: int) -> tuple[int, int] | None:
    """(VmHWM, VmRSS) in KiB, None once the process is gone (or a zombie)."""
    hwm = rss = -1
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    except (OSError, ValueError):
        return None
    return (hwm, rss) if hwm >= 0 else None


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _tree(root: int) -> list[int]:
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo += _children(pid)
    return pids


def measure(
    argv: list[str], interval: float = 0.05, quiet: bool = True, pss_every: int = 10
) -> dict:
    """Run ``argv`` (output discarded when ``quiet``) and sample its process tree."""
    start = time.perf_counter()
    # Popen returns once the child has exec'd: a bare fork let the sampler read the forked
    # copy of *this* process before exec, so a meter run from a large process (a test
    # worker) reported that process's size as the parent's peak. wait4's ru_maxrss cannot
    # be fixed that way: Linux keeps the pre-exec memory's high-water mark in it, so
    # "peak_rss_mib" is at least this launcher's own size (small for the benchmarks).
    out = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(argv, stdout=out, stderr=out)
    pid = proc.pid
    hwm: dict[int, int] = {}
    peak_rss_sum = peak_pss_sum = most_workers = samples = 0
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        rss_sum = pss_sum = 0
        live = 0
        pss = samples % pss_every == 0
        samples += 1
        for p in _tree(pid):
            sample = _status_kib(p)
            if sample is None:
                continue
            hwm[p] = max(hwm.get(p, 0), sample[0])
            rss_sum += sample[1]
            pss_sum += _pss_kib(p) if pss else 0
            live += 1
        peak_rss_sum = max(peak_rss_sum, rss_sum)
        peak_pss_sum = max(peak_pss_sum, pss_sum)
        most_workers = max(most_workers, live - 1)
        time.sleep(interval)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, by wait4
    workers = {p: kib for p, kib in hwm.items() if p != pid}
    mib = 1024
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        # wait4's ru_maxrss: the largest of the parent and every waited-for descendant
        "peak_rss_mib": round(usage.ru_maxrss / mib, 1),
        "parent_peak_rss_mib": round(hwm.get(pid, 0) / mib, 1),
        "largest_worker_peak_rss_mib": round(max(workers.values(), default=0) / mib, 1),
        "workers_seen": len(workers),
        "most_workers_at_once": most_workers,
        "summed_peak_rss_mib": round(peak_rss_sum / mib, 1),
        "summed_peak_pss_mib": round(peak_pss_sum / mib, 1),
        "exit": os.waitstatus_to_exitcode(status),
        "load": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--show-output", action="store_true")
    parser.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        parser.error("no command")
    print(json.dumps(measure(argv, args.interval, quiet=not args.show_output)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
