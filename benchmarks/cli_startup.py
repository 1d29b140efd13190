"""How long the command line takes to start: `seccat --help`, `seccat --version` and
`seccat validate catalog.yaml`, each in a fresh process, as a user types them.

    .venv/bin/python benchmarks/cli_startup.py               # 15 runs of each
    .venv/bin/python benchmarks/cli_startup.py --repeat 30 --json out.json
    .venv/bin/python benchmarks/cli_startup.py --no-bytecode # as if the venv had no .pyc
    .venv/bin/python benchmarks/cli_startup.py --source /tmp/old   # another seccat tree

``--no-bytecode`` points PYTHONPYCACHEPREFIX at an empty folder (with
PYTHONDONTWRITEBYTECODE set), so every module is compiled from source as in a venv installed
without ``--compile-bytecode``. ``--source`` puts another seccat source tree (``git archive``
of an older commit) first on PYTHONPATH, to compare before and after in the same venv.

Reports the median and the best run of wall time and of CPU time (user + sys of the child,
from wait4): on a machine shared with other work, wall time measures the neighbours as much
as seccat, CPU time much less so. Targets: --help 0.3 s, validate 0.5 s.

Also reports whether the virtualenv holds compiled bytecode (.pyc): without it (a
`uv sync` without --compile-bytecode, with PYTHONDONTWRITEBYTECODE set) every start compiles
every imported module again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECCAT = Path(sys.executable).with_name("seccat")

COMMANDS: dict[str, list[str]] = {
    "seccat --help": ["--help"],
    "seccat --version": ["--version"],
    "seccat validate catalog.yaml": ["validate", "catalog.yaml"],
}
TARGETS = {"seccat --help": 0.3, "seccat validate catalog.yaml": 0.5}


def run_once(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `seccat ARGS` run, output discarded."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child: become seccat with stdout and stderr discarded
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.chdir(ROOT)
        try:
            os.execve(str(SECCAT), [str(SECCAT), *args], env)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"seccat {' '.join(args)} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime


def _has_version(env: dict[str, str]) -> bool:
    try:
        run_once(["--version"], env)
    except SystemExit:
        return False
    return True


def bytecode_state() -> dict[str, int]:
    site = Path(sysconfig.get_paths()["purelib"])
    sources = sum(1 for _ in site.rglob("*.py"))
    compiled = sum(1 for _ in site.rglob("*.pyc"))
    return {"site_packages_py": sources, "site_packages_pyc": compiled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-bytecode", action="store_true", help="ignore every .pyc")
    parser.add_argument("--source", type=Path, help="run this seccat source tree instead")
    args = parser.parse_args()

    env = dict(os.environ)
    commands = dict(COMMANDS)
    if args.no_bytecode:
        empty = tempfile.mkdtemp(prefix="no-pyc-")
        env |= {"PYTHONPYCACHEPREFIX": empty, "PYTHONDONTWRITEBYTECODE": "1"}
    if args.source:
        env["PYTHONPATH"] = str(args.source.resolve())
        if not _has_version(env):
            del commands["seccat --version"]  # an older seccat without --version

    for argv in commands.values():  # warm the page cache once; not measured
        run_once(argv, env)
    rows = {}
    for label, argv in commands.items():
        runs = [run_once(argv, env) for _ in range(args.repeat)]
        walls = [w for w, _ in runs]
        cpus = [c for _, c in runs]
        rows[label] = {
            "wall_median": statistics.median(walls),
            "wall_min": min(walls),
            "cpu_median": statistics.median(cpus),
            "cpu_min": min(cpus),
        }
    state = bytecode_state()
    load = os.getloadavg()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load {load[0]:.2f}")
    if args.source:
        print(f"source: {args.source}")
    if args.no_bytecode:
        print("bytecode ignored (PYTHONPYCACHEPREFIX: an empty folder)")
    print(
        f"bytecode: {state['site_packages_pyc']} .pyc for {state['site_packages_py']} .py "
        "in site-packages"
    )
    print()
    print("| command | wall median s | wall best s | CPU median s | CPU best s | target s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for label, r in rows.items():
        target = TARGETS.get(label)
        print(
            f"| `{label}` | {r['wall_median']:.3f} | {r['wall_min']:.3f} | "
            f"{r['cpu_median']:.3f} | {r['cpu_min']:.3f} | {target if target else ''} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"load": load, "bytecode": state, "runs": args.repeat, "rows": rows}, indent=2
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
