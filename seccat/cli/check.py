"""`seccat check`: policy-as-code without cloud credentials.

The report always lands: when the check stops before any rule runs (an invalid or
unreadable catalog, a stack file that disagrees with it, a broken pack config), the chosen
format is still written, to ``--out`` or stdout, with those problems as its results at
their lines, and the exit code says why (1 invalid, 2 unreadable). Only a usage error (an
unknown option or pack name) writes no report.
"""

from __future__ import annotations

import subprocess
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli import completion
from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import Stop, emit, fail, platform_context
from seccat.cli.output import say
from seccat.cli.preview import AllStacksOption, JobsOption, one_stack

if TYPE_CHECKING:
    from collections.abc import Callable

    from seccat.catalog.model import Catalog
    from seccat.checking.baseline import Baseline
    from seccat.checking.findings import CheckResult
    from seccat.checking.packs import Pack
    from seccat.diff.base import BaseCatalog
    from seccat.engine.preview import Preview


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"


def render_report(format: CheckFormat, result: CheckResult, repo_root: Path | None = None) -> str:
    """The report in ``format``: a pure function of the result (and, for SARIF and JUnit,
    the folder file locations are relative to). stdout and --out get exactly this string."""
    return renderer(format, repo_root)(result)


def renderer(format: CheckFormat, repo_root: Path | None = None) -> Callable[[CheckResult], str]:
    """The renderer of one format; imported on use, so `seccat --help` loads no report."""
    if format is CheckFormat.sarif:
        from seccat.reports import sarif

        return lambda result: sarif.render(result, repo_root=repo_root)
    if format is CheckFormat.junit:
        from seccat.reports import junit

        return lambda result: junit.render(result, repo_root=repo_root)
    if format is CheckFormat.json:
        from seccat.reports import json as json_report

        return json_report.render
    if format is CheckFormat.markdown:
        from seccat.reports import markdown

        return markdown.render
    from seccat.reports import text

    return text.render


def repo_root(option: Path | None, catalog: Path) -> Path:
    """What SARIF URIs and JUnit files are relative to: ``--repo-root``, else the git top
    level of the catalog's folder, else the current directory (not in a git work tree)."""
    if option is not None:
        if not option.is_dir():
            raise fail(f"--repo-root {option}: not a directory")
        return option.resolve()
    folder = catalog.parent if catalog.parent.is_dir() else Path.cwd()
    try:
        found = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return Path.cwd()
    top = found.stdout.strip()
    return Path(top) if found.returncode == 0 and top else Path.cwd()


@app.command(
    epilog=examples(
        "seccat check --stack prod",
        "seccat check --stack prod --pack pci-dss-4 --format sarif --out seccat.sarif",
        "seccat check --stack dev --format markdown >> $GITHUB_STEP_SUMMARY",
        "seccat check --stack prod --strict",
        "seccat check --stack prod --baseline prod-main.json --new-only",
        "seccat check --stack prod --base origin/main --changed-only --hard-fail-on high",
        "seccat check --all-stacks --base origin/main --new-only --format sarif --out seccat.sarif",
        note="Exit codes: 0 no mandatory violation, 1 mandatory violations (with a baseline: "
        "new ones only), an invalid catalog or a stack file that disagrees with it (or, with "
        "--strict, a waiver warning), 2 usage error or unreadable input. The report is written "
        "in every case but a usage error: problems that stop the check become its results, at "
        "their lines. --hard-fail-on/--soft-fail-on take severities (critical, high, medium, "
        "low) and rule ids; a rule id beats a severity, hard beats soft, and a waiver beats "
        "both (docs/policies.md).",
    )
)
def check(
    stack: Annotated[
        str | None,
        typer.Option(
            "--stack",
            "-s",
            help="Stack name: a catalog environment, or one of its team stacks.",
            autocompletion=completion.stacks,
        ),
    ] = None,
    catalog: Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")] = Path(
        "catalog.yaml"
    ),
    pack: Annotated[
        str,
        typer.Option(
            "--pack",
            "-p",
            help="baseline, pci-dss-4, soc2, nist-800-53-r5, cis-aws-3, or a config JSON file.",
            autocompletion=completion.packs,
        ),
    ] = "baseline",
    format: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="Output format.")
    ] = CheckFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to this file (same bytes as stdout)."),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            "--repo-root",
            help="Folder SARIF and JUnit paths are relative to (default: the git top level "
            "of the catalog's folder, else the current directory).",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Waivers that match no finding or expire within 30 days are errors "
            "(exit 1), not warnings.",
        ),
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="A saved `check --format json` result of the same stack or stacks: only new "
            "mandatory findings fail.",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="The catalog before the change (a file or a git revision): its findings are "
            "the baseline, and --changed-only compares with it.",
        ),
    ] = None,
    new_only: Annotated[
        bool, typer.Option("--new-only", help="Report only findings the baseline lacks.")
    ] = False,
    changed_only: Annotated[
        bool,
        typer.Option(
            "--changed-only",
            help="Report only findings about catalog entries and resources the change touches "
            "(needs --base and one --stack).",
        ),
    ] = False,
    hard_fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--hard-fail-on", help="Severities or rule ids that fail the check (repeatable)."
        ),
    ] = None,
    soft_fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--soft-fail-on", help="Severities or rule ids that never fail it (repeatable)."
        ),
    ] = None,
    all_stacks: AllStacksOption = False,
    jobs: JobsOption = None,
) -> None:
    """Run the catalog rules, then the policy pack's resource and stack rules over the
    offline preview of STACK, and report every violation.

    The same rule functions run under `pulumi preview --policy-pack policies`.
    """
    from seccat.checking.baseline import Baseline, BaselineError, read_baseline
    from seccat.checking.fail_policy import FailPolicyError, parse_fail_policy
    from seccat.checking.packs import PackError, load_pack
    from seccat.checking.runner import check as run_check
    from seccat.cli.common import preview_or_stop
    from seccat.cli.terminal import progress

    name = one_stack(stack, all_stacks)
    if name is None and changed_only:
        raise fail(
            "--changed-only compares one stack's previews: give --stack NAME, not --all-stacks"
        )
    stack = name or "all-stacks"
    text_on_stdout = format is CheckFormat.text and out is None
    needs_root = format in (CheckFormat.sarif, CheckFormat.junit)
    root_dir = repo_root(root, catalog) if needs_root else None
    try:
        policy = parse_fail_policy(hard_fail_on or [], soft_fail_on or [])
    except FailPolicyError as exc:
        raise fail(str(exc)) from None
    if baseline is not None and base is not None:
        raise fail("--baseline and --base both name a baseline: give one")
    if new_only and baseline is None and base is None:
        raise fail("--new-only needs a baseline: --baseline FILE or --base REVISION")
    if changed_only and base is None:
        raise fail("--changed-only needs --base (the catalog to compare with)")
    known: Baseline | None = None
    if baseline is not None:
        try:
            # --all-stacks: the stack a baseline must be of is known once the catalog is read
            known = read_baseline(baseline, stack if name is not None else None)
        except BaselineError as exc:
            raise fail(str(exc)) from None
    try:
        try:
            selected = load_pack(pack)
        except PackError as exc:
            if not exc.diagnostics:  # an unknown name: a usage error, nothing to report on
                raise fail(str(exc)) from None
            raise Stop("the pack configuration is invalid", EXIT_USAGE, exc.diagnostics) from None
        if name is None:
            from seccat.cli.all_stacks import check_all, planned, stacks_label

            plan = planned(catalog)
            label = stacks_label(plan[0])
            if known is not None and known.stack != label:
                raise fail(
                    f"{baseline}: the baseline is of {known.stack!r}, not of the stacks "
                    f"{label!r}; save one with `seccat check --all-stacks --format json`"
                )
            # only JUnit lists every rule x resource evaluation: the others need not ship them
            every, stopped = check_all(
                catalog, pack, strict, jobs, evaluations=format is CheckFormat.junit, plan=plan
            )
            if stopped is not None:
                raise stopped
            assert every is not None
            result = every
        else:
            with progress() as shown:
                model, preview = preview_or_stop(
                    catalog, stack, shown.registered if shown.live else None, jobs
                )
                result = run_check(
                    model,
                    preview,
                    selected,
                    strict=strict,
                    progress=shown.evaluated if shown.live else None,
                    context=platform_context(model, catalog, stack),
                )
    except Stop as stop:
        stopped = _stopped_result(stop, stack, catalog, pack)
        emit(render_report(format, stopped, root_dir), out)
        if not text_on_stdout:
            stop.tell()
        raise typer.Exit(stop.code) from None

    result.findings = policy.apply(result.findings)
    if base is not None and name is None:
        known = _base_all_stacks(base, catalog, result.stack, pack, jobs)
    elif base is not None:
        from seccat.diff.scope import touched

        base_catalog, base_preview, base_result = _base_run(base, catalog, stack, selected, jobs)
        known = Baseline.of(base_result, base) if base_result is not None else Baseline(stack)
        if changed_only:
            scope = touched(base_catalog, model, base_preview, preview)
            result.findings = [f for f in result.findings if scope.covers(f)]
    if known is not None:
        result = _against(result, known, new_only)
    emit(render_report(format, result, root_dir), out)
    if not text_on_stdout:
        for diagnostic in result.diagnostics:
            say(diagnostic.render())
        say(render_report(CheckFormat.text, result).splitlines()[-1])
    raise typer.Exit(EXIT_FINDINGS if result.failed else EXIT_OK)


def _stopped_result(stop: Stop, stack: str, catalog: Path, pack: str) -> CheckResult:
    """The result of a check that stopped before any rule ran: the problems, no findings."""
    from seccat.checking.findings import CheckResult
    from seccat.policies.packs import FRAMEWORKS

    return CheckResult(
        stack=stack,
        catalog_file=str(catalog),
        pack=pack if pack in FRAMEWORKS else Path(pack).stem,
        diagnostics=list(stop.diagnostics),
        stopped=stop.reason,
    )


def _base_catalog(spec: str, catalog: Path) -> tuple[BaseCatalog, Catalog | None]:
    """The base as found, and its model: None when there is none at that revision or it is
    invalid (said on stderr: every finding is then new). A base that cannot be found at all
    is a usage error."""
    from seccat.catalog.loader import parse_catalog
    from seccat.diff.base import BaseError, resolve_base

    try:
        found = resolve_base(spec, catalog)
    except BaseError as exc:
        raise fail(str(exc)) from None
    if found.raw is None:
        return found, None
    model, diagnostics = parse_catalog(found.raw, found.source)
    if model is None or any(d.severity == "error" for d in diagnostics):
        say(f"seccat: note: the base catalog {found.source} is invalid: every finding is new")
        return found, None
    return found, model


def _base_run(
    spec: str, catalog: Path, stack: str, pack: Pack, jobs: int | None = None
) -> tuple[Catalog | None, Preview | None, CheckResult | None]:
    """The base catalog, its preview and its check of ``stack`` (policy options aside: the
    baseline is the base's findings as its pack reports them). A base that is invalid, has
    no such stack or cannot run contributes nothing: every finding is then new. A big base
    stack runs in ``jobs`` workers as the checked one does (seccat.stacks.partition)."""
    import datetime as dt

    from seccat.checking.runner import check as run_check
    from seccat.engine.preview import ProgramError, run_preview

    found, model = _base_catalog(spec, catalog)
    if model is None:
        return None, None, None
    if stack not in model.environments:
        return model, None, None
    from seccat.stacks.partition import preview_in_parts

    try:
        preview = preview_in_parts(
            model, stack, found.source, jobs=jobs, say=lambda line: say("seccat: base " + line[8:])
        ) or run_preview(model, stack, found.source)
    except ProgramError as exc:
        say(f"seccat: note: the base cannot run ({exc}): every finding is new")
        return model, None, None
    today = dt.date.today().isoformat()
    return model, preview, run_check(model, preview, pack, today=today)


def _base_all_stacks(spec: str, catalog: Path, label: str, pack: str, jobs: int | None) -> Baseline:
    """The findings of every stack of the base catalog, as `check --all-stacks` of it reports
    them, keyed by the head's stacks label: their resources' URNs name each stack, so an
    environment added or removed leaves the others' findings matched. A base that is
    invalid, cannot be split or cannot run contributes nothing: every finding is then new."""
    import tempfile

    from seccat.checking.baseline import Baseline, BaselineEntry
    from seccat.cli.all_stacks import check_all
    from seccat.stacks.plan import PlanError, plan_catalog

    found, model = _base_catalog(spec, catalog)
    nothing = Baseline(label, (), spec)
    if model is None or found.raw is None:
        return nothing
    try:
        specs = list(plan_catalog(model).stacks)
    except PlanError as exc:
        say(f"seccat: note: the base cannot be split ({exc}): every finding is new")
        return nothing
    # as for one stack's base (_base_run): the program's defaults, not the head's stack files
    configs: dict[str, dict[str, object]] = {s.name: {} for s in specs}
    with tempfile.TemporaryDirectory(prefix="seccat-base-") as folder:
        # forked workers use the model read here; spawned ones (not Linux) read this copy
        copy = Path(folder) / "catalog.yaml"
        copy.write_bytes(found.raw)
        result, stopped = check_all(
            copy, pack, False, jobs, evaluations=False, plan=(model, specs, configs), label="base "
        )
    if stopped is not None or result is None:
        problems = stopped.diagnostics if stopped is not None else []
        reason = problems[0].message if problems else "it stopped"
        say(f"seccat: note: the base cannot run ({reason}): every finding is new")
        return nothing
    return Baseline(label, tuple(BaselineEntry.of(f, label) for f in result.findings), spec)


def _against(result: CheckResult, known: Baseline, new_only: bool) -> CheckResult:
    """Mark each finding new or unchanged against ``known``; with ``new_only`` keep the new."""
    from dataclasses import replace

    from seccat.checking.baseline import compare

    compared = compare(result.findings, result.stack, known)
    new = {id(f) for f in compared.new}
    marked = [replace(f, baseline="new" if id(f) in new else "unchanged") for f in result.findings]
    result.findings = [f for f in marked if f.baseline == "new"] if new_only else marked
    return result
