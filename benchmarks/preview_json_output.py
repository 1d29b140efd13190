"""`seccat preview --format json`'s output cost in two source trees, run alternately.

    python benchmarks/preview_json_output.py CATALOG STACK RUNS TREE [TREE ...]

Each run is a fresh process (the first 146 MB a process touches costs what a later one does
not, so runs in one process would flatter whoever goes second) that previews the stack, then
writes the document as that tree's CLI does, to one of four targets:

- ``existing``: ``--out`` naming a file that holds the previous run's document;
- ``new``: ``--out`` in a fresh temporary folder;
- ``pipe``: stdout, a pipe to ``cat`` writing a new file (cat's cost is its own);
- ``devnull``: stdout redirected to /dev/null.

Prints one JSON line per run (tree, target, load average, the preview's CPU, the output's
user and system CPU and wall seconds, page faults), then medians per tree and target.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

#: What the tree's CLI does with a preview after it, measured with getrusage around it.
_PROBE = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from seccat.catalog.loader import load_catalog
from seccat.cli import common
from seccat.engine.preview import run_preview
from seccat.reports import preview_json

catalog_path, stack, target = sys.argv[2], sys.argv[3], sys.argv[4]
catalog = load_catalog(Path(catalog_path))
cpu = time.process_time()
preview = run_preview(catalog, stack, catalog_path)
preview_cpu = time.process_time() - cpu
out = None if target == "-" else Path(target)
before, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
if hasattr(preview_json, "json_pieces"):  # streamed a batch at a time
    common.emit_pieces(preview_json.json_pieces(preview), out)
else:  # the whole document, then written
    common.emit(preview_json.render_json_bytes(preview), out)
wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "preview_cpu": preview_cpu,
    "user": after.ru_utime - before.ru_utime,
    "sys": after.ru_stime - before.ru_stime,
    "wall": wall,
    "minflt": after.ru_minflt - before.ru_minflt,
    "peak_rss_mib": after.ru_maxrss / 1024,
}), file=sys.stderr)
"""

TARGETS = ("existing", "new", "pipe", "devnull")


def one(tree: Path, catalog: str, stack: str, target: str, scratch: Path) -> dict:
    command = [sys.executable, "-c", _PROBE, str(tree), catalog, stack]
    folder = Path(tempfile.mkdtemp(dir=scratch))
    if target == "existing":
        out = scratch / f"existing-{tree.name}.json"
        run = subprocess.run([*command, str(out)], capture_output=True, text=True, check=True)
    elif target == "new":
        out = folder / "preview.json"
        run = subprocess.run([*command, str(out)], capture_output=True, text=True, check=True)
    elif target == "pipe":
        out = folder / "piped.json"
        with out.open("wb") as sink:
            cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=sink)
            run = subprocess.run([*command, "-"], stdout=cat.stdin, stderr=subprocess.PIPE,
                                 text=True, check=True)  # fmt: skip
            assert cat.stdin is not None
            cat.stdin.close()
            cat.wait()
    else:
        out = Path(os.devnull)
        with out.open("wb") as sink:
            run = subprocess.run([*command, "-"], stdout=sink, stderr=subprocess.PIPE,
                                 text=True, check=True)  # fmt: skip
    figures = json.loads(run.stderr.strip().splitlines()[-1])
    figures["bytes"] = out.stat().st_size if out != Path(os.devnull) else None
    if target in ("new", "pipe"):
        out.unlink()
    folder.rmdir()
    return figures


def main(argv: list[str]) -> None:
    catalog, stack, runs, trees = argv[0], argv[1], int(argv[2]), [Path(t) for t in argv[3:]]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="preview-json-output-") as scratch:
        for tree in trees:  # the first "existing" run finds a file already there
            one(tree, catalog, stack, "existing", Path(scratch))
        for run in range(runs):
            for target in TARGETS:
                for tree in trees if run % 2 == 0 else trees[::-1]:
                    load = os.getloadavg()[0]
                    row = {"tree": str(tree), "target": target, "run": run, "load": load}
                    row.update(one(tree, catalog, stack, target, Path(scratch)))
                    row["cpu"] = row["user"] + row["sys"]
                    row["added"] = row["cpu"] / row["preview_cpu"]
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    for target in TARGETS:
        for tree in trees:
            mine = [r for r in rows if r["tree"] == str(tree) and r["target"] == target]
            keys = ("preview_cpu", "user", "sys", "cpu", "wall", "added", "minflt")
            median = {k: statistics.median(r[k] for r in mine) for k in keys}
            print(json.dumps({"tree": str(tree), "target": target, "median": median}))


if __name__ == "__main__":
    main(sys.argv[1:])
