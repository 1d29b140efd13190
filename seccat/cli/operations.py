"""What the operations commands (verify, status, rotate, rollback) share on the command line:
the environment options, the offline preview of each environment, and the connections.

Heavy modules (boto3, hvac, the Pulumi engine) are imported inside the functions, so
`seccat --help` loads none of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from seccat.cli.common import Stop, fail, load_or_exit, require_stack, stack_config_or_stop

if TYPE_CHECKING:
    from seccat.catalog.model import Catalog
    from seccat.cli.terminal import Progress
    from seccat.operations.clients import AwsConnection, VaultConnection
    from seccat.operations.targets import EnvironmentTargets


class ReportFormat(StrEnum):
    """What verify's siblings (status, rotate, rollback) write: one set, so they stay alike."""

    text = "text"
    json = "json"
    markdown = "markdown"


StackOption = Annotated[
    str | None, typer.Option("--stack", "-s", help="Stack name = catalog environment.")
]
AllStacksOption = Annotated[
    bool, typer.Option("--all-stacks", help="Every environment of the catalog, in order.")
]
CatalogOption = Annotated[Path, typer.Option("--catalog", "-c", help="Catalog file.")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Write the report to this file (same bytes as stdout)."),
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint-url",
        help="AWS endpoint (LocalStack, moto, a VPC endpoint); AWS_ENDPOINT_URL works too.",
    ),
]
ProfileOption = Annotated[
    list[str] | None,
    typer.Option(
        "--profile",
        metavar="[ENV=]PROFILE",
        help="AWS profile of the shared config files; ENV=PROFILE for one environment "
        "(repeat it, e.g. with --all-stacks over several accounts).",
    ),
]


@dataclass
class Session:
    """One command run: the catalog, and connections made once and reused per environment."""

    catalog_path: Path
    catalog: Catalog
    environments: list[str]
    endpoint_url: str | None = None
    #: Profile per environment ("" for every environment not named).
    profiles: dict[str, str] = field(default_factory=dict)
    _vault: VaultConnection | None = field(default=None, repr=False)

    def targets(
        self, shown: Progress | None = None
    ) -> Iterator[tuple[EnvironmentTargets, dict[str, Any]]]:
        """Each environment's targets (its offline preview indexed) and stack config; a
        live ``shown`` counts the resources each preview registers."""
        from seccat.engine.preview import ProgramError, run_preview
        from seccat.operations.targets import build_targets

        for env in self.environments:
            try:
                require_stack(self.catalog, env)
                config = stack_config_or_stop(self.catalog, env)
            except Stop as stop:
                raise stop.exit() from None
            try:
                preview = run_preview(
                    self.catalog,
                    env,
                    self.catalog_path,
                    stack_config=config,
                    progress=shown.registered if shown is not None and shown.live else None,
                )
            except ProgramError as exc:
                raise fail(str(exc)) from None
            yield build_targets(self.catalog, env, preview), config

    def aws(self, targets: EnvironmentTargets) -> AwsConnection:
        from seccat.operations.clients import connect_aws

        profile = self.profiles.get(targets.name) or self.profiles.get("") or None
        return connect_aws(targets.environment, endpoint_url=self.endpoint_url, profile=profile)

    def vault(self, config: dict[str, Any]) -> VaultConnection:
        from seccat.operations.clients import connect_vault

        if self._vault is None:
            address = config.get("vault:address")
            self._vault = connect_vault(address if isinstance(address, str) else None)
        return self._vault


def open_session(
    catalog_path: Path,
    stack: str | None,
    all_stacks: bool,
    endpoint_url: str | None = None,
    profile: list[str] | None = None,
) -> Session:
    from seccat.operations.errors import OperationError
    from seccat.operations.targets import select_environments

    catalog = load_or_exit(catalog_path)
    if stack:
        try:
            require_stack(catalog, stack)  # with its "did you mean"
        except Stop as stop:
            raise stop.exit() from None
    try:
        envs = select_environments(catalog, stack, all_stacks)
    except OperationError as exc:
        raise fail(exc.message, exc.code) from None
    profiles: dict[str, str] = {}
    for entry in profile or []:
        env, sep, name = entry.partition("=")
        if not sep:
            env, name = "", entry
        if env and env not in catalog.environments:
            raise fail(f"--profile {entry}: {env} names no environment in {catalog.source}")
        profiles[env] = name
    return Session(catalog_path, catalog, envs, endpoint_url, profiles)
