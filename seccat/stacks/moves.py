"""Which resources change stacks when a catalog change moves them, and the exact
`pulumi state move` commands that carry their state over instead of deleting and recreating.

Pure: it reads recorded previews (the engine's, for every stack of one environment before
and after the change), so it is tested on recorded previews and never needs a backend.

A resource keeps its logical name and type wherever it lives (logical names depend on the
environment and the catalog id, never on the stack), so (type, name) identifies it across
stacks. `pulumi state move` takes the top-level resources of a move and brings their
children along; a moved resource whose parent stays behind arrives parented to the root
stack, and the destination program adopts it through an alias to that URN (components'
``child_opts``), so nothing is replaced, protected data included.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from seccat.catalog.untrusted import escape
from seccat.engine.recording import RecordedResource
from seccat.stacks.plan import EnvironmentPlan

Key = tuple[str, str]


class MoveError(ValueError):
    """A change this tool cannot carry over by moving state (said, never guessed)."""


@dataclass(frozen=True)
class Move:
    """One `pulumi state move`: top-level URNs (children follow) from source to dest."""

    source: str
    dest: str
    urns: tuple[str, ...]
    #: Every resource that changes stack with them, children included.
    resources: tuple[str, ...] = ()
    #: How many of those are protected (data: keys, secrets, log groups, mounts...).
    protected: int = 0
    #: The catalog entries behind the move (``secrets/payments/x``).
    subjects: tuple[str, ...] = ()

    def command(self) -> str:
        """The command, each argument shell-quoted; ``MoveError`` for an argument that is
        not plain visible text (quoted, a line break would be shell-safe, but an escape
        sequence would still reach the terminal of whoever reads the script)."""
        for arg in (self.source, self.dest, *self.urns):
            if not arg.isprintable():
                raise MoveError(f"{_comment(arg)} is not plain visible text")
        lines = [
            f"pulumi state move --source {shlex.quote(self.source)} "
            f"--dest {shlex.quote(self.dest)} --yes"
        ]
        lines += [shlex.quote(u) for u in self.urns]
        return " \\\n  ".join(lines)


@dataclass
class MovePlan:
    moves: list[Move] = field(default_factory=list)
    #: Stacks the moves write into that the base did not have.
    new_stacks: list[str] = field(default_factory=list)
    #: Protected resources of the base the head no longer has (removed from the catalog):
    #: retained on delete, never moved.
    retained: list[str] = field(default_factory=list)


def _key(r: RecordedResource) -> Key:
    return (r.type, r.name)


def with_engine_urns(
    resources: Sequence[RecordedResource], stack: str, project: str = "seccat"
) -> list[RecordedResource]:
    """``resources`` under the URNs the Pulumi engine gives them.

    The mock monitor's URNs qualify a type with its parent's type only; the engine's with
    the parent's whole type chain (the root stack left out), and those are what `pulumi
    state move` takes: ``seccat:index:SecretsPlatform$seccat:aws:ManagedSecret$aws:...``."""
    by_urn = {r.urn: r for r in resources}
    chains: dict[str, str] = {}

    def chain(r: RecordedResource) -> str:
        # up to the first ancestor whose chain is known, then down: a loop, not recursion,
        # so a deep (or hostile, saved) parent chain needs no stack frame per level
        pending: list[RecordedResource] = []
        at: RecordedResource | None = r
        while at is not None and at.urn not in chains:
            if len(pending) > len(by_urn):
                raise MoveError(f"the parents of {r.type} {r.name} form a cycle")
            pending.append(at)
            at = by_urn.get(at.parent or "")
        for one in reversed(pending):
            parent = by_urn.get(one.parent or "")
            chains[one.urn] = f"{chains[parent.urn]}${one.type}" if parent else one.type
        return chains[r.urn]

    def urn(r: RecordedResource) -> str:
        return f"urn:pulumi:{stack}::{project}::{chain(r)}::{r.name}"

    return [
        replace(
            r,
            urn=urn(r),
            parent=urn(by_urn[r.parent]) if r.parent in by_urn else None,
        )
        for r in resources
    ]


def _urn_parts(urn: str) -> tuple[str, str, str]:
    """(stack, type chain, name) of ``urn:pulumi:<stack>::<project>::<chain>::<name>``."""
    head, name = urn.rsplit("::", 1)
    prefix, chain = head.rsplit("::", 1)
    stack = prefix.split("::", 1)[0].removeprefix("urn:pulumi:")
    return stack, chain, name


def moved_urn(urn: str, top_chain: str, dest: str, project: str = "seccat") -> str:
    """The URN ``urn`` has in ``dest`` after its top-level moved ancestor (whose type chain
    in the source is ``top_chain``) was moved: re-parented to the root stack, so the
    ancestor's own parents drop out of every chain below it."""
    _, chain, name = _urn_parts(urn)
    ancestors = top_chain.rsplit("$", 1)[0] + "$" if "$" in top_chain else ""
    return f"urn:pulumi:{dest}::{project}::{chain.removeprefix(ancestors)}::{name}"


def plan_moves(
    base: Mapping[str, Sequence[RecordedResource]],
    head: Mapping[str, Sequence[RecordedResource]],
    subjects: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> MovePlan:
    """The moves from the ``base`` stacks of one environment (stack name -> its recorded
    resources) to the ``head`` stacks. ``subjects``: the catalog entries that change stack,
    by (source, dest), for the comments (else read off the resources' catalog paths)."""
    base = {s: with_engine_urns(rs, s) for s, rs in base.items()}
    head = {s: with_engine_urns(rs, s) for s, rs in head.items()}
    where_base: dict[Key, set[str]] = {}
    where_head: dict[Key, set[str]] = {}
    by_urn: dict[str, RecordedResource] = {}
    for stack, resources in base.items():
        for r in resources:
            where_base.setdefault(_key(r), set()).add(stack)
            by_urn[r.urn] = r
    for stack, resources in head.items():
        for r in resources:
            where_head.setdefault(_key(r), set()).add(stack)

    # every base resource that leaves its stack, and where it goes
    dest_of: dict[str, str] = {}
    retained: list[str] = []
    for stack, resources in base.items():
        for r in resources:
            if r.type == "pulumi:pulumi:Stack" or r.type.startswith("pulumi:providers:"):
                continue  # the root and providers exist per stack (state move copies these)
            now = where_head.get(_key(r), set())
            if stack in now:
                continue
            if not now:
                if r.options.get("protect"):
                    retained.append(r.urn)
                continue
            # a component may stand in several stacks (a service's: its role in the
            # platform, its policy in the team's): it goes where it was not before
            fresh = now - where_base.get(_key(r), set())
            if len(fresh) > 1 or (r.custom and len(now) > 1):
                raise MoveError(f"{r.type} {r.name} would be in several stacks: {sorted(now)}")
            if fresh:
                dest_of[r.urn] = next(iter(fresh))

    plan = MovePlan(retained=sorted(retained))
    groups: dict[tuple[str, str], list[str]] = {}
    members: dict[tuple[str, str], list[str]] = {}
    for urn, dest in dest_of.items():
        r = by_urn[urn]
        source = _urn_parts(urn)[0]
        parent = r.parent
        # a top-level moved resource: its parent stays (or goes elsewhere)
        if parent is None or dest_of.get(parent) != dest:
            groups.setdefault((source, dest), []).append(urn)
        members.setdefault((source, dest), []).append(urn)
    # a moved resource's children go with it: each must be bound for the same stack
    for urn, r in by_urn.items():
        if r.parent in dest_of and dest_of.get(urn) != dest_of[r.parent]:
            raise MoveError(
                f"{r.type} {r.name} would follow its parent to {dest_of[r.parent]}, but the "
                f"change puts it in {dest_of.get(urn) or _urn_parts(urn)[0]}"
            )
    for (source, dest), tops in sorted(groups.items()):
        everything = sorted(members[(source, dest)])
        named = sorted(
            {
                "/".join(by_urn[u].catalog_ref[:2])
                for u in everything
                if by_urn[u].catalog_ref and by_urn[u].catalog_ref[0] != "environments"
            }
        )
        if subjects is not None and (source, dest) in subjects:
            named = sorted(set(named) | set(subjects[(source, dest)]))
        plan.moves.append(
            Move(
                source=source,
                dest=dest,
                urns=tuple(sorted(tops)),
                resources=tuple(everything),
                protected=sum(1 for u in everything if by_urn[u].options.get("protect")),
                subjects=tuple(named),
            )
        )
    plan.new_stacks = sorted({m.dest for m in plan.moves} - set(base))
    return plan


def after_moves(
    base: Mapping[str, Sequence[RecordedResource]], plan: MovePlan
) -> dict[str, set[str]]:
    """Each stack's (engine) URNs once the moves ran, as Pulumi rewrites them (for checks)."""
    base = {s: with_engine_urns(rs, s) for s, rs in base.items()}
    urns = {s: {r.urn for r in rs} for s, rs in base.items()}
    parents = {r.urn: r.parent for rs in base.values() for r in rs}
    for move in plan.moves:
        tops = set(move.urns)
        for urn in move.resources:
            top = urn  # the top-level ancestor this resource moved with
            while top not in tops:
                top = parents[top]  # type: ignore[assignment]
            urns[move.source].discard(urn)
            urns.setdefault(move.dest, set()).add(moved_urn(urn, _urn_parts(top)[1], move.dest))
    return urns


def moved_entries(old: EnvironmentPlan, new: EnvironmentPlan) -> dict[tuple[str, str], list[str]]:
    """Catalog secrets and services whose stack the change moves, by (source, dest)."""
    out: dict[tuple[str, str], list[str]] = {}
    for spec in old.stacks:
        if spec.kind == "platform":
            continue
        for secret_id in sorted(spec.secrets):
            try:
                dest = new.stack_of_secret(secret_id)
            except KeyError:
                continue
            if dest != spec.name:
                out.setdefault((spec.name, dest), []).append(f"secrets/{secret_id}")
        for service in sorted(spec.services):
            dest_service = new.stack_of_service(service)
            if dest_service is not None and dest_service != spec.name:
                out.setdefault((spec.name, dest_service), []).append(f"services/{service}")
    return out


def _comment(text: str) -> str:
    """Text for a comment of the script, escaped: a line break in it would end the comment
    and make the rest a command of its own when the script is pasted into a shell."""
    return escape(text)


def script(environment: str, plan: MovePlan) -> Iterable[str]:
    """The commands, commented, in the order to run them."""
    if not plan.moves:
        yield f"# {environment}: no resource changes stacks"
        return
    yield f"# {environment}: run before `pulumi up` of any of these stacks; then `pulumi up`"
    yield "# each destination stack (it adopts what arrives, nothing is replaced), then each"
    yield "# source stack. Back up the stacks first: `pulumi stack export --stack S`."
    for stack in plan.new_stacks:
        yield f"pulumi stack init {shlex.quote(stack)}"
    for move in plan.moves:
        shown = ", ".join(move.subjects[:5]) + (" ..." if len(move.subjects) > 5 else "")
        yield _comment(
            f"# {move.source} -> {move.dest}: {len(move.resources)} resources "
            f"({move.protected} protected) of {shown or 'the environment'}"
        )
        yield move.command()
    for urn in plan.retained:
        yield _comment(f"# not moved, retained on delete (protected, gone from the catalog): {urn}")
