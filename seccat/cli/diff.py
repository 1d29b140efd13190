"""`seccat diff`: what a catalog change does, for the pull request that makes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import emit, fail
from seccat.cli.output import say

if TYPE_CHECKING:  # the engine and the rules load only when the command runs
    from seccat.catalog.diagnostics import Diagnostic
    from seccat.catalog.model import Catalog
    from seccat.diff.approvals import Approval
    from seccat.diff.model import DiffResult
    from seccat.reports.links import Links

#: What exits 1 (seccat.diff.model.FAIL_ON), kept here so --help imports nothing heavy.
FAIL_ON = ("new-findings", "unapproved-access", "unretired-removal")
DEFAULT_FAIL_ON = ("new-findings", "unapproved-access")
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


def _head_config(catalog: Catalog, stack: str) -> tuple[Mapping[str, object], list[Diagnostic]]:
    """The head is what the pull request proposes: its stack file must agree, as for check."""
    from seccat.stacks.offline import stack_check

    checked = stack_check(catalog, stack)
    return checked.config, list(checked.problems)


def _base_config(catalog: Catalog, stack: str) -> tuple[Mapping[str, object], list[Diagnostic]]:
    """The base runs with the project's stack file when it agrees with the base catalog, and
    without one otherwise (the pull request may change both): never an error."""
    from seccat.stacks.files import StackFileError
    from seccat.stacks.offline import stack_check

    try:
        checked = stack_check(catalog, stack)
    except StackFileError:
        return {}, []
    return ({} if checked.problems else checked.config), []


def _approvals(given: list[str], files: list[Path]) -> list[Approval]:
    from seccat.diff.approvals import ApprovalError, parse_approval, read_approvals

    try:
        out = [parse_approval(text, "--approve") for text in given]
        for path in files:
            out += read_approvals(path)
    except ApprovalError as exc:
        raise fail(str(exc)) from None
    return out


def _renderer(format: DiffFormat, links: Links) -> Callable[[DiffResult], str]:
    from seccat.reports import diff_json, diff_markdown, diff_text

    if format is DiffFormat.json:
        return diff_json.render
    if format is DiffFormat.markdown:
        return lambda result: diff_markdown.render(result, links)
    return diff_text.render


@app.command(
    epilog=examples(
        "seccat diff --base main --stack prod",
        "seccat diff --base origin/main --all-stacks --format markdown --out comment.md",
        "seccat diff --base old-catalog.yaml --stack dev --stack prod --format json",
        "seccat diff --base main --all-stacks --approve prod:payments/stripe-api-key:checkout-api",
        note="--base is a catalog file or a git revision (the catalog is read from git, the "
        "work tree is not touched). Access is computed from the generated IAM, secret, trust "
        "and Vault documents of both sides. Exit codes: 0 nothing blocks the change, 1 it "
        "adds a mandatory finding or grants read access to a secret of the --approval-for "
        "classification (default restricted) without a matching --approve/--approvals "
        "(--fail-on chooses), 2 usage error or unreadable input. docs/diff.md has the "
        "details.",
    )
)
def diff(
    base: Annotated[
        str,
        typer.Option(
            "--base", "-b", help="The catalog before the change: a file or a git revision."
        ),
    ],
    catalog: Annotated[
        Path, typer.Option("--catalog", "-c", help="The catalog after the change.")
    ] = Path("catalog.yaml"),
    stack: Annotated[
        list[str] | None,
        typer.Option("--stack", "-s", help="A stack to compare (repeatable)."),
    ] = None,
    all_stacks: Annotated[
        bool, typer.Option("--all-stacks", help="Compare every environment of either catalog.")
    ] = False,
    pack: Annotated[
        str,
        typer.Option(
            "--pack",
            "-p",
            help="baseline, pci-dss-4, soc2, nist-800-53-r5, cis-aws-3, or a config JSON file.",
        ),
    ] = "baseline",
    format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.text,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the report to this file (same bytes as stdout)."),
    ] = None,
    approve: Annotated[
        list[str] | None,
        typer.Option(
            "--approve",
            help="Approve new access: ENVIRONMENT:SECRET:PRINCIPAL, globs allowed (repeatable).",
        ),
    ] = None,
    approvals: Annotated[
        list[Path] | None,
        typer.Option("--approvals", help="A file of approvals, one per line (repeatable)."),
    ] = None,
    approval_for: Annotated[
        str,
        typer.Option(
            "--approval-for",
            help="Lowest classification whose new readers need an approval, or 'none'.",
        ),
    ] = "restricted",
    fail_on: Annotated[
        list[str] | None,
        typer.Option(
            "--fail-on",
            help="What exits 1: new-findings, unapproved-access, unretired-removal, or none "
            "(repeatable; default new-findings and unapproved-access).",
        ),
    ] = None,
    link_base: Annotated[
        str | None,
        typer.Option(
            "--link-base",
            help="Markdown links: https://github.com/ORG/REPO/blob/SHA (default from "
            "GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA).",
        ),
    ] = None,
) -> None:
    """Compare the catalog with a base: per environment, the secrets added, removed and
    changed, access granted and revoked (principal -> secret, for AWS and Vault), trust
    changes, and findings new, fixed and pre-existing."""
    from seccat.catalog.loader import UnreadableCatalog, read_bytes
    from seccat.checking.packs import PackError, load_pack
    from seccat.diff.base import BaseError, repo_root, resolve_base
    from seccat.diff.compare import DiffUsageError, diff_catalogs
    from seccat.reports import diff_text
    from seccat.reports.links import Links
    from seccat.stacks.files import StackFileError

    if not stack and not all_stacks:
        raise fail("name the stacks to compare: --stack NAME (repeatable) or --all-stacks")
    if stack and all_stacks:
        raise fail("--stack and --all-stacks exclude each other")
    if approval_for != "none" and approval_for not in CLASSIFICATIONS:
        known = ", ".join([*CLASSIFICATIONS, "none"])
        raise fail(f"--approval-for {approval_for!r}: not a classification (one of {known})")
    failing = _fail_on(fail_on)
    try:
        selected = load_pack(pack)
    except PackError as exc:
        raise fail(str(exc)) from None
    try:
        head_raw = read_bytes(catalog)
    except UnreadableCatalog as exc:
        for diagnostic in exc.diagnostics:
            say(diagnostic.render())
        raise typer.Exit(EXIT_USAGE) from None
    try:
        base_catalog = resolve_base(base, catalog)
    except BaseError as exc:
        raise fail(str(exc)) from None
    given = _approvals(list(approve or []), list(approvals or []))
    try:
        result = diff_catalogs(
            base_catalog,
            str(catalog),
            head_raw,
            stacks=list(stack or []),
            all_stacks=all_stacks,
            pack=selected,
            today=dt.date.today().isoformat(),
            approvals=given,
            approval_for=None if approval_for == "none" else approval_for,
            fail_on=failing,
            config_for=_head_config,
            base_config_for=_base_config,
        )
    except DiffUsageError as exc:
        raise fail(str(exc)) from None
    except StackFileError as exc:
        for diagnostic in exc.diagnostics:
            say(diagnostic.render())
        raise typer.Exit(EXIT_USAGE) from None
    links = Links.from_environment(link_base, repo_root(catalog.resolve().parent))
    emit(_renderer(format, links)(result), out)
    if out is not None or format is not DiffFormat.text:
        say(diff_text.header(result)[1])
    raise typer.Exit(EXIT_FINDINGS if result.failed else EXIT_OK)


def _fail_on(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return DEFAULT_FAIL_ON
    chosen = [v.strip() for value in values for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in (*FAIL_ON, "none")]
    if unknown:
        raise fail(f"--fail-on {unknown[0]!r}: one of {', '.join(FAIL_ON)}, none")
    if "none" in chosen:
        if len(chosen) > 1:
            raise fail("--fail-on none cannot be combined with other values")
        return ()
    return tuple(dict.fromkeys(chosen))
