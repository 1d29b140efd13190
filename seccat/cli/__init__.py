"""Command-line interface. Importing a command module registers it on `app`."""

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

__all__ = ["app"]
