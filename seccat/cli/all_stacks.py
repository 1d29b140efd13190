"""`--all-stacks` for preview, check and render: every planned stack of every environment,
in worker processes (seccat.stacks.parallel), results streamed as they come.

Machine output goes straight to stdout or the ``--out`` file as bytes, one stack after the
other, never through the terminal library; progress lines go to stderr.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_USAGE
from seccat.cli.common import Stop, fail, load_or_stop, stack_config_or_stop
from seccat.cli.output import encode, open_sink, say

if TYPE_CHECKING:
    from seccat.catalog.model import Catalog
    from seccat.checking.findings import CheckResult
    from seccat.engine.recording import RecordedResource
    from seccat.stacks.parallel import Outcome, Task
    from seccat.stacks.plan import StackSpec


def planned(path: Path) -> tuple[Catalog, list[StackSpec], dict[str, dict[str, object]]]:
    """The catalog, every stack of every environment, and each stack's checked config;
    ``Stop`` as the single-stack commands stop."""
    from seccat.stacks.plan import PlanError, plan_catalog

    catalog = load_or_stop(path)
    try:
        specs = list(plan_catalog(catalog).stacks)
    except PlanError as exc:
        raise Stop("the catalog cannot be split", EXIT_FINDINGS, [], message=str(exc)) from None
    configs = {s.name: stack_config_or_stop(catalog, s.name) for s in specs}
    return catalog, specs, configs


def preview_all(path: Path, format: str, out: Path | None, jobs: int | None) -> None:
    from seccat.stacks.parallel import Task, run_stacks

    try:
        catalog, specs, configs = planned(path)
    except Stop as stop:
        raise stop.exit() from None

    def task(spec: StackSpec, _: tuple[RecordedResource, ...]) -> Task:
        return Task("preview", spec.name, str(path), configs[spec.name], format=format)

    errors: list[str] = []
    try:
        with open_sink(out) as sink:
            parts = _stream(run_stacks(catalog, specs, task, jobs), errors)
            _write_previews(sink, format, str(path), parts)
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}") from None
    _finish(errors)


def _stream(outcomes: Iterator[Outcome], errors: list[str]) -> Iterator[str]:
    for outcome in outcomes:
        if outcome.error is not None:
            errors.append(f"{outcome.stack}: {outcome.error}")
            continue
        say(f"seccat: {outcome.stack}: {outcome.resources} resources")
        yield outcome.text


def _write_previews(sink: BinaryIO, format: str, catalog: str, parts: Iterator[str]) -> None:
    """JSON: one document whose ``stacks`` are the single-stack documents; text and
    Markdown: the stacks' reports one after the other."""
    if format != "json":
        for index, text in enumerate(parts):
            sink.write(encode(("\n" if index else "") + text))
            sink.flush()
        return
    import json

    from seccat.catalog.untrusted import MAX_FILE, safe_field

    head = {"schemaVersion": 1, "project": "seccat", "catalog": safe_field(catalog, MAX_FILE)}
    sink.write(encode(json.dumps(head, indent=2, ensure_ascii=True)[:-2] + ',\n  "stacks": ['))
    for index, text in enumerate(parts):
        nested = "\n".join("    " + line for line in text.rstrip("\n").split("\n"))
        sink.write(encode(("," if index else "") + "\n" + nested))
        sink.flush()
    sink.write(encode("\n  ]\n}\n"))


def render_all(path: Path, out: Path, clean: bool, jobs: int | None) -> None:
    from seccat.stacks.parallel import Task, run_stacks

    try:
        catalog, specs, configs = planned(path)
    except Stop as stop:
        raise stop.exit() from None

    def task(spec: StackSpec, _: tuple[RecordedResource, ...]) -> Task:
        return Task(
            "render",
            spec.name,
            str(path),
            configs[spec.name],
            out=str(out / spec.name),
            clean=clean,
        )

    if out.exists() and not out.is_dir():
        raise fail(f"{out}: exists and is not a folder")
    if not clean and out.exists() and any(out.iterdir()):
        raise fail(f"{out}: not empty (render --all-stacks writes <out>/<stack>/; use --clean)")
    errors, files = [], 0
    for outcome in run_stacks(catalog, specs, task, jobs):
        if outcome.error is not None:
            errors.append(f"{outcome.stack}: {outcome.error}")
            continue
        files += outcome.files
        say(f"wrote {outcome.files} files to {out / outcome.stack}")
    _finish(errors)
    say(f"wrote {files} files for {len(specs)} stacks to {out}")


def _finish(errors: list[str]) -> None:
    for error in errors:
        say(f"seccat: error: {error}")
    if errors:
        raise typer.Exit(EXIT_USAGE)


Planned = tuple["Catalog", list["StackSpec"], dict[str, dict[str, object]]]


def stacks_label(catalog: Catalog) -> str:
    """What `check --all-stacks` reports as its stack: the environments, comma-joined (the
    fingerprints of its findings, and so its baselines, are keyed by it)."""
    return ",".join(catalog.environments)


def check_all(
    path: Path,
    pack: str,
    strict: bool,
    jobs: int | None,
    evaluations: bool = True,
    plan: Planned | None = None,
    label: str = "",
) -> tuple[CheckResult | None, Stop | None]:
    """Every stack checked; catalog rules that read no resources once per environment,
    waivers per environment over all its stacks' findings. A ``Stop`` when a stage fails
    (the caller writes the stopped report).

    ``evaluations``: keep every rule x subject evaluation (only the JUnit report lists
    them); without it the workers send back findings only, and the parent holds no more
    than the findings of every stack (hundreds of thousands of evaluations fewer at 10,000
    secrets). ``plan``: the catalog already planned (``planned(path)``); ``label`` goes
    before each progress line (the base of `check --base` says which run it is)."""
    from seccat.checking.findings import CheckResult
    from seccat.checking.packs import load_pack
    from seccat.checking.runner import evaluate_catalog
    from seccat.checking.waivers import apply_waivers, waiver_warnings
    from seccat.policies.registry import RULES
    from seccat.stacks.parallel import Task, run_stacks

    try:
        catalog, specs, configs = plan or planned(path)
    except Stop as stop:
        return None, stop
    selected = load_pack(pack)
    today = dt.date.today().isoformat()

    def task(spec: StackSpec, context: tuple[RecordedResource, ...]) -> Task:
        return Task(
            "check",
            spec.name,
            str(path),
            configs[spec.name],
            pack=pack,
            today=today,
            context=context,
            evaluations=evaluations,
        )

    raw: dict[str, list] = {e: [] for e in catalog.environments}
    kept: list = []
    resources = 0
    for environment in catalog.environments:
        once = evaluate_catalog(
            catalog,
            selected,
            environment=environment,
            today=today,
            select=lambda rule: not rule.resource_types,
        )
        raw[environment] += once.findings
        kept += once.evaluations if evaluations else []
    errors = []
    for outcome in run_stacks(catalog, specs, task, jobs):
        if outcome.error is not None:
            errors.append(f"{outcome.stack}: {outcome.error}")
            continue
        from seccat.stacks.plan import environment_of

        raw[environment_of(outcome.stack)] += outcome.findings
        kept += outcome.evaluations
        resources += outcome.resources
        say(
            f"seccat: {label}{outcome.stack}: {outcome.resources} resources, "
            f"{len(outcome.findings)} finding(s) before waivers"
        )
    if errors:
        from seccat.catalog.diagnostics import Diagnostic

        problems = [Diagnostic(str(path), 1, 1, "", e, "PROGRAM") for e in errors]
        return None, Stop("the program refused the catalog", EXIT_USAGE, problems)
    rules_run = tuple(r.id for r in RULES if selected.level(r.id) != "disabled")
    findings, warnings = [], []
    for environment, found in raw.items():
        warnings += waiver_warnings(catalog, found, environment, today, rules_run, strict=strict)
        findings += apply_waivers(found, catalog.waivers, today, environment)
    # a catalog finding that every environment's run reports (a broken reference) once
    unique = {
        (f.rule_id, f.file, f.line, f.column, f.message, f.target, f.resource_urn): f
        for f in findings
    }
    findings = sorted(
        unique.values(), key=lambda f: (f.file, f.line, f.column, f.rule_id, f.subject, f.message)
    )
    return (
        CheckResult(
            stack=stacks_label(catalog),
            catalog_file=catalog.source,
            pack=selected.name,
            findings=findings,
            evaluations=kept,
            resources=resources,
            diagnostics=sorted(warnings),
            rules_run=rules_run,
        ),
        None,
    )
