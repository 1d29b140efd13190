"""Run the Pulumi program in-process: no CLI, credentials or network.

By default the program's declarations become a resource plan that is resolved with mocked
outputs (seccat.engine.declare, resolve); ``SECCAT_ENGINE=sdk`` registers every resource
with Pulumi's mock monitor instead, the oracle the plan is tested against.

The result is every registered resource with its camelCase inputs and options, which
`seccat preview` prints, `seccat render` writes out and `seccat check` evaluates.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import register_stack_transformation, run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from seccat.catalog.model import Catalog
from seccat.catalog.untrusted import MAX_FILE, safe_field
from seccat.engine.declare import Declarations, declaring
from seccat.engine.outputs import outputs_for
from seccat.engine.plan import PlanError
from seccat.engine.recording import (
    OptionsRecorder,
    ProviderRef,
    RecordedResource,
    normalise,
    redact,
)
from seccat.engine.references import STACK_REFERENCE, platform_outputs
from seccat.engine.resolve import resolve
from seccat.engine.stack_traces import without_stack_traces
from seccat.stacks.names import environment_of

if TYPE_CHECKING:
    from seccat.stacks.plan import StackSpec

PROJECT = "seccat"
#: How the program's resources are recorded (run_program).
Engine = Literal["plan", "sdk"]
ENGINES: tuple[Engine, ...] = ("plan", "sdk")
#: Picks the engine for every offline command: `SECCAT_ENGINE=sdk seccat check ...` runs
#: the mock monitor, to compare when the plan is in doubt (docs/benchmarks.md).
ENGINE_VARIABLE = "SECCAT_ENGINE"


def default_engine() -> Engine:
    chosen = os.environ.get(ENGINE_VARIABLE, "plan")
    for engine in ENGINES:
        if chosen == engine:
            return engine
    raise ProgramError(f"{ENGINE_VARIABLE} must be one of {', '.join(ENGINES)}, not {chosen!r}")


#: The provider functions the mocks answer (_CatalogMocks.call).
_ANSWERED_CALLS = ("aws:index/getCallerIdentity:getCallerIdentity", "aws:index/getRegion:getRegion")

#: How many registrations between two gc.freeze() calls (see _CatalogMocks.new_resource).
_FREEZE_EVERY = 2_000


class ProgramError(Exception):
    """The program refused the input (unknown stack, invalid catalog): a user error."""


@dataclass
class Preview:
    stack: str
    catalog_path: str
    resources: list[RecordedResource] = field(default_factory=list)

    @property
    def shown_catalog(self) -> str:
        """The catalog's file name as reports show it (escaped and capped: user text)."""
        return safe_field(self.catalog_path, MAX_FILE)

    def of_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        for r in self.resources:
            if r.name == name:
                return r
        raise KeyError(name)

    def counts(self) -> Counter[str]:
        return Counter(r.type for r in self.resources)

    def head_json(self) -> dict[str, Any]:
        """The document's members before ``resources`` (which comes last): what a writer
        that streams the resources one batch at a time writes first."""
        return {
            "schemaVersion": 1,
            "project": PROJECT,
            "stack": self.stack,
            "catalog": self.shown_catalog,
            "summary": {
                "resources": len(self.resources),
                "byType": dict(sorted(self.counts().items())),
            },
        }

    def to_json(self) -> dict[str, Any]:
        return {**self.head_json(), "resources": [r.to_json() for r in self.resources]}


@dataclass(frozen=True)
class _Registration:
    args: pulumi_mocks.MockResourceArgs
    urn: str
    parent: str
    dependencies: tuple[str, ...]
    provider: ProviderRef | None


class _CatalogMocks(pulumi_mocks.Mocks):
    """Answers registrations with realistic outputs and keeps them in registration order.

    Outputs carry the region and account of the provider that manages the resource: an
    explicit ``aws.Provider`` (a replica region) has its own, the default one the
    environment's, so a replica key's ARN names the region the key lives in.
    """

    def __init__(
        self,
        account: str,
        region: str,
        progress: Callable[[int], None] | None,
        references: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        #: A StackReference's outputs by the referenced stack's name (a team stack reads
        #: its platform stack's).
        self.references = references
        self.account = account
        self.region = region
        self.progress = progress
        self.monitor: _RecordingMonitor | None = None
        self.custom_count = 0
        self.registered: list[_Registration] = []
        #: Explicit AWS providers by reference (``urn::id``): (region, account).
        self.aws_providers: dict[str, tuple[str, str]] = {}

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        assert self.monitor is not None
        if args.typ == STACK_REFERENCE:  # a read, not a resource of this stack
            return self.stack_reference(args)
        parent = self.monitor.current.parent
        urn = self.monitor.make_urn(parent, args.typ, args.name)
        dependencies = tuple(sorted(set(self.monitor.current.dependencies)))
        return self.answer(args, urn, parent, dependencies)

    def stack_reference(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict]:
        name = str(args.inputs.get("name") or args.name)
        return name, {
            "name": name,
            "outputs": self.stack_reference_outputs(name),
            "secretOutputNames": [],
        }

    def stack_reference_outputs(self, name: str) -> dict[str, Any]:
        return self.references(name) if self.references is not None else {}

    def answer(
        self,
        args: pulumi_mocks.MockResourceArgs,
        urn: str,
        parent: str,
        dependencies: tuple[str, ...],
    ) -> tuple[str | None, dict]:
        """Note one registration and give its (id, outputs): shared by the mock monitor and
        the resource plan's resolution (seccat.engine.resolve)."""
        if not args.custom:
            self.registered.append(_Registration(args, urn, parent, dependencies, None))
            return None, dict(args.inputs)
        self.custom_count += 1
        if self.custom_count % _FREEZE_EVERY == 0:
            # Registered resources live until the end of the run: move them out of the
            # collector's reach so full collections do not rescan an ever larger heap.
            gc.freeze()
        if self.progress is not None:
            self.progress(self.custom_count)
        provider = self._provider_of(args)
        region = provider.region if provider and provider.region else self.region
        account = provider.account if provider and provider.account else self.account
        resource_id, state = outputs_for(args.typ, args.name, args.inputs, account, region)
        if args.typ == "pulumi:providers:aws":
            self.aws_providers[f"{urn}::{resource_id}"] = self._aws_placement(args.inputs)
        self.registered.append(_Registration(args, urn, parent, dependencies, provider))
        return resource_id, state

    def _aws_placement(self, inputs: dict[str, Any]) -> tuple[str, str]:
        """Where an explicit AWS provider puts its resources: its region, and its account
        when it pins exactly one (``allowedAccountIds``), else the environment's."""
        region = inputs.get("region")
        allowed = inputs.get("allowedAccountIds")
        if isinstance(allowed, str) and allowed.startswith("["):
            allowed = json.loads(allowed)  # provider inputs arrive as strings
        account = allowed[0] if isinstance(allowed, list) and len(allowed) == 1 else self.account
        return (region if isinstance(region, str) and region else self.region, str(account))

    def _provider_of(self, args: pulumi_mocks.MockResourceArgs) -> ProviderRef | None:
        if args.typ.startswith("pulumi:providers:"):
            return None
        package = args.typ.split(":", 1)[0]
        reference = args.provider or ""
        urn = reference.rsplit("::", 1)[0] if reference else None
        if package != "aws":
            return ProviderRef(package, urn)
        if not reference:
            return ProviderRef(package, None, self.region, self.account)
        if reference not in self.aws_providers:
            raise ProgramError(f"{args.typ} {args.name} names an unknown provider {reference}")
        region, account = self.aws_providers[reference]
        return ProviderRef(package, urn, region, account)

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        if args.token not in _ANSWERED_CALLS:
            raise ProgramError(f"the program made an unexpected provider call {args.token}")
        reference = args.provider or ""
        if reference and reference not in self.aws_providers:
            # The resource plan registers nothing while the program runs, so an explicit
            # provider is not known yet; answering as the default provider would put the
            # call in the wrong region or account without a word.
            raise ProgramError(
                f"the program called {args.token} through the provider "
                f"{reference.rsplit('::', 1)[0]}, which "
                f"is not registered (the resource plan answers calls through the default "
                f"provider only; {ENGINE_VARIABLE}=sdk answers this one)"
            )
        region, account = self.aws_providers.get(reference, (self.region, self.account))
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": account, "arn": f"arn:aws:iam::{account}:root"}, []
        return {"name": region, "region": region}, []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The stock mock monitor, plus the parent and dependencies of each registration (the
    mocks API omits them)."""

    def __init__(self, mocks: _CatalogMocks) -> None:
        super().__init__(mocks)
        self.current = threading.local()
        mocks.monitor = self

    def RegisterResource(self, request: Any) -> Any:
        self.current.parent = request.parent
        self.current.dependencies = list(request.dependencies)
        return super().RegisterResource(request)


def run_program(
    main: Callable[[], None],
    catalog: Catalog,
    stack: str,
    catalog_path: str,
    progress: Callable[[int], None] | None = None,
    config: Mapping[str, str] | None = None,
    engine: Engine | None = None,
) -> Preview:
    """Run ``main`` as the Pulumi program for ``stack`` and record what it registers.

    ``engine`` "plan" records what the program declares and resolves it (seccat.engine.
    declare, the default: no Pulumi engine round trips); "sdk" registers every resource with
    Pulumi's mock monitor, the oracle the plan is proven equal to. None: $SECCAT_ENGINE.

    ``config`` is stack configuration as the Pulumi CLI hands it to a program (fully
    qualified keys, arrays and objects as JSON text), e.g. ``{"aws:region": "eu-west-1"}``.
    """
    if engine is None:
        engine = default_engine()
    env = catalog.environments.get(environment_of(stack))
    account = env.aws.account_id if env and env.aws else "000000000000"
    region = env.aws.region if env and env.aws else "us-east-1"
    mocks = _CatalogMocks(account, region, progress, lambda name: platform_outputs(catalog, name))
    monitor = _RecordingMonitor(mocks)
    recorder = OptionsRecorder()
    error: list[BaseException] = []

    def program() -> None:
        try:
            main()
        except pulumi.RunError as exc:
            error.append(ProgramError(str(exc)))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # Registration allocates millions of short-lived objects; with the default thresholds
    # the collector rescans the (large, long-lived) catalog and SDK modules over and over.
    # Freezing what exists and collecting less often cuts a large preview's time by a third.
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(20_000, 50, 100)
    # Nothing under the mock monitor reads the call stack the SDK captures per registration
    # (the root stack registers in set_mocks already): see seccat.engine.stack_traces.
    try:
        with without_stack_traces():
            pulumi_settings.reset_options()
            pulumi_mocks.set_mocks(
                mocks, project=PROJECT, stack=stack, preview=True, monitor=monitor
            )
            # Stand-ins for stack config the Vault components need (secret ones marked secret).
            from seccat.components.vault.config import offline_config

            extra, secret_keys = offline_config(catalog, stack)
            pulumi.runtime.set_all_config(
                {**(config or {}), f"{PROJECT}:catalog": catalog_path, **extra}, secret_keys
            )
            register_stack_transformation(recorder)
            if engine == "plan":
                declarations = Declarations(stack, PROJECT, mocks.stack_reference_outputs)
                try:
                    with declaring(declarations):
                        _sync_await(run_pulumi_func(program))
                    if not error:
                        resolve(declarations.plan(recorder), mocks)
                except PlanError as exc:
                    raise ProgramError(
                        f"the resource plan cannot represent the program: {exc} (a seccat "
                        f"defect; {ENGINE_VARIABLE}=sdk runs it through Pulumi's mock monitor)"
                    ) from None
            else:
                _sync_await(run_pulumi_func(program))
        if error:
            raise error[0]
        # Still with the collector held back: recording copies every input once more.
        return _record(mocks, recorder, stack, catalog_path)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _record(
    mocks: _CatalogMocks, recorder: OptionsRecorder, stack: str, catalog_path: str
) -> Preview:
    """The registrations as the preview reports them: inputs redacted and made JSON-clean,
    catalog references inherited from the nearest component, in tree order."""
    preview = Preview(stack=stack, catalog_path=catalog_path)
    refs: dict[str, tuple[str, ...]] = {}
    for reg in mocks.registered:
        args, urn, parent = reg.args, reg.urn, reg.parent
        own = args.inputs.get("catalogRef") if not args.custom else None
        ref = tuple(str(p) for p in own) if isinstance(own, list) else refs.get(parent)
        if ref is not None:
            refs[urn] = ref
        inexact: list[float] = []
        key = (args.typ, args.name)
        preview.resources.append(
            RecordedResource(
                type=args.typ,
                name=args.name,
                urn=urn,
                parent=parent or None,
                inputs=normalise(redact(args.inputs), inexact),
                options=recorder.by_key.get(key, {}),
                custom=args.custom,
                catalog_ref=ref,
                provider=reg.provider,
                dependencies=reg.dependencies,
                floats_exact=not inexact and key not in recorder.unusual,
            )
        )
    preview.resources = tree_order(preview.resources)
    return preview


def tree_order(resources: list[RecordedResource]) -> list[RecordedResource]:
    """Parents before children, siblings by name: registration order is asynchronous, and
    reports and golden files need a stable order."""
    children: dict[str | None, list[RecordedResource]] = {}
    urns = {r.urn for r in resources}
    for r in resources:
        children.setdefault(r.parent if r.parent in urns else None, []).append(r)
    ordered: list[RecordedResource] = []
    stack = sorted(children.get(None, []), key=lambda r: (r.name, r.type), reverse=True)
    while stack:
        r = stack.pop()
        ordered.append(r)
        stack.extend(sorted(children.get(r.urn, []), key=lambda c: (c.name, c.type), reverse=True))
    return ordered


def run_preview(
    catalog: Catalog,
    stack: str,
    catalog_path: str | Path,
    *,
    show_progress: bool = False,
    stack_config: Mapping[str, object] | None = None,
    progress: Callable[[int], None] | None = None,
    engine: Engine | None = None,
    part: StackSpec | None = None,
) -> Preview:
    """Run seccat's own program (the one `pulumi up` runs) for one environment.

    ``stack_config`` is the stack file's config (`aws:region` and the like), passed to the
    program as the Pulumi CLI would pass it, so the program's own checks see it.
    ``progress`` is called with the count of custom resources registered so far
    (``show_progress`` prints it to stderr every 500 instead). ``part``: build only this
    part of a single stack (seccat.stacks.partition; its resources as the whole stack's
    preview has them).
    """
    from seccat.program import main

    if progress is None and show_progress:
        progress = _progress_printer()
    config = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in (stack_config or {}).items()
    }
    return run_program(
        lambda: main(catalog, part), catalog, stack, str(catalog_path), progress, config, engine
    )


def _progress_printer() -> Callable[[int], None]:
    def report(count: int) -> None:
        if count % 500 == 0:
            print(f"  registered {count} resources...", file=sys.stderr, flush=True)

    return report
