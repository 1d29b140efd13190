"""The one `seccat` entry point; every subcommand module registers itself on `app`."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

#: Exit codes are part of the CLI contract that CI scripts rely on.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="seccat",
    help=(
        "Secrets catalog -> Pulumi infrastructure, with rotation, least privilege and "
        "policy-as-code.\n\n"
        "Exit codes: 0 ok, 1 findings (invalid catalog or mandatory violations), "
        "2 usage error or unreadable input."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich" if not os.environ.get("NO_COLOR") else None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def console(stderr: bool = False) -> Console:
    """A console that respects NO_COLOR and never wraps machine-readable output."""
    return Console(
        file=sys.stderr if stderr else sys.stdout,
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        soft_wrap=True,
    )
