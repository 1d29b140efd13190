"""The `seccat` program: the command line, with one shortcut.

``seccat validate`` and ``seccat validate CATALOG`` (a pre-commit hook and CI run them on
every change) are run here directly: the command-line framework and every command module
cost about a tenth of a second to import, and the framework builds a Pydantic adapter per
option, before any of the catalog is read. Anything else, an option, a second argument, an
argument that starts with '-', shell completion, a bad SECCAT_ENGINE or a file the user
may not read, goes to the framework (seccat.cli.app) as before, which runs the very same validation
(seccat.cli.validating) and prints the same bytes. tests/cli/test_entry.py compares the two
on the repository's catalogs, good, bad and unreadable.
"""

from __future__ import annotations

import errno
import os
import sys

#: seccat.cli.app's ENGINES (a test keeps them equal).
_ENGINES = ("plan", "sdk")


def main(prog_name: str | None = None) -> None:
    args = sys.argv[1:]
    if plain_validate(args):
        sys.exit(_validate(args[1] if len(args) > 1 else "catalog.yaml"))
    from seccat.cli import app

    app(prog_name=prog_name)


def plain_validate(args: list[str]) -> bool:
    """Whether ``args`` are ``validate`` and at most a catalog path, in an environment where
    the framework would run exactly the command: no completion request, no bad engine."""
    return (
        len(args) in (1, 2)
        and args[0] == "validate"
        and all(arg and not arg.startswith("-") for arg in args[1:])
        and os.environ.get("SECCAT_ENGINE", "plan") in _ENGINES
        and "_SECCAT_COMPLETE" not in os.environ
        and _readable_or_absent(args[1] if len(args) > 1 else "catalog.yaml")
    )


def _readable_or_absent(path: str) -> bool:
    """The framework refuses an existing file this user may not read with its own message
    (the argument's ``readable`` check); leave that case to it."""
    try:
        os.stat(path)
    except (OSError, ValueError):
        return True
    return os.access(path, os.R_OK)


def _validate(catalog: str) -> int:
    """The command and its callback as the framework runs them, with its handling of a
    closed pipe and an interrupt."""
    from pathlib import Path

    from seccat.catalog.diagnostics import DEFAULT_LIMIT
    from seccat.cli.validating import ValidateFormat, run_validate
    from seccat.collector import skip_final_collection

    skip_final_collection()
    try:
        return run_validate(Path(catalog), ValidateFormat.text, DEFAULT_LIMIT)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        sys.stderr.write("\nAborted!\n")
        return 1
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = _Silent(sys.stdout)  # type: ignore[assignment]
        sys.stderr = _Silent(sys.stderr)  # type: ignore[assignment]
        return 1


class _Silent:
    """A stream whose flush ignores a closed pipe (click's PacifyFlushWrapper)."""

    def __init__(self, wrapped: object) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()  # type: ignore[attr-defined]
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)
