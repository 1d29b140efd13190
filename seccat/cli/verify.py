"""`seccat verify`: drift between the live environment and what the catalog generates."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_OK, app, examples
from seccat.cli.common import emit, fail
from seccat.cli.operations import (
    AllStacksOption,
    CatalogOption,
    EndpointOption,
    OutOption,
    ProfileOption,
    StackOption,
    open_session,
)
from seccat.cli.output import say


class VerifyFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    sarif = "sarif"


class Side(StrEnum):
    all = "all"
    aws = "aws"
    vault = "vault"


@app.command(
    epilog=examples(
        "seccat verify --stack prod",
        "seccat verify --all-stacks --format sarif --out drift.sarif",
        "seccat verify --stack dev --endpoint-url http://localhost:4566 --only aws",
        note="Needs read access to the environment (docs/operations.md#permissions): AWS "
        "credentials of the environment's account, VAULT_ADDR and a Vault token. Exit codes: "
        "0 no drift, 1 drift found, 2 usage error, unreadable input or no access.",
    )
)
def verify(
    stack: StackOption = None,
    all_stacks: AllStacksOption = False,
    catalog: CatalogOption = Path("catalog.yaml"),
    format: Annotated[
        VerifyFormat, typer.Option("--format", "-f", help="Output format.")
    ] = VerifyFormat.text,
    out: OutOption = None,
    only: Annotated[Side, typer.Option("--only", help="Check one side only.")] = Side.all,
    access_proof: Annotated[
        bool,
        typer.Option(
            "--access-proof/--no-access-proof",
            help="Prove each service token's Vault capabilities against the catalog matrix.",
        ),
    ] = True,
    endpoint_url: EndpointOption = None,
    profile: ProfileOption = None,
) -> None:
    """Compare the live AWS and Vault state of each environment with what the catalog
    generates (the documents, names and settings `pulumi up` would apply) and report every
    difference as a finding at the catalog line that decides it."""
    from seccat.cli.terminal import progress
    from seccat.operations.errors import OperationError
    from seccat.operations.verify import VerifyResult, has_aws, has_vault, verify_environment
    from seccat.reports.verify import RENDERERS, render_text

    session = open_session(catalog, stack, all_stacks, endpoint_url, profile)
    result = VerifyResult(str(catalog), list(session.environments))
    total = len(session.environments)
    with progress() as shown:
        for done, (targets, config) in enumerate(session.targets(shown), 1):
            try:
                aws = session.aws(targets) if has_aws(targets) and only != Side.vault else None
                vault = session.vault(config) if has_vault(targets) and only != Side.aws else None
                rec = verify_environment(targets, aws=aws, vault=vault, access_proof=access_proof)
            except OperationError as exc:
                raise fail(exc.message, exc.code) from None
            result.findings.extend(rec.findings)
            result.notes.extend(rec.notes)
            result.compared[targets.name] = rec.compared
            shown.count("verifying environments", done, total)
    emit(RENDERERS[format.value](result), out)
    if out is not None or format is not VerifyFormat.text:
        say(render_text(result).splitlines()[-1])
    raise typer.Exit(EXIT_FINDINGS if result.failed else EXIT_OK)
