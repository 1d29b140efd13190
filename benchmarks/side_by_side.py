"""`seccat check` against checkov on the same resources, whole processes, in one run.

    .venv/bin/python benchmarks/side_by_side.py                    # 100, 1,000, 10,000 secrets
    .venv/bin/python benchmarks/side_by_side.py --sizes 100,1000 --json out.json

For each size: a synthetic catalog (benchmarks/catalog_gen.py), its `prod` preview as JSON,
that preview converted to Terraform JSON (benchmarks/tf_json.py), then, each in a fresh
process timed from fork to exit:

- ``seccat check --stack prod --format json`` on the catalog (catalog, resource and stack
  rules of the baseline pack, the offline preview included);
- the same on the SDK engine (``SECCAT_ENGINE=sdk``: every resource registered with
  Pulumi's mock monitor, as before the resource plan; ``--sdk-up-to``), and whether its
  report is byte for byte the plan's (the benchmark catalogs' parity proof);
- checkov 3.3.30 on the Terraform JSON, restricted to the eight secrets/KMS/IAM/Lambda
  checks in ``RELEVANT_CHECKS``, and with all of its checks;
- ``seccat check --all-stacks --format json`` on the same catalog with ``stacks: {mode:
  split}`` (every environment, dev and prod, each a platform stack plus team stacks, in
  worker processes): wall, CPU of the whole process tree, peak RSS of the parent, of the
  largest worker and summed over the tree (benchmarks/process_tree.py); ``--no-all-stacks``
  skips it;
- the bare Pulumi SDK registering the preview's custom resources under the mock monitor,
  with no seccat code (``benchmarks/measure.py baseline``);
- ``seccat validate`` of the catalog, and ``seccat --help``.

It also times, in one process, the preview and writing it as JSON (``seccat preview
--format json``'s two halves), for the "JSON output adds at most 10%" target.

checkov runs from its own virtualenv, benchmarks/.checkov-venv (git-ignored), which this
script creates with uv on first use (``--no-checkov`` skips it). Reported per command: wall
seconds, CPU seconds (user + system of the child, from wait4: on a shared machine the
trustworthy figure), peak RSS of the child, and milliseconds of wall time per resource.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from catalog_gen import write  # noqa: E402
from process_tree import measure  # noqa: E402
from tf_json import convert, count  # noqa: E402

STACK = "prod"
CHECKOV_VERSION = "3.3.30"
CHECKOV_VENV = HERE / ".checkov-venv"
SECCAT = Path(sys.executable).with_name("seccat")

#: checkov's checks for what seccat's rules cover: secrets encrypted with a CMK, rotated,
#: rotated within 90 days; KMS keys rotated, no wildcard principal; IAM policies without
#: "*" actions or admin rights; Lambda environment variables encrypted.
RELEVANT_CHECKS = (
    "CKV_AWS_149",
    "CKV2_AWS_57",
    "CKV_AWS_304",
    "CKV_AWS_7",
    "CKV_AWS_33",
    "CKV_AWS_62",
    "CKV_AWS_63",
    "CKV_AWS_173",
)


def timed(argv: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> dict:
    """Wall and CPU seconds and peak RSS (MiB) of one process, its output discarded."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.chdir(cwd)
        try:
            os.execve(argv[0], argv, env if env is not None else dict(os.environ))
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "exit": os.waitstatus_to_exitcode(status),
    }


def ensure_checkov() -> Path | None:
    """checkov's executable in its own virtualenv, created with uv when missing."""
    exe = CHECKOV_VENV / "bin" / "checkov"
    if exe.exists():
        return exe
    uv = shutil.which("uv") or str(ROOT / ".bootstrap" / "bin" / "uv")
    if not Path(uv).exists():
        print("no uv found: checkov skipped", file=sys.stderr)
        return None
    print(f"creating {CHECKOV_VENV} with checkov {CHECKOV_VERSION}...", file=sys.stderr)
    subprocess.run([uv, "venv", "-q", "--python", "3.11", str(CHECKOV_VENV)], check=True)
    env = {**os.environ, "VIRTUAL_ENV": str(CHECKOV_VENV)}
    subprocess.run(
        [uv, "pip", "install", "-q", "--compile-bytecode", f"checkov=={CHECKOV_VERSION}"],
        check=True,
        env=env,
    )
    return exe


def checkov_argv(exe: Path, folder: Path, checks: tuple[str, ...] | None) -> list[str]:
    argv = [str(exe), "-d", str(folder), "--framework", "terraform_json", "--skip-download"]
    argv += ["--quiet", "--compact", "-o", "json"]
    if checks:
        argv += ["--check", ",".join(checks)]
    return argv


def checkov_env() -> dict[str, str]:
    # no platform calls, no version check: offline like seccat
    return {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_SKIP_VERSION_CHECK": "TRUE"}


def _line(label: str, n: int, m: dict) -> None:
    print(
        f"  {n:>6} secrets  {label:<24} {m['wall_s']:8.2f} s wall {m['cpu_s']:8.2f} s CPU "
        f"{m['peak_rss_mib']:8.0f} MiB  exit {m['exit']}",
        file=sys.stderr,
        flush=True,
    )


def run_all_stacks(n: int, folder: Path) -> dict:
    """``seccat check --all-stacks`` of the size-``n`` catalog split into micro-stacks."""
    catalog = write(n, folder, stacks="{mode: split}")
    plan = json.loads(
        subprocess.run(
            [str(SECCAT), "stacks", "--catalog", str(catalog), "--format", "json"],
            check=True, capture_output=True, text=True,
        ).stdout
    )  # fmt: skip
    stacks = [s for e in plan["environments"] for s in e["stacks"]]
    report = folder / f"check-all-{n}.json"
    argv = [str(SECCAT), "check", "--all-stacks", "--catalog", str(catalog)]
    argv += ["--format", "json", "--out", str(report)]
    row = measure(argv)
    row["stacks"] = len(stacks)
    # what the check evaluated, components included, as the `seccat check` rows count
    row["resources"] = json.loads(report.read_text())["summary"]["resources"]
    row["largest_stack"] = max(s["resources"] for s in stacks)
    print(
        f"  {n:>6} secrets  {'seccat check --all-stacks':<24} {row['wall_s']:8.2f} s wall "
        f"{row['cpu_s']:8.2f} s CPU (tree)  parent {row['parent_peak_rss_mib']:.0f} MiB, "
        f"largest worker {row['largest_worker_peak_rss_mib']:.0f} MiB, summed "
        f"{row['summed_peak_rss_mib']:.0f} MiB RSS / {row['summed_peak_pss_mib']:.0f} MiB PSS, "
        f"{row['stacks']} stacks, {row['resources']:,} resources  exit {row['exit']}",
        file=sys.stderr,
        flush=True,
    )
    return row


def run_size(
    n: int, folder: Path, checkov: Path | None, sdk: bool, all_stacks: bool = True
) -> dict:
    catalog = write(n, folder)
    preview_json = folder / f"preview-{n}.json"
    out = folder / f"check-{n}.json"
    row: dict = {"secrets": n}

    row["preview_split"] = json.loads(
        subprocess.run(
            [sys.executable, str(HERE / "measure.py"), "preview-json", str(catalog), STACK,
             str(preview_json)],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
    )  # fmt: skip
    resources = json.loads(preview_json.read_text())
    row["resources"] = len(resources["resources"])
    tf_dir = folder / f"tf-{n}"
    tf_dir.mkdir()
    document = convert(resources)
    (tf_dir / "main.tf.json").write_text(json.dumps(document, indent=1))
    row["terraform_resources"] = count(document)
    del resources, document

    seccat_check = [str(SECCAT), "check", "--stack", STACK, "--catalog", str(catalog)]
    seccat_check += ["--format", "json", "--out", str(out)]
    row["seccat check"] = timed(seccat_check)
    _line("seccat check", n, row["seccat check"])
    if sdk:
        sdk_out = folder / f"check-{n}-sdk.json"
        argv = [*seccat_check[:-1], str(sdk_out)]
        row["seccat check (SDK engine)"] = timed(argv, {**os.environ, "SECCAT_ENGINE": "sdk"})
        _line("seccat check (SDK engine)", n, row["seccat check (SDK engine)"])
        row["sdk_report_identical"] = sdk_out.read_bytes() == out.read_bytes()
        same = row["sdk_report_identical"]
        print(f"  {n:>6} secrets  plan and SDK reports identical: {same}", file=sys.stderr)
    # the bare Pulumi SDK: the same custom resources registered through pulumi_aws /
    # pulumi_vault classes under the mock monitor, no seccat code (benchmarks/measure.py)
    row["bare SDK"] = timed([sys.executable, str(HERE / "measure.py"), "baseline",
                             str(preview_json), STACK])  # fmt: skip
    _line("bare SDK", n, row["bare SDK"])
    row["seccat validate"] = timed([str(SECCAT), "validate", str(catalog)])
    _line("seccat validate", n, row["seccat validate"])
    if checkov is not None:
        for label, checks in (
            ("checkov relevant", RELEVANT_CHECKS),
            ("checkov all", None),
        ):
            row[label] = timed(checkov_argv(checkov, tf_dir, checks), checkov_env(), folder)
            _line(label, n, row[label])
    shutil.rmtree(tf_dir)
    if all_stacks:
        row["seccat check --all-stacks"] = run_all_stacks(n, folder)
    return row


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "load_at_start": [round(x, 1) for x in load],
    }


def table(results: list[dict]) -> str:
    lines = [
        "| secrets (resources) | command | wall s | CPU s | peak RSS MiB | ms/resource (wall) "
        "| vs checkov relevant (wall) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ref = r.get("checkov relevant")
        for label in (
            "seccat check",
            "seccat check (SDK engine)",
            "bare SDK",
            "checkov relevant",
            "checkov all",
            "seccat validate",
        ):
            if label not in r:
                continue
            m = r[label]
            ratio = f"{m['wall_s'] / ref['wall_s']:.2f}x" if ref else "-"
            per = 1000 * m["wall_s"] / r["resources"]
            lines.append(
                f"| {r['secrets']:,} ({r['resources']:,}) | {label} | {m['wall_s']:.2f} "
                f"| {m['cpu_s']:.2f} | {m['peak_rss_mib']:.0f} | {per:.2f} | {ratio} |"
            )
    return "\n".join(lines)


def all_stacks_table(results: list[dict]) -> str:
    """``check --all-stacks``: every environment, so per resource against ``check --stack
    prod`` (one environment) and checkov (prod's resources)."""
    lines = [
        "| secrets | stacks (resources, largest) | wall s | CPU s (tree) | CPU ms/resource "
        "| vs `check` CPU ms/resource | parent MiB | largest worker MiB | summed RSS / PSS MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        m = r.get("seccat check --all-stacks")
        if m is None:
            continue
        per = 1000 * m["cpu_s"] / m["resources"]
        single = r.get("seccat check")
        ratio = f"{per / (1000 * single['cpu_s'] / r['resources']):.2f}x" if single else "-"
        lines.append(
            f"| {r['secrets']:,} | {m['stacks']} ({m['resources']:,}, {m['largest_stack']:,}) "
            f"| {m['wall_s']:.1f} | {m['cpu_s']:.1f} | {per:.2f} | {ratio} "
            f"| {m['parent_peak_rss_mib']:.0f} | {m['largest_worker_peak_rss_mib']:.0f} "
            f"| {m['summed_peak_rss_mib']:.0f} / {m['summed_peak_pss_mib']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument(
        "--sdk-up-to",
        type=int,
        default=10_000,
        help="also time check on the SDK engine and compare its report, up to this many secrets",
    )
    parser.add_argument("--no-all-stacks", action="store_true")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "side_by_side.json")
    args = parser.parse_args()
    checkov = None if args.no_checkov else ensure_checkov()
    info = machine()
    help_run = timed([str(SECCAT), "--help"])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            sub = Path(tmp) / str(n)
            sub.mkdir()
            results.append(run_size(n, sub, checkov, n <= args.sdk_up_to, not args.no_all_stacks))
            args.json.parent.mkdir(parents=True, exist_ok=True)
            doc = {"machine": info, "help": help_run, "results": results}
            args.json.write_text(json.dumps(doc, indent=2))
    info["load_at_end"] = [round(x, 1) for x in os.getloadavg()]
    args.json.write_text(json.dumps({"machine": info, "help": help_run, "results": results}))
    print(json.dumps(info))
    print(f"seccat --help: {help_run['wall_s']:.3f} s wall, {help_run['cpu_s']:.3f} s CPU")
    print(table(results))
    print(all_stacks_table(results))
    print("| secrets | preview wall / CPU s | JSON render + write wall / CPU s | added (CPU) |")
    print("| ---: | ---: | ---: | ---: |")
    for r in results:
        p = r["preview_split"]
        print(
            f"| {r['secrets']:,} | {p['preview_s']:.2f} / {p['preview_cpu_s']:.2f} "
            f"| {p['output_s']:.3f} / {p['output_cpu_s']:.3f} "
            f"| {100 * p['output_cpu_s'] / p['preview_cpu_s']:.1f}% |"
        )


if __name__ == "__main__":
    main()
