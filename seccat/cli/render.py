"""`seccat render`: write every generated document to files for pull-request review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import app, console
from seccat.cli.common import fail, preview_or_exit
from seccat.cli.preview import CatalogOption, StackOption
from seccat.reports.documents import write_documents


@app.command(
    epilog=(
        "Examples:\n\n"
        "  seccat render --stack prod --out rendered/prod\n\n"
        "  git diff --no-index rendered/main rendered/pr"
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
    console(stderr=True).print(f"wrote {len(written)} files to {out}", markup=False)
