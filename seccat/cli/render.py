"""`seccat render`: write every generated document to files for pull-request review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import app, examples
from seccat.cli.common import fail, preview_or_exit
from seccat.cli.output import say
from seccat.cli.preview import CatalogOption, StackOption
from seccat.reports.documents import write_documents


@app.command(
    epilog=examples(
        "seccat render --stack prod --out rendered/prod",
        "git diff --no-index rendered/main rendered/pr",
    )
)
def render(
    stack: StackOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")],
    catalog: CatalogOption = Path("catalog.yaml"),
) -> None:
    """Write IAM JSON, Vault HCL, SQL and a resource inventory (inventory.json) as files."""
    _, result = preview_or_exit(catalog, stack)
    try:
        written = write_documents(result, out)
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}") from None
    say(f"wrote {len(written)} files to {out}")
