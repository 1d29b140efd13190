"""What the offline commands take from the project's stack file, checked.

`seccat preview`, `check` and `render` run the program as `pulumi up` would for a stack:
with the provider settings of `stacks/Pulumi.<stack>.yaml` (when the project in the working
directory has one), after comparing them with the catalog. Tests call this too, so an
in-process preview is the one the CLI shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Catalog
from seccat.stacks.consistency import KEYS, ProviderConfig, provider_config_problems
from seccat.stacks.files import find_project, read_stack_config, stack_file_path
from seccat.stacks.names import environment_of


@dataclass(frozen=True)
class StackCheck:
    """The stack file (None when there is none) and, if it agrees with the catalog, the
    config to hand the program; otherwise the problems."""

    file: str | None = None
    config: dict[str, object] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


def stack_check(catalog: Catalog, stack: str, cwd: Path | None = None) -> StackCheck:
    """Read and check the stack file of the project at or above ``cwd``.

    Raises ``StackFileError`` when `Pulumi.yaml` or the stack file cannot be read."""
    project = find_project(cwd or Path.cwd())
    if project is None:
        return StackCheck()
    path = stack_file_path(project, stack)
    if not path.is_file():
        return StackCheck()
    config = read_stack_config(path, "seccat")
    provider = ProviderConfig.from_values(config.file, config.values, config.positions)
    problems = provider_config_problems(catalog, environment_of(stack), provider, require=True)
    if problems:
        return StackCheck(file=config.file, problems=problems)
    values = {key: config.values[key] for key in KEYS if key in config.values}
    return StackCheck(file=config.file, config=values)
