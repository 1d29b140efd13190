"""`seccat render`: write every generated document to files for pull-request review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import app, examples
from seccat.cli.common import fail, preview_or_exit
from seccat.cli.output import say
from seccat.cli.preview import AllStacksOption, CatalogOption, JobsOption, StackOption, one_stack


@app.command(
    epilog=examples(
        "seccat render --stack prod --out rendered/prod",
        "seccat render --stack prod --out rendered/prod --clean",
        "git diff --no-index rendered/main rendered/pr",
        "seccat render --all-stacks --out rendered",
        note="The folder must be new or empty, so no stale document survives a render. "
        "--clean first removes exactly the files an earlier render listed in the folder's "
        ".seccat-render.json manifest; files seccat did not write are never touched. "
        "runbooks/ holds one Markdown runbook per secret (and per shared function); every "
        "alarm's description links to it (runbooks.url in the catalog makes the link a URL, "
        "docs/runbooks.md).",
    )
)
def render(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    stack: StackOption = None,
    catalog: CatalogOption = Path("catalog.yaml"),
    clean: Annotated[
        bool,
        typer.Option(
            "--clean",
            help="Replace the files an earlier seccat render wrote into the folder "
            "(and only those).",
        ),
    ] = False,
    all_stacks: AllStacksOption = False,
    jobs: JobsOption = None,
) -> None:
    """Write IAM JSON, Vault HCL, SQL, a resource inventory (inventory.json) and a runbook
    per secret (runbooks/) as files.

    With --all-stacks, each stack's files go to OUT/<stack>/."""
    name = one_stack(stack, all_stacks)
    if name is None:
        from seccat.cli.all_stacks import render_all

        render_all(catalog, out, clean, jobs)
        return
    from seccat.reports.documents import Document, write_documents
    from seccat.reports.render_folder import FolderError
    from seccat.reports.runbooks import runbooks

    model, result = preview_or_exit(catalog, name, jobs)
    pages = [Document(p.path, p.content) for p in runbooks(model, name, result)]
    try:
        written = write_documents(result, out, clean=clean, extra=pages)
    except FolderError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}") from None
    say(f"wrote {len(written)} files to {out}")
