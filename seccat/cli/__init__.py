"""Command-line interface. Importing a command module registers it on `app`."""

from seccat.cli import check, preview, render, schema, validate  # noqa: F401 - registers the commands
from seccat.cli.app import app

__all__ = ["app"]
