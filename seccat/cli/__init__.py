"""Command-line interface. Importing a command module registers it on `app`.

``app`` (seccat.cli.app's Typer object) is made on first use, with every command module
imported: a module of this package (``seccat.cli.entry``, ``seccat.cli.output``) can then
be imported without the command-line framework and every command (seccat.cli.entry).
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seccat.cli.app import app

__all__ = ["app"]


def _app() -> Any:
    from seccat.cli import (  # noqa: F401 - registers the commands
        check,
        diff,
        events,
        precommit,
        preview,
        render,
        rollback,
        rotate,
        rules,
        schema,
        stacks,
        status,
        up,
        validate,
        verify,
    )
    from seccat.cli.app import app

    return app


class _Package(types.ModuleType):
    """``seccat.cli.app`` is the Typer object, as when this package imported every command
    itself: importing the submodule of that name does not rebind it."""

    @property
    def app(self) -> Any:
        return _app()

    @app.setter
    def app(self, module: Any) -> None:
        pass  # the import system binding the submodule seccat.cli.app


sys.modules[__name__].__class__ = _Package
