"""Reporting 100,000 invalid entries: how long `seccat validate` takes to say what is wrong.

    .venv/bin/python benchmarks/invalid_report.py            # every shape, 100,000 entries
    .venv/bin/python benchmarks/invalid_report.py --entries 10000 --repeat 3

Each shape is a catalog of small entries that are all wrong in the same way, under the
8 MiB size cap. Each measurement runs in a fresh process: ``in-process`` is
``check_catalog`` plus formatting the capped report (text and JSON), as ``seccat validate``
does after start-up; ``cli`` is the whole ``seccat validate`` command, interpreter start-up
and imports included. Wall and CPU seconds are both given: on a shared machine wall time
includes waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD = """version: 1
teams:
  payments: {contact: a@example.com, aws: {owner_role: payments-owner}}
environments:
  dev: {aws: {account_id: "111111111111", region: eu-west-1}}
"""

#: shape -> (what is wrong, writer of n entries)
SHAPES = {
    "wrong type": (
        "each secret is a number (schema: type)",
        lambda n: HEAD + "secrets:\n" + "".join(f"  s{i}: 1\n" for i in range(n)),
    ),
    "unknown key": (
        "each secret has an unknown key and lacks 3 required keys (4 problems each)",
        lambda n: (
            HEAD
            + "secrets:\n"
            + "".join(f"  s{i}: {{owner: payments, colour{i}: red}}\n" for i in range(n))
        ),
    ),
    "bad name": (
        "each secret id breaks its alphabet and the entry lacks 4 required keys",
        lambda n: HEAD + "secrets:\n" + "".join(f"  S{i}: {{}}\n" for i in range(n)),
    ),
    "unknown team": (
        "each service names a team that does not exist (semantic check, did-you-mean)",
        lambda n: (
            HEAD
            + "secrets: {}\nservices:\n"
            + "".join(f"  s{i}: {{team: t{i}}}\n" for i in range(n))
        ),
    ),
    "unknown consumer": (
        "one secret lists consumers that do not exist",
        lambda n: (
            HEAD
            + "services:\n  api: {team: payments, kubernetes: {namespace: a, service_account: b}}\n"
            + "secrets:\n  a/b: {owner: payments, type: generic, store: vault-kv, "
            "classification: public, rotation: {every: 30d}, consumers: [\n"
            + "".join(f"    {{service: x{i}}},\n" for i in range(n))
            + "  ]}\n"
        ),
    ),
}

IN_PROCESS = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from seccat.catalog.diagnostics import limited
from seccat.catalog.loader import check_catalog
t1, c1 = time.perf_counter(), time.process_time()
model, diagnostics = check_catalog(sys.argv[1])
shown = limited(diagnostics)
text = "".join(d.render() + "\\n" for d in shown)
as_json = json.dumps([d.to_json() for d in shown], indent=2)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"wall": t2 - t1, "cpu": c2 - c1, "problems": len(diagnostics),
                  "printed": len(shown)}))
"""


def _in_process(path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(path)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _cli(path: Path) -> dict:
    wall = time.perf_counter()
    start = _children_cpu()
    result = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "validate", str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    return {
        "wall": time.perf_counter() - wall,
        "cpu": _children_cpu() - start,
        "lines": len(result.stdout.splitlines()),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape, (what, write) in SHAPES.items():
            path = Path(tmp) / f"{shape.replace(' ', '-')}.yaml"
            path.write_text(write(args.entries))
            runs = [_in_process(path) for _ in range(args.repeat)]
            clis = [_cli(path) for _ in range(args.repeat)]
            rows.append(
                {
                    "shape": shape,
                    "what": what,
                    "bytes": path.stat().st_size,
                    "problems": runs[0]["problems"],
                    "printed": runs[0]["printed"],
                    "wall": statistics.median(r["wall"] for r in runs),
                    "cpu": statistics.median(r["cpu"] for r in runs),
                    "cli_wall": statistics.median(r["wall"] for r in clis),
                    "cli_cpu": statistics.median(r["cpu"] for r in clis),
                    "cli_lines": clis[0]["lines"],
                }
            )
    print(
        "| shape | file | problems | printed | in-process wall s | in-process CPU s "
        "| `seccat validate` wall s | CPU s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['shape']} | {r['bytes'] / 1e6:.1f} MB | {r['problems']:,} | "
            f"{r['printed']} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['cli_wall']:.2f} | "
            f"{r['cli_cpu']:.2f} |"
        )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "invalid-report.json").write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
