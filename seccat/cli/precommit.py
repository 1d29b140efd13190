"""`seccat pre-commit`: what the hooks of .pre-commit-hooks.yaml run on the catalogs a
commit changes (pre-commit passes their names): validate each, or check each in every one
of its environments."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, app, examples
from seccat.cli.common import fail
from seccat.cli.output import say, write_stdout


class Hook(StrEnum):
    validate = "validate"
    check = "check"


@app.command(
    name="pre-commit",
    epilog=examples(
        "seccat pre-commit validate catalog.yaml",
        "seccat pre-commit check --pack pci-dss-4 catalog.yaml",
        note="Used by the hooks in .pre-commit-hooks.yaml (docs/ci.md). Exit codes: 0 every "
        "catalog passed, 1 one is invalid or has a mandatory violation, 2 usage error or an "
        "unreadable file.",
    ),
)
def pre_commit(
    hook: Annotated[Hook, typer.Argument(help="validate or check.")],
    catalogs: Annotated[list[Path], typer.Argument(help="Catalog files (pre-commit passes them).")],
    pack: Annotated[
        str, typer.Option("--pack", "-p", help="Pack for check (as for seccat check).")
    ] = "baseline",
) -> None:
    """Validate, or check in every environment, each catalog given."""
    from seccat.catalog.loader import UnreadableCatalog, check_catalog
    from seccat.checking.packs import PackError, load_pack
    from seccat.checking.runner import check as run_check
    from seccat.engine.preview import ProgramError, run_preview
    from seccat.reports import text
    from seccat.stacks.files import StackFileError
    from seccat.stacks.offline import stack_check

    try:
        selected = load_pack(pack)
    except PackError as exc:
        raise fail(str(exc)) from None
    worst = EXIT_OK
    for path in catalogs:
        try:
            model, diagnostics = check_catalog(path)
        except UnreadableCatalog as exc:
            for d in exc.diagnostics:
                say(d.render())
            worst = EXIT_USAGE
            continue
        for d in diagnostics:
            say(d.render())
        if model is None or any(d.severity == "error" for d in diagnostics):
            say(f"{path}: the catalog is invalid")
            worst = max(worst, EXIT_FINDINGS)
            continue
        if hook is Hook.validate:
            continue
        for env in model.environments:
            try:
                checked = stack_check(model, env)
            except StackFileError as exc:
                for d in exc.diagnostics:
                    say(d.render())
                worst = EXIT_USAGE
                continue
            if checked.problems:
                for d in checked.problems:
                    say(d.render())
                worst = max(worst, EXIT_FINDINGS)
                continue
            try:
                preview = run_preview(model, env, path, stack_config=checked.config)
            except ProgramError as exc:
                say(f"{path}: {env}: {exc}")
                worst = max(worst, EXIT_FINDINGS)
                continue
            result = run_check(model, preview, selected)
            shown = [f for f in result.findings if not f.waived]
            result.findings = shown
            write_stdout(text.render(result))
            if result.failed:
                worst = max(worst, EXIT_FINDINGS)
    raise typer.Exit(worst)
