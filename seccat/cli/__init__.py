"""Command-line interface. Importing a command module registers it on `app`."""

from seccat.cli.app import app

__all__ = ["app"]
