"""Run many stacks offline at once: worker processes bounded by the CPU count, results
streamed back in plan order, memory bounded by the largest stack.

Each stack runs in a fresh worker process: the Pulumi SDK keeps
per-process state, and a process that exits hands all of a stack's memory back, so the peak
is the parent (the catalog and the findings) plus at most ``workers`` stacks at a time. On
Linux the workers are forked from a parent that has already loaded the catalog, so no worker
parses it again.

Platform stacks (and single stacks) run first: a team stack's check needs its platform's
resources as context for the stack rules (seccat.checking.runner.evaluate_resources).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Literal

from seccat.catalog.model import Catalog
from seccat.engine.recording import RecordedResource
from seccat.stacks.plan import StackSpec, environment_of

Job = Literal["preview", "check", "render", "part"]
#: How an outcome's error starts when its worker process died (a signal, out of memory).
DIED = "the worker process died"

#: What the program imports on first use (the providers' SDKs load each service's
#: resources lazily, the runbooks their templates): about 0.4 s that every worker would
#: pay again (tests/stacks/test_partition.py keeps the list complete).
LAZY_MODULES = (
    *(
        f"pulumi_aws.{m}"
        for m in (
            "cfg",
            "cloudwatch",
            "iam",
            "kms",
            "lambda_",
            "scheduler",
            "secretsmanager",
            "sns",
        )
    ),
    *(f"pulumi_vault.{m}" for m in ("aws", "database", "generic", "kubernetes", "kv")),
    "jinja2",
)

#: The catalog the parent loaded, inherited by forked workers.
_CATALOG: Catalog | None = None


@dataclass(frozen=True)
class Task:
    """One stack's offline run, as a worker receives it (picklable)."""

    job: Job
    stack: str
    catalog_path: str
    stack_config: dict[str, object] = field(default_factory=dict)
    #: preview: the format to render (text, json, markdown)
    format: str = "text"
    #: check: the pack (a name or a config file) and the day waivers are judged on
    pack: str = "baseline"
    today: str = ""
    #: check: the platform stack's resources when this is a team stack
    context: tuple[RecordedResource, ...] = ()
    #: check: send back every rule x subject evaluation (JUnit lists them), not only findings
    evaluations: bool = True
    #: render: the folder this stack's documents go to, and whether to replace a render
    out: str = ""
    clean: bool = False
    #: part: the part of a single stack to preview (seccat.stacks.partition)
    part: StackSpec | None = None


@dataclass
class Outcome:
    """What a worker sends back: small, never a whole preview (a platform check's resources
    aside, which its team stacks need)."""

    stack: str
    resources: int = 0
    #: preview: the rendered report; render: files written
    text: str = ""
    files: int = 0
    #: check: findings before waivers, evaluations, platform resources for team stacks
    findings: list[Any] = field(default_factory=list)
    evaluations: list[Any] = field(default_factory=list)
    context: tuple[RecordedResource, ...] = ()
    #: part: the part's resources, as the whole stack's preview has them
    recorded: tuple[RecordedResource, ...] = ()
    #: A refusal (ProgramError, an unwritable folder): the message
    error: str | None = None


def workers_for(count: int) -> int:
    """Worker processes: the CPUs this process may use, never more than the stacks."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, count))


def _catalog(task: Task) -> Catalog:
    global _CATALOG
    if _CATALOG is None:  # a spawned worker (no fork): read it again
        from seccat.catalog.loader import load_catalog

        _CATALOG = load_catalog(Path(task.catalog_path))
    return _CATALOG


def run_task(task: Task) -> Outcome:
    """One stack, in a worker (or in-process with one worker)."""
    from seccat.engine.preview import ProgramError, run_preview

    catalog = _catalog(task)
    try:
        preview = run_preview(
            catalog, task.stack, task.catalog_path, stack_config=task.stack_config, part=task.part
        )
    except ProgramError as exc:
        return Outcome(task.stack, error=str(exc))
    count = len(preview.resources)
    if task.job == "part":
        return Outcome(task.stack, count, recorded=tuple(preview.resources))
    if task.job == "preview":
        from seccat.cli.preview import PreviewFormat, renderer

        return Outcome(task.stack, count, text=renderer(PreviewFormat(task.format))(preview))
    if task.job == "render":
        from seccat.reports.documents import Document, write_documents
        from seccat.reports.render_folder import FolderError
        from seccat.reports.runbooks import runbooks

        pages = [Document(p.path, p.content) for p in runbooks(catalog, task.stack, preview)]
        try:
            written = write_documents(preview, Path(task.out), clean=task.clean, extra=pages)
        except (FolderError, OSError) as exc:
            return Outcome(task.stack, count, error=f"{task.out}: {exc}")
        return Outcome(task.stack, count, files=len(written))
    return _check(catalog, task, preview)


def _check(catalog: Catalog, task: Task, preview: Any) -> Outcome:
    from seccat.checking.packs import load_pack
    from seccat.checking.runner import evaluate_catalog, evaluate_resources

    pack = load_pack(task.pack)
    environment = environment_of(task.stack)
    # Catalog rules that read resources judge this stack's; the rest run once per
    # environment, in the parent.
    cat = evaluate_catalog(
        catalog,
        pack,
        environment=environment,
        resources=preview.resources,
        today=task.today,
        select=lambda rule: bool(rule.resource_types),
        stack=task.stack,
    )
    res = evaluate_resources(
        preview.resources,
        pack,
        stack=task.stack,
        catalog=catalog,
        file=catalog.source,
        context=task.context,
    )
    platform = environment == task.stack
    return Outcome(
        task.stack,
        len(preview.resources),
        findings=cat.findings + res.findings,
        evaluations=cat.evaluations + res.evaluations if task.evaluations else [],
        context=tuple(preview.resources) if platform else (),
    )


def run_stacks(
    catalog: Catalog,
    specs: Sequence[StackSpec],
    make_task: Callable[[StackSpec, tuple[RecordedResource, ...]], Task],
    workers: int | None = None,
) -> Iterator[Outcome]:
    """Every stack's outcome, platform stacks first and then the team stacks, each group in
    plan order, each yielded as soon as it and the ones before it are done."""
    preload(catalog)
    first = [s for s in specs if s.kind != "shard"]
    later = [s for s in specs if s.kind == "shard"]
    count = workers or workers_for(len(specs))
    run: Callable[[list[Task]], Iterator[Outcome]]
    if count == 1:  # no processes: the same code, in-process
        run = lambda tasks: (run_task(t) for t in tasks)  # noqa: E731
    else:
        run = lambda tasks: in_processes(tasks, count)  # noqa: E731
    contexts: dict[str, tuple[RecordedResource, ...]] = {}
    for outcome in run([make_task(s, ()) for s in first]):
        contexts[environment_of(outcome.stack)] = outcome.context
        outcome.context = ()
        yield outcome
    yield from run([make_task(s, contexts.get(s.environment, ())) for s in later])


def preload(catalog: Catalog) -> None:
    """Hand forked workers the catalog, and import what every worker needs once, in the
    parent: forked workers inherit the program, the providers' SDKs and the rules instead
    of importing them again per stack (about a second of CPU each). The imported objects
    are frozen out of the cyclic collector, so the workers' collections do not touch (and
    copy) their pages, and the catalog's positions laid out."""
    global _CATALOG
    _CATALOG = catalog
    import importlib

    import seccat.checking.runner
    import seccat.engine.preview
    import seccat.policies.registry
    import seccat.program  # noqa: F401
    from seccat.documents.templating import environment

    for module in LAZY_MODULES:
        hasattr(importlib.import_module(module), "_loaded")  # a lazy module loads on use
    templates = environment()
    for name in templates.list_templates():  # compiled once, not once per worker
        templates.get_template(name)
    # The catalog's places are laid out on first look-up (a second, libyaml pass over the
    # text: 0.4 s at 10,000 secrets); the program looks them up, so once, here.
    len(catalog.positions)
    gc.collect()
    gc.freeze()


def _child(task: Task, send: Connection) -> None:
    try:
        outcome = run_task(task)
    except Exception as exc:  # reported as the stack's error, never a hang
        outcome = Outcome(task.stack, error=f"internal error: {type(exc).__name__}: {exc}")
    send.send(outcome)
    send.close()


def in_processes(tasks: list[Task], workers: int) -> Iterator[Outcome]:
    """Each task in its own process, at most ``workers`` at a time; outcomes in task order.

    A process per stack (forked from the parent, which holds the catalog) rather than a
    pool: a pool's long-lived workers would keep the largest stack's heap for good, and
    ProcessPoolExecutor refuses ``max_tasks_per_child`` with fork."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    queue = list(enumerate(tasks))
    queue.reverse()
    running: dict[Connection, tuple[int, BaseProcess]] = {}
    done: dict[int, Outcome] = {}
    emitted = 0
    while emitted < len(tasks):
        while queue and len(running) < workers:
            index, task = queue.pop()
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(task, send), daemon=True)
            # What the parent holds (catalog, SDK, rules, findings so far) out of the
            # collector's reach: a worker's first full collection would otherwise walk it
            # all (0.4 s a stack at 1,000 secrets) and copy every page it touches.
            gc.freeze()
            process.start()
            send.close()
            running[receive] = (index, process)
        for ready in wait(list(running)):
            assert isinstance(ready, Connection)
            index, process = running.pop(ready)
            try:
                done[index] = ready.recv()
            except EOFError:
                process.join()
                done[index] = Outcome(
                    tasks[index].stack,
                    error=f"{DIED} (exit code {process.exitcode})",
                )
            ready.close()
            process.join()
        while emitted in done:
            yield done.pop(emitted)
            emitted += 1
