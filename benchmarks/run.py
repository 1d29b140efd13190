"""Benchmarks: validate, preview and rule evaluation on synthetic catalogs, against the bare
Pulumi SDK registering the same resources under the same mock monitor, in the same run.

    .venv/bin/python benchmarks/run.py                 # 100, 1,000 and 10,000 secrets
    .venv/bin/python benchmarks/run.py --sizes 100,1000 --repeat 5

Each figure is the median of --repeat runs (one run above 1,000 secrets), each in a fresh
process (so peak RSS is that step's own). Results go to stdout as a Markdown table and to
benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from catalog_gen import write  # noqa: E402

STACK = "prod"


def _measure(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(HERE / "measure.py"), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in runs),
        "items": runs[0]["items"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rules", action="store_true", help="skip rule evaluation")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            catalog = write(n, folder)
            recorded = folder / f"recorded-{n}.json"
            _measure("record", str(catalog), STACK, str(recorded))
            row: dict = {"secrets": n}
            steps = {
                "validate": ("validate", str(catalog)),
                "preview": ("preview", str(catalog), STACK),
                "baseline": ("baseline", str(recorded), STACK),
            }
            if not args.no_rules:
                steps["rules"] = ("rules", str(catalog), str(recorded))
            # one run at the largest sizes: a 10,000-secret preview registers ~60k resources
            repeat = args.repeat if n <= 1000 else 1
            for step, argv in steps.items():
                row[step] = _median([_measure(*argv) for _ in range(repeat)])
                print(f"  {n:>6} secrets  {step:<9} {row[step]['seconds']:8.3f} s", file=sys.stderr)
            row["preview_over_baseline"] = row["preview"]["seconds"] / row["baseline"]["seconds"]
            results.append(row)

    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "latest.json").write_text(
        json.dumps({"machine": machine, "results": results}, indent=2)
    )
    print(
        "| secrets | validate s | preview s (resources) | bare SDK s | preview/bare "
        "| rules s | peak RSS preview MiB |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        rules = f"{r['rules']['seconds']:.3f}" if "rules" in r else "-"
        print(
            f"| {r['secrets']:,} | {r['validate']['seconds']:.3f} "
            f"| {r['preview']['seconds']:.2f} ({r['preview']['items']:,}) "
            f"| {r['baseline']['seconds']:.2f} | {r['preview_over_baseline']:.2f}x "
            f"| {rules} | {r['preview']['peak_rss_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
