"""`seccat up`: deploy every stack of the plan with Pulumi's Automation API.

For users who run the Pulumi CLI themselves (it must be installed: the Automation API drives
it; https://www.pulumi.com/docs/iac/download-install/). Environments go one after the other
in catalog order; in each, the platform (or only) stack first, then the team stacks, at most
``parallel`` at once. A failed stack stops the run before the next environment starts; the
other team stacks of its environment finish, so one team's failure never leaves another's
stack half way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from seccat.stacks.plan import CatalogPlan, StackSpec


class CliMissing(RuntimeError):
    """The Pulumi CLI is not on PATH (or too old for the Automation API)."""


@dataclass(frozen=True)
class UpOptions:
    work_dir: Path
    parallel: int = 4
    policy_packs: tuple[str, ...] = ()
    policy_pack_configs: tuple[str, ...] = ()
    refresh: bool = False
    #: Print each output line (prefixed with its stack).
    say: Callable[[str], None] = print


@dataclass
class UpReport:
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    #: Stacks never started because an earlier one failed.
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def waves(plan: CatalogPlan) -> Iterator[tuple[StackSpec, list[StackSpec]]]:
    """(platform stack, its team stacks) per environment, in catalog order."""
    for env in plan.environments:
        first = next(s for s in env.stacks if s.kind != "shard")
        yield first, [s for s in env.stacks if s.kind == "shard"]


def deploy(plan: CatalogPlan, options: UpOptions) -> UpReport:
    """`pulumi up` of every stack in ``plan``, in order (see the module docstring)."""
    command = _command()
    report = UpReport()
    lock = threading.Lock()
    remaining = [s.name for s in plan.stacks]

    def one(spec: StackSpec) -> None:
        try:
            _up(spec.name, command, options)
        except Exception as exc:  # the CLI's own message (CommandError carries stderr)
            with lock:
                report.failed[spec.name] = _reason(exc)
                remaining.remove(spec.name)
            return
        with lock:
            report.succeeded.append(spec.name)
            remaining.remove(spec.name)

    for first, shards in waves(plan):
        one(first)
        if first.name in report.failed:
            break
        with ThreadPoolExecutor(max_workers=max(1, options.parallel)) as pool:
            list(pool.map(one, shards))
        if report.failed:
            break
    report.skipped = remaining
    return report


def _command() -> object:
    from pulumi.automation import PulumiCommand

    try:
        return PulumiCommand()
    except (FileNotFoundError, OSError) as exc:
        raise CliMissing(
            "seccat up drives the Pulumi CLI, and there is none on PATH: install it "
            "(https://www.pulumi.com/docs/iac/download-install/) or deploy with the GitHub "
            "workflow or Pulumi Deployments (docs/stacks.md)"
        ) from exc
    except Exception as exc:  # a version the Automation API refuses
        raise CliMissing(f"the Pulumi CLI cannot be used: {exc}") from exc


def _up(name: str, command: object, options: UpOptions) -> None:
    from pulumi import automation as auto

    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(options.work_dir),
        pulumi_command=command,  # type: ignore[arg-type]
    )
    stack = auto.create_or_select_stack(name, work_dir=str(options.work_dir), opts=workspace)
    options.say(f"[{name}] pulumi up")
    stack.up(
        on_output=lambda line: options.say(f"[{name}] {line.rstrip()}"),
        policy_packs=list(options.policy_packs) or None,
        policy_pack_configs=list(options.policy_pack_configs) or None,
        refresh=options.refresh or None,
        color="never",
    )


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def summary(report: UpReport, order: Sequence[str]) -> list[str]:
    """One line per stack, in plan order."""
    lines = []
    for name in order:
        if name in report.succeeded:
            lines.append(f"{name}: updated")
        elif name in report.failed:
            lines.append(f"{name}: FAILED: {report.failed[name]}")
        elif name in report.skipped:
            lines.append(f"{name}: not started (an earlier stack failed)")
    return lines
