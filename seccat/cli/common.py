"""What every command that needs a catalog and a stack does first, with one behaviour:
invalid catalog or a stack file that disagrees with it -> diagnostics and exit 1;
unreadable file or unknown stack -> exit 2.

Each stage raises ``Stop`` with located diagnostics and the exit code, so `seccat check`
can still write its report (the problems become its results) while `preview` and `render`
print them and exit. Heavy modules (the catalog reader, the Pulumi engine) are imported
inside the functions: `seccat --help` loads none of them.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from seccat.cli.app import EXIT_FINDINGS, EXIT_USAGE
from seccat.cli.output import (
    encode,
    say,
    shown_path,
    write_file_pieces,
    write_stdout_pieces,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from seccat.catalog.diagnostics import Diagnostic
    from seccat.catalog.model import Catalog
    from seccat.engine.preview import Preview
    from seccat.engine.recording import RecordedResource


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """One error line (escaped and capped: it may quote a path or value a user typed)."""
    from seccat.catalog.untrusted import MAX_MESSAGE, safe_field

    say(f"seccat: error: {safe_field(message, MAX_MESSAGE)}")
    return typer.Exit(code)


class Stop(Exception):
    """A command cannot go on: why (``the catalog is invalid``), the exit code, the located
    problems, and what stderr says about them."""

    def __init__(
        self,
        reason: str,
        code: int,
        diagnostics: list[Diagnostic],
        *,
        message: str | None = None,
        summary: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.diagnostics = diagnostics
        #: One ``seccat: error:`` line instead of the diagnostics (a missing file).
        self.message = message
        #: A line after the diagnostics (``catalog.yaml: 3 problem(s); ...``).
        self.summary = summary

    def tell(self) -> None:
        """The problems on stderr, as every command prints them."""
        if self.message is not None:
            say(f"seccat: error: {self.message}")
            return
        from seccat.catalog.diagnostics import limited

        # the first DEFAULT_LIMIT problems and a LIMIT line counting the rest
        for diagnostic in limited(self.diagnostics):
            say(diagnostic.render())
        if self.summary:
            say(self.summary)

    def exit(self) -> typer.Exit:
        self.tell()
        return typer.Exit(self.code)


def load_or_stop(path: Path) -> Catalog:
    """The validated catalog; ``Stop`` with a READ diagnostic (exit 2) when the file cannot
    be read, with every problem (exit 1) when it is invalid."""
    from seccat.catalog.diagnostics import CatalogError, Diagnostic
    from seccat.catalog.loader import load_catalog

    def unreadable(reason: str) -> Stop:
        read = Diagnostic(str(path), 1, 1, "", f"cannot read the catalog: {reason}", "READ")
        return Stop("the catalog cannot be read", EXIT_USAGE, [read], message=f"{path}: {reason}")

    # a missing file, a directory, a FIFO or a device: the loader's located READ error
    try:
        return load_catalog(path)
    except CatalogError as exc:
        if any(d.code in _UNREADABLE_CODES for d in exc.diagnostics):
            raise Stop("the catalog cannot be read", EXIT_USAGE, exc.diagnostics) from None
        raise Stop(
            "the catalog is invalid",
            EXIT_FINDINGS,
            exc.diagnostics,
            summary=f"{shown_path(path)}: {len(exc.diagnostics)} problem(s); the catalog is "
            "invalid",
        ) from None
    except OSError as exc:
        raise unreadable(exc.strerror or str(exc)) from None


def load_or_exit(path: Path) -> Catalog:
    try:
        return load_or_stop(path)
    except Stop as stop:
        raise stop.exit() from None


def preview_or_stop(
    path: Path,
    stack: str,
    progress: Callable[[int], None] | None = None,
    jobs: int | None = None,
) -> tuple[Catalog, Preview]:
    """Load the catalog, check the stack, and run the program offline; each failure is a
    ``Stop`` with the CLI's exit code. ``progress`` hears of every registered resource.

    ``jobs``: worker processes for a big single stack (seccat.stacks.partition; None: the
    CPUs above its threshold, 1: this process). The preview is the same either way."""
    from seccat.engine.preview import ProgramError, run_preview
    from seccat.stacks.partition import PartsDisagree, preview_in_parts

    catalog = load_or_stop(path)
    require_stack(catalog, stack)
    stack_config = stack_config_or_stop(catalog, stack)
    show_progress = progress is None and len(catalog.secrets) >= 500
    try:
        preview = preview_in_parts(
            catalog,
            stack,
            str(path),
            stack_config=stack_config,
            jobs=jobs,
            progress=progress,
            say=say,
        ) or run_preview(
            catalog,
            stack,
            path,
            show_progress=show_progress,
            stack_config=stack_config,
            progress=progress,
        )
    except PartsDisagree as exc:  # a seccat defect: say so, never a wrong preview
        raise fail(f"internal error: {exc} (--jobs 1 runs it in one process)") from None
    except ProgramError as exc:
        from seccat.catalog.diagnostics import Diagnostic

        problem = Diagnostic(str(path), 1, 1, "", str(exc), "PROGRAM")
        raise Stop(
            "the program refused the catalog", EXIT_USAGE, [problem], message=str(exc)
        ) from None
    return catalog, preview


def platform_context(catalog: Catalog, path: Path, stack: str) -> list[RecordedResource]:
    """For a team stack, its platform stack's resources (the stack rules' context: the
    rotation-failure rule, the Vault audit device); nothing for any other stack."""
    from seccat.stacks.plan import environment_of, stack_spec

    try:
        spec = stack_spec(catalog, stack)
    except (KeyError, ValueError):
        return []
    if spec.kind != "shard":
        return []
    _, platform = preview_or_stop(path, environment_of(stack))
    return platform.resources


def preview_or_exit(path: Path, stack: str, jobs: int | None = None) -> tuple[Catalog, Preview]:
    """``preview_or_stop`` with a live count on a terminal; a Stop prints and exits."""
    from seccat.cli.terminal import progress

    try:
        with progress() as shown:
            return preview_or_stop(path, stack, shown.registered if shown.live else None, jobs)
    except Stop as stop:
        raise stop.exit() from None


def stack_config_or_stop(catalog: Catalog, stack: str) -> dict[str, object]:
    """The provider settings of the project's `Pulumi.<stack>.yaml`, checked against the
    catalog as `pulumi up` checks them: a disagreement is exit 1 with located diagnostics,
    an unreadable stack file exit 2. No project or no stack file: nothing to check."""
    from seccat.stacks.files import StackFileError
    from seccat.stacks.offline import stack_check

    try:
        checked = stack_check(catalog, stack)
    except StackFileError as exc:
        raise Stop("the stack file cannot be read", EXIT_USAGE, exc.diagnostics) from None
    if checked.problems:
        raise Stop(
            "the stack file disagrees with the catalog",
            EXIT_FINDINGS,
            checked.problems,
            summary=(
                f"{checked.file}: {len(checked.problems)} problem(s); the stack file disagrees "
                f"with {catalog.source}"
            ),
        )
    return checked.config


def require_stack(catalog: Catalog, stack: str) -> None:
    """``Stop`` (exit 2) unless ``stack`` names an environment, with the closest one."""
    import difflib

    from seccat.catalog.diagnostics import Diagnostic
    from seccat.catalog.untrusted import quoted

    if stack in catalog.environments:
        return
    from seccat.stacks.plan import PlanError, environment_of, plan_environment

    if environment_of(stack) in catalog.environments:
        try:
            plan = plan_environment(catalog, environment_of(stack))
        except PlanError:
            plan = None
        if plan is not None and stack in {s.name for s in plan.stacks}:
            return
        if plan is not None:
            known = ", ".join(s.name for s in plan.stacks)
            problem = Diagnostic(
                catalog.source,
                1,
                1,
                "stacks",
                f"stack {quoted(stack)} is not a stack of environment "
                f"{quoted(environment_of(stack))} (its stacks: {known})",
                "STACK",
            )
            raise Stop(
                "the stack names no environment",
                EXIT_USAGE,
                [problem],
                message=problem.message + "; `seccat stacks` plans them",
            )
    names = sorted(catalog.environments)
    known = ", ".join(names) or "none"
    close = difflib.get_close_matches(stack, names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = catalog.position(("environments",))
    problem = Diagnostic(
        catalog.source,
        where.line,
        where.column,
        "environments",
        f"stack {quoted(stack)} names no environment{hint} (known: {known})",
        "STACK",
    )
    raise Stop(
        "the stack names no environment",
        EXIT_USAGE,
        [problem],
        message=f"stack {quoted(stack)} names no environment in {catalog.source}{hint} "
        f"(known: {known})",
    )


#: Diagnostic codes that mean the file could not be read at all (exit 2, not 1).
_UNREADABLE_CODES = frozenset({"READ", "IO"})


def emit(report: str | bytes, out: Path | None) -> None:
    """A rendered report to ``out``, or to stdout when there is none: the same bytes."""
    emit_pieces((encode(report),), out)


def emit_pieces(pieces: Iterable[bytes], out: Path | None) -> None:
    """A report made in pieces (the preview JSON), written as they come to ``out`` or stdout.

    A write that fails is one located error line and exit 2 (``--out``'s name, or
    ``stdout``); a partial ``--out`` file is not left behind (seccat.cli.output). A pipe
    closed by its reader (``| head``) is the quiet exit 1 of every command (click's).
    """
    if out is None:
        try:
            write_stdout_pieces(pieces)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise
            raise fail(f"stdout: {exc.strerror or exc}") from None
        return
    try:
        write_file_pieces(out, pieces)
    except OSError as exc:
        raise fail(f"{out}: {exc.strerror or exc}") from None
