"""Find and read a project's stack files, with the position of every value.

The one place that knows where Pulumi keeps stack configuration: the project is the nearest
directory holding `Pulumi.yaml` (as the Pulumi CLI finds it), its `stackConfigDir` holds
`Pulumi.<stack>.yaml`. Read with the catalog's hardened YAML reader, so a broken stack file
is a located diagnostic, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seccat.catalog.diagnostics import CatalogError, Diagnostic
from seccat.catalog.loader import read_bytes
from seccat.catalog.model import Position
from seccat.catalog.yamlsource import read_yaml

PROJECT_FILE = "Pulumi.yaml"


class StackFileError(CatalogError):
    """A project or stack file that cannot be read or is not a YAML mapping."""


@dataclass(frozen=True)
class StackConfig:
    """The `config:` of one stack file: fully qualified keys (`aws:region`) to values."""

    file: str
    values: Mapping[str, Any] = field(default_factory=dict)
    positions: Mapping[str, Position] = field(default_factory=dict, compare=False)

    def position(self, key: str) -> Position:
        """Where the value of ``key`` was written (the file's start when it was not)."""
        return self.positions.get(key, Position(1, 1))


def find_project(start: Path) -> Path | None:
    """The nearest directory at or above ``start`` that holds a `Pulumi.yaml`."""
    for directory in (start, *start.parents):
        if (directory / PROJECT_FILE).is_file():
            return directory
    return None


def stack_file_path(project: Path, stack: str) -> Path:
    """`<project>/<stackConfigDir>/Pulumi.<stack>.yaml`; `stackConfigDir` defaults to the
    project directory, as in Pulumi."""
    data = _mapping(project / PROJECT_FILE).data
    config_dir = data.get("stackConfigDir") if isinstance(data, dict) else None
    base = project / config_dir if isinstance(config_dir, str) and config_dir else project
    return base / f"Pulumi.{stack}.yaml"


def read_stack_config(path: Path, project: str | None = None) -> StackConfig:
    """The stack file's config. Keys without a namespace belong to ``project`` (Pulumi's
    rule), so `catalog: x.yaml` in project seccat is `seccat:catalog`."""
    src = _mapping(path)
    config = src.data.get("config") if isinstance(src.data, dict) else None
    if config is None:
        return StackConfig(file=src.file)
    if not isinstance(config, dict):
        pos = src.value_position(("config",))
        raise StackFileError(
            [Diagnostic(src.file, pos.line, pos.column, "config", "must be a mapping", "STACK")]
        )
    values: dict[str, Any] = {}
    positions: dict[str, Position] = {}
    for key, value in config.items():
        name = key if ":" in key or project is None else f"{project}:{key}"
        values[name] = value
        positions[name] = src.value_position(("config", key))
    return StackConfig(file=src.file, values=values, positions=positions)


def display(path: Path) -> str:
    """``path`` as users name it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:  # another drive
        return str(path)


def _inside_cwd(path: Path) -> bool:
    return path.resolve().is_relative_to(Path.cwd().resolve())


def _mapping(path: Path) -> Any:
    name = display(path)
    try:
        raw = read_bytes(path)
    except CatalogError as exc:  # missing, a directory, no permission
        reason = exc.diagnostics[0].message.replace("cannot read the catalog", "cannot read")
        raise StackFileError([Diagnostic(name, 1, 1, "", reason, "STACK")]) from None
    src = read_yaml(raw, name)
    if src.diagnostics:
        raise StackFileError(src.diagnostics)
    if src.data is not None and not isinstance(src.data, dict):
        raise StackFileError([Diagnostic(name, 1, 1, "", "must be a YAML mapping", "STACK")])
    if src.data is None:
        src.data = {}
    return src
