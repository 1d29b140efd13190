"""The one `seccat` entry point; every subcommand module registers itself on `app`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from seccat.cli.exits import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from seccat.collector import skip_final_collection

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "app",
    "examples",
    "skip_final_collection",
]


#: seccat.engine.preview's ENGINES, named here without importing the engine (fast --help);
#: a test keeps the two equal.
ENGINES = ("plan", "sdk")

app = typer.Typer(
    name="seccat",
    help=(
        "Secrets catalog -> Pulumi infrastructure, with rotation, least privilege and "
        "policy-as-code.\n\n"
        "Exit codes: 0 ok, 1 findings (invalid catalog or mandatory violations), "
        "2 usage error or unreadable input."
    ),
    no_args_is_help=True,
    # --install-completion / --show-completion: typer's own, for bash, zsh, fish, PowerShell
    add_completion=True,
    pretty_exceptions_enable=False,
    # Help is click's plain text: rich markup mode would eat "[secret]" and turn ":name:"
    # into emoji, and help texts quote exactly such strings.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def examples(*commands: str, note: str = "") -> str:
    """A help epilog: the example commands kept verbatim (click's ``\\b`` stops rewrapping, so
    a long command stays one line to copy), then an optional paragraph."""
    block = "Examples:\n\n\b\n" + "\n".join(f"  {c}" for c in commands)
    return f"{block}\n\n{note}" if note else block


def _print_version(value: bool) -> None:
    if value:
        from seccat import version
        from seccat.cli.output import write_stdout

        write_stdout(f"seccat {version()}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Print seccat's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Secrets catalog -> Pulumi infrastructure, with rotation, least privilege and
    policy-as-code."""
    skip_final_collection()
    engine = os.environ.get("SECCAT_ENGINE", "plan")
    if engine not in ENGINES:
        # a usage error of the whole run, before any command blames a catalog line for it
        from seccat.cli.common import fail

        raise fail(f"SECCAT_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
