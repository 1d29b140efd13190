"""Load a catalog file: read YAML, refuse values, check the schema and semantics, build the
model, then check that the names it generates are unique (seccat.catalog.collision_checks).

Every stage reports all of its problems; a later stage runs only when the earlier ones
leave it something meaningful to look at, and stays silent about places an earlier stage
already reported, so each mistake is named once.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import Any

from seccat.catalog.build import build_catalog
from seccat.catalog.collision_checks import collision_diagnostics
from seccat.catalog.diagnostics import CatalogError, Diagnostic, by_position
from seccat.catalog.model import Catalog
from seccat.catalog.schema import schema_problems
from seccat.catalog.semantics import semantic_diagnostics
from seccat.catalog.suggest import suggestion_budget
from seccat.catalog.values import value_diagnostics
from seccat.catalog.yamlsource import MAX_BYTES, RawPath, read_yaml
from seccat.collector import paused

#: Top-level sections that may be left empty (``services:`` with everything commented out).
_OPTIONAL_SECTIONS = ("services", "databases", "waivers")


class UnreadableCatalog(CatalogError):
    """The file could not be read at all (missing, a directory, no permission).

    Distinct from an invalid catalog because CI treats it as a usage error (exit 2).
    """


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """The validated catalog at ``path``; raises ``CatalogError`` carrying every problem."""
    catalog, diagnostics = check_catalog(path)
    if catalog is None or any(d.severity == "error" for d in diagnostics):
        raise CatalogError(diagnostics)
    return catalog


def check_catalog(path: str | os.PathLike[str]) -> tuple[Catalog | None, list[Diagnostic]]:
    """Validate the file at ``path``: the model (None when invalid) and every diagnostic.

    Raises ``UnreadableCatalog`` when the file cannot be read.
    """
    name = str(path)
    raw = read_bytes(path)
    return parse_catalog(raw, name)


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, reading no more than the size cap allows.

    Only a regular file is read. It is opened without blocking and checked with fstat on
    the open descriptor (no race between a check and the open), so a FIFO, a device such
    as /dev/zero, a directory or a socket is refused at once instead of hanging or
    streaming forever.
    """
    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unreadable(name, _reason(exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _unreadable(name, f"{_kind(mode)}, not a regular file")
        # a regular file never blocks; clear O_NONBLOCK anyway so reads behave plainly
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        left = MAX_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(name, _reason(exc)) from None
    finally:
        os.close(fd)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENXIO:  # open() of a Unix socket
        return "a socket, not a regular file"
    return {
        FileNotFoundError: "no such file",
        IsADirectoryError: "a directory, not a regular file",
        PermissionError: "permission denied",
    }.get(type(exc), exc.strerror or str(exc))


def _kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _unreadable(name: str, reason: str) -> UnreadableCatalog:
    return UnreadableCatalog(
        [Diagnostic(name, 1, 1, "", f"cannot read the catalog: {reason}", "READ")]
    )


def parse_catalog(
    raw: bytes | str, source: str = "catalog.yaml"
) -> tuple[Catalog | None, list[Diagnostic]]:
    """Validate catalog text: the model (None when invalid) and every diagnostic, sorted."""
    # acyclic trees only: the collector would rescan them for nothing (seccat.collector)
    with paused(), suggestion_budget():
        return _parse(raw, source)


def _parse(raw: bytes | str, source: str) -> tuple[Catalog | None, list[Diagnostic]]:
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    src = read_yaml(raw, source)
    diagnostics = list(src.diagnostics)
    if src.fatal:
        return None, by_position(diagnostics)

    data = src.data
    value_problems, flagged = value_diagnostics(data, src)
    diagnostics += value_problems
    quiet = flagged | src.refused

    def silenced(path: RawPath) -> bool:
        return bool(quiet) and any(path[:i] in quiet for i in range(len(path) + 1))

    schema_found = schema_problems(data, src, silenced)
    diagnostics += [d for _, d in schema_found]
    if isinstance(data, dict):
        # Semantic checks still run beside schema errors, on every entity that is itself
        # schema-valid, so one run names every problem.
        broken = {path[:2] for path, _ in schema_found} | {path[:2] for path in quiet}
        diagnostics += semantic_diagnostics(_normalised(data), src, silenced, broken)
    if schema_found or any(d.severity == "error" for d in diagnostics):
        return None, by_position(diagnostics)
    catalog = build_catalog(_normalised(data), src.positions(), source=source)
    # Post-build stage: generated names (URNs, IAM roles, Vault paths...) need the model.
    collided = collision_diagnostics(catalog)
    if collided:
        return None, by_position(diagnostics + collided)
    return catalog, by_position(diagnostics)


def _normalised(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not (k in _OPTIONAL_SECTIONS and v is None)}
