"""One big stack across worker processes (issue 12, item 4): the stack cut into parts
along team lines (seccat.stacks.partition), each previewed by the same program, merged into
exactly the preview, findings, documents and exit codes of the run in one process.

The in-process tests run the parts one after the other (the transport aside, what the
workers do) on every repository catalog and generated ones; the CLI tests run the real
worker processes (`--jobs 2`) against the serial run (`--jobs 1`), byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from catalog_gen import generate

from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Catalog, StackSettings
from seccat.engine.preview import Preview, run_preview
from seccat.reports.preview_json import render_json
from seccat.stacks.partition import PartsDisagree, merge, parts_of, preview_in_parts
from seccat.stacks.plan import stack_spec

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]
BAD = ROOT / "tests" / "fixtures" / "bad-catalog.yaml"
WAIVED = ROOT / "tests" / "fixtures" / "waived-catalog.yaml"
#: Every valid catalog in the repository with two teams or more (one team has no parts).
CATALOGS = [
    "catalog.yaml",
    "tests/fixtures/bad-catalog.yaml",
    "tests/fixtures/features-catalog.yaml",
    "tests/fixtures/waived-catalog.yaml",
    "tests/vault/rotation-catalog.yaml",
]


def _stacks() -> list[tuple[str, str]]:
    found = []
    for name in CATALOGS:
        catalog = load_catalog(ROOT / name)
        found += [(name, env) for env in catalog.environments]
    return found


def _in_parts(catalog: Catalog, stack: str, source: str, count: int) -> Preview:
    """What the workers do, one part after the other in this process, merged."""
    parts = parts_of(catalog, stack_spec(catalog, stack), count)
    assert len(parts) == min(count, len(catalog.teams)), parts
    return merge(
        stack, source, [run_preview(catalog, stack, source, part=p).resources for p in parts]
    )


def _generated(secrets: int, teams: int) -> Catalog:
    catalog, diagnostics = parse_catalog(
        generate(secrets, n_teams=teams, services_per_team=3).encode(), "bench.yaml"
    )
    assert catalog is not None, diagnostics
    return catalog


@pytest.mark.parametrize(("name", "stack"), _stacks())
def test_parts_merge_into_the_single_stack_preview(name: str, stack: str) -> None:
    catalog = load_catalog(ROOT / name)
    whole = render_json(run_preview(catalog, stack, name))
    for count in (2, 3) if name == "catalog.yaml" else (2,):
        assert render_json(_in_parts(catalog, stack, name, count)) == whole, count


def test_generated_catalog_parts_merge_into_the_single_stack_preview() -> None:
    """Every store and type, teams of unequal size, admin secrets and their rotators."""
    catalog = _generated(150, 5)
    whole = render_json(run_preview(catalog, "prod", "bench.yaml"))
    for count in (2, 4):
        assert render_json(_in_parts(catalog, "prod", "bench.yaml", count)) == whole


def test_a_part_builds_the_shared_resources_and_only_its_teams() -> None:
    catalog = load_catalog(ROOT / "catalog.yaml")
    spec = stack_spec(catalog, "prod")
    parts = parts_of(catalog, spec, 2)
    assert [sorted(p.teams) for p in parts] == [["payments"], ["data", "identity"]] or len(
        {t for p in parts for t in p.teams}
    ) == len(spec.teams)
    assert set().union(*(p.secrets for p in parts)) == spec.secrets
    whole = run_preview(catalog, "prod", "catalog.yaml")
    shared = {
        r.urn
        for r in run_preview(
            catalog,
            "prod",
            "catalog.yaml",
            part=replace(parts[0], secrets=frozenset(), services=frozenset(), teams=frozenset()),
        ).resources
    }
    for part in parts:
        mine = {r.urn for r in run_preview(catalog, "prod", "catalog.yaml", part=part).resources}
        assert shared <= mine
        secrets = {
            r.catalog_ref[1]
            for r in whole.resources
            if r.urn in mine - shared and r.catalog_ref and r.catalog_ref[0] == "secrets"
        }
        assert secrets and secrets <= part.secrets


def test_the_comparison_catches_a_merge_that_drops_or_reorders_a_resource() -> None:
    """Negative controls: the byte comparison above fails for a preview one resource short
    or with two siblings swapped, and the merge refuses parts that disagree."""
    catalog = load_catalog(ROOT / "catalog.yaml")
    whole = run_preview(catalog, "prod", "catalog.yaml")
    parts = parts_of(catalog, stack_spec(catalog, "prod"), 2)
    recorded = [run_preview(catalog, "prod", "catalog.yaml", part=p).resources for p in parts]
    good = merge("prod", "catalog.yaml", recorded)
    assert render_json(good) == render_json(whole)
    dropped = Preview(
        "prod", "catalog.yaml", [r for r in good.resources if r is not good.resources[-1]]
    )
    assert render_json(dropped) != render_json(whole)
    swapped = list(good.resources)
    i = next(i for i in range(1, len(swapped) - 1) if swapped[i].parent == swapped[i + 1].parent)
    swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
    assert render_json(Preview("prod", "catalog.yaml", swapped)) != render_json(whole)
    # a part that lost a resource another part holds only: the merge cannot notice, the
    # comparison does
    others = {r.urn for r in recorded[1]}
    own = next(r for r in reversed(recorded[0]) if r.urn not in others)
    short = merge("prod", "catalog.yaml", [[r for r in recorded[0] if r is not own], recorded[1]])
    assert render_json(short) != render_json(whole)
    # a shared resource recorded differently by two parts
    first = recorded[0][0]
    changed = replace(first, inputs={**first.inputs, "extra": 1})
    with pytest.raises(PartsDisagree, match="disagree on urn:pulumi:prod::"):
        merge("prod", "catalog.yaml", [recorded[0], [changed, *recorded[1][1:]]])


def test_small_split_sdk_and_one_job_stacks_run_in_this_process(monkeypatch) -> None:
    catalog = load_catalog(ROOT / "catalog.yaml")
    assert preview_in_parts(catalog, "prod", "catalog.yaml") is None  # below THRESHOLD
    assert preview_in_parts(catalog, "prod", "catalog.yaml", jobs=1) is None
    split = replace(catalog, stacks=StackSettings(mode="split"))
    assert preview_in_parts(split, "prod", "catalog.yaml", jobs=2) is None
    assert preview_in_parts(split, "prod.payments", "catalog.yaml", jobs=2) is None
    monkeypatch.setenv("SECCAT_ENGINE", "sdk")
    assert preview_in_parts(catalog, "prod", "catalog.yaml", jobs=2) is None


def test_worker_processes_make_the_same_preview() -> None:
    catalog = _generated(60, 4)
    whole = render_json(run_preview(catalog, "prod", "bench.yaml"))
    said: list[str] = []
    parallel = preview_in_parts(catalog, "prod", "bench.yaml", jobs=2, say=said.append)
    assert parallel is not None
    assert render_json(parallel) == whole
    assert [line.rsplit(":", 1)[0] for line in said] == [
        "seccat: prod: part 1/2",
        "seccat: prod: part 2/2",
    ]


def test_a_worker_that_dies_leaves_the_stack_to_this_process(monkeypatch) -> None:
    """A crash (here an exit without a result) is said, and the stack runs in this
    process: the preview, or the error, is the serial run's."""
    import seccat.stacks.parallel as parallel

    def die(task: parallel.Task) -> parallel.Outcome:
        os._exit(70)

    monkeypatch.setattr(parallel, "run_task", die)
    catalog = _generated(60, 4)
    said: list[str] = []
    assert preview_in_parts(catalog, "prod", "bench.yaml", jobs=2, say=said.append) is None
    assert said == [
        "seccat: note: the worker process died (exit code 70); running prod in this process"
    ]


def test_a_program_error_in_a_worker_is_the_serial_runs_error(monkeypatch, tmp_path) -> None:
    """The program refuses a secret of one part: the CLI's stop is the serial run's, with
    the same located diagnostic and exit code."""
    import pulumi

    import seccat.components.aws as aws_components
    from seccat.cli.common import Stop, preview_or_stop

    real = aws_components.ManagedSecret

    def refuse(ctx, plan, *args, **kwargs):
        if plan.secret.id == "payments/stripe-api-key":
            raise pulumi.RunError("secret payments/stripe-api-key: refused by the test")
        return real(ctx, plan, *args, **kwargs)

    monkeypatch.setattr(aws_components, "ManagedSecret", refuse)
    stops = []
    for jobs in (1, 2):
        with pytest.raises(Stop) as stopped:
            preview_or_stop(ROOT / "catalog.yaml", "prod", jobs=jobs)
        stops.append(stopped.value)
    serial, parallel = stops
    assert (parallel.reason, parallel.code, parallel.message) == (
        serial.reason,
        serial.code,
        serial.message,
    )
    assert [d.render() for d in parallel.diagnostics] == [d.render() for d in serial.diagnostics]
    assert "refused by the test" in serial.message


def test_preload_imports_what_the_program_imports() -> None:
    """After preload, a preview imports no module of its own: the workers inherit them."""
    script = (
        "import sys\n"
        "from seccat.catalog.loader import load_catalog\n"
        "from seccat.engine.preview import run_preview\n"
        "from seccat.stacks.parallel import preload\n"
        "c = load_catalog('catalog.yaml')\n"
        "from seccat.documents.templating import environment\n"
        "preload(c)\n"
        "before, compiled = set(sys.modules), len(environment().cache)\n"
        "run_preview(c, 'prod', 'catalog.yaml')\n"
        "print(sorted(set(sys.modules) - before), compiled, len(environment().cache))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    templates = len(list((ROOT / "templates").rglob("*.j2")))
    assert templates > 0
    assert done.stdout == f"[] {templates} {templates}\n"


def _seccat(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*SECCAT, *args],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
    )


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    """The CLI in this process (the workers fork from it): exit code, stdout, stderr."""
    from typer.testing import CliRunner

    from seccat.cli import app

    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def test_the_command_in_worker_processes_reports_the_same_bytes() -> None:
    """The real command line, as CI runs it: findings, their order, the exit code."""
    serial = _seccat("check", "-s", "prod", "-c", str(BAD), "-f", "json", "-j", "1")
    parallel = _seccat("check", "-s", "prod", "-c", str(BAD), "-f", "json", "-j", "2")
    assert serial.returncode == 1, serial.stderr
    assert b"seccat: prod: part 2/2: " in parallel.stderr, parallel.stderr
    assert (parallel.returncode, parallel.stdout) == (serial.returncode, serial.stdout)


@pytest.mark.parametrize("format", ["text", "json", "sarif", "junit", "markdown"])
def test_check_in_worker_processes_reports_the_same_bytes(format: str) -> None:
    """Findings (mandatory and advisory), their order, every format, the exit code."""
    serial = _cli("check", "-s", "prod", "-c", str(BAD), "-f", format, "-j", "1")
    parallel = _cli("check", "-s", "prod", "-c", str(BAD), "-f", format, "-j", "2")
    assert serial[0] == 1, serial[2]
    assert b"seccat: prod: part 2/2: " in parallel[2], parallel[2]
    assert parallel[:2] == serial[:2]


def test_check_with_waivers_and_a_baseline_in_worker_processes(tmp_path: Path) -> None:
    baseline = tmp_path / "base.json"
    saved = _cli("check", "-s", "prod", "-c", str(WAIVED), "-f", "json", "-o", str(baseline))
    assert saved[0] in (0, 1), saved[2]
    assert any(f["waived"] for f in json.loads(baseline.read_text())["findings"])
    args = ("check", "-s", "prod", "-c", str(WAIVED), "-f", "sarif", "--baseline", str(baseline))
    runs = [_cli(*args), _cli(*args, env={"SECCAT_JOBS": "2"})]
    assert runs[0][0] in (0, 1), runs[0][2]
    assert b"part" not in runs[0][2]
    assert b"seccat: prod: part 2/2: " in runs[1][2], runs[1][2]
    assert runs[1][:2] == runs[0][:2]


@pytest.mark.parametrize("format", ["text", "json", "markdown"])
def test_preview_in_worker_processes_prints_the_same_bytes(format: str, tmp_path: Path) -> None:
    source = tmp_path / "bench.yaml"
    source.write_text(generate(40, n_teams=3, services_per_team=2))
    serial = _cli("preview", "-s", "prod", "-c", str(source), "-f", format, "-j", "1")
    parallel = _cli(
        "preview", "-s", "prod", "-c", str(source), "-f", format, env={"SECCAT_JOBS": "3"}
    )
    assert serial[0] == 0, serial[2]
    assert b"seccat: prod: part 3/3: " in parallel[2], parallel[2]
    assert parallel[:2] == serial[:2]


def test_render_in_worker_processes_writes_the_same_files(tmp_path: Path) -> None:
    written = {}
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        code, _, stderr = _cli(
            "render", "-s", "prod", "-c", "catalog.yaml", "-o", str(out), "-j", jobs
        )
        assert code == 0, stderr
        assert (b"seccat: prod: part 2/2: " in stderr) is (jobs == "2"), stderr
        written[jobs] = {
            p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()
        }
    assert len(written["1"]) > 20
    assert written["2"] == written["1"]


def test_check_against_a_base_in_worker_processes() -> None:
    """`check --base` runs the base stack in workers too; new and fixed findings alike."""
    args = ("check", "-s", "prod", "-c", str(BAD), "-f", "json", "--base", "catalog.yaml")
    serial, parallel = _cli(*args, "-j", "1"), _cli(*args, "-j", "2")
    assert serial[0] == 1, serial[2]
    assert b"seccat: prod: part 2/2: " in parallel[2], parallel[2]
    assert b"seccat: base prod: part 2/2: " in parallel[2], parallel[2]
    assert b"part" not in serial[2]
    assert json.loads(serial[1])["findings"], serial[1]
    assert parallel[:2] == serial[:2]
