"""Compare a base and a head catalog, stack by stack: catalog changes from the two models,
access and trust changes from the two previews' documents, findings against the base's.

Both catalogs run through the same (current) program and rules, so what differs is what the
catalog change does; a change to seccat's own code between the two revisions is not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from seccat.access import AccessGraph, access_graph
from seccat.access.model import AccessEdge
from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.loader import parse_catalog
from seccat.catalog.model import CLASSIFICATION_RANK, Catalog, Secret
from seccat.catalog.schedule import ScheduleError, parse_schedule
from seccat.checking.baseline import Baseline, BaselineEntry, compare
from seccat.checking.findings import CheckResult, Finding
from seccat.checking.packs import Pack
from seccat.checking.runner import check
from seccat.diff.approvals import Approval
from seccat.diff.base import BaseCatalog
from seccat.diff.model import (
    DEFAULT_FAIL_ON,
    AccessChange,
    ClassificationChange,
    ComplianceChange,
    DiffResult,
    FieldChange,
    Location,
    RotationChange,
    SecretChange,
    SideInfo,
    StackDiff,
)
from seccat.engine.preview import Preview, ProgramError, run_preview

#: Actions that hand out a secret's value: new holders of these need an approval.
VALUE_ACTIONS = frozenset(
    {
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "data:read",
        "creds:read",
        "static-creds:read",
    }
)

#: (catalog, stack) -> (stack config for the program, located problems with the stack file)
ConfigFor = Callable[[Catalog, str], tuple[Mapping[str, object], list[Diagnostic]]]


class DiffUsageError(ValueError):
    """A stack that neither catalog has."""


def _no_config(catalog: Catalog, stack: str) -> tuple[Mapping[str, object], list[Diagnostic]]:
    return {}, []


@dataclass
class StackState:
    """One side of one stack, run: its preview, checked, and its access graph."""

    preview: Preview
    result: CheckResult
    graph: AccessGraph


@dataclass
class Side:
    info: SideInfo
    catalog: Catalog | None
    raw: bytes | None
    states: dict[str, StackState | str] = field(default_factory=dict)


def _errors(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def validation_findings(diagnostics: Sequence[Diagnostic]) -> list[Finding]:
    """Validation errors as findings, so they are compared and reported like rule findings:
    the diagnostic code is the rule, the catalog path the target."""
    return [
        Finding(
            rule_id=d.code,
            severity="high",
            enforcement="mandatory",
            message=d.message,
            scope="catalog",
            file=d.file,
            line=d.line,
            column=d.column,
            target=d.path or None,
        )
        for d in _errors(diagnostics)
    ]


def _state(
    side: Side, stack: str, pack: Pack, today: str, config_for: ConfigFor
) -> StackState | str | None:
    """The stack run on one side; a string says why it could not run; None: no such stack."""
    catalog = side.catalog
    if catalog is None or stack not in catalog.environments:
        return None
    if stack in side.states:
        return side.states[stack]
    config, _ = config_for(catalog, stack)
    try:
        preview = run_preview(catalog, stack, catalog.source, stack_config=config)
    except ProgramError as exc:
        state: StackState | str = f"{side.info.label}: {exc}"
    else:
        state = StackState(
            preview, check(catalog, preview, pack, today=today), access_graph(preview)
        )
    side.states[stack] = state
    return state


def _location(catalog: Catalog, path: tuple[str, ...], side: str) -> Location:
    pos = catalog.position(path)
    return Location(catalog.source, pos.line, pos.column, side)  # type: ignore[arg-type]


def _rotation_text(secret: Secret) -> str:
    r = secret.rotation
    if r is None:
        return "none"
    return f"every {r.every}" if r.every else str(r.schedule)


def _rotation_seconds(secret: Secret) -> float | None:
    r = secret.rotation
    if r is None:
        return None
    if r.every_seconds is not None:
        return float(r.every_seconds)
    if r.schedule:
        try:
            gap = parse_schedule(r.schedule).longest_gap_seconds()
        except ScheduleError:
            return None
        return None if gap == float("inf") else gap
    return None


def _fields(secret: Secret, env: str) -> dict[str, str]:
    """The settings of one secret as they apply in one environment, as reviewers read them."""
    r = secret.rotation
    consumers = ", ".join(
        f"{c.service} ({c.access})"
        for c in sorted(secret.consumers_in(env), key=lambda c: c.service)
    )
    g = secret.generate
    return {
        "description": secret.description,
        "owner": secret.owner,
        "type": secret.type,
        "store": secret.store,
        "classification": secret.classification,
        "compliance": ", ".join(sorted(secret.compliance)) or "none",
        "lifecycle": secret.lifecycle,
        "sunset": secret.sunset or "none",
        "replicas": ", ".join(secret.replicas) or "none",
        "rotation": _rotation_text(secret),
        "rotation.window": (r.window if r and r.window else "none"),
        "rotation.strategy": (r.strategy if r else "none"),
        "consumers": consumers or "none",
        "database": f"{secret.database.database}/{secret.database.username}"
        if secret.database
        else "none",
        "generate": f"length {g.length}"
        + (", no punctuation" if g.exclude_punctuation else "")
        + (f", excluding {g.exclude_characters!r}" if g.exclude_characters else ""),
    }


def _secrets_in(catalog: Catalog | None, env: str) -> dict[str, Secret]:
    if catalog is None or env not in catalog.environments:
        return {}
    return {s.id: s for s in catalog.secrets_in(env)}


def _catalog_changes(diff: StackDiff, base: Catalog | None, head: Catalog | None, env: str) -> None:
    before, after = _secrets_in(base, env), _secrets_in(head, env)
    for sid in sorted(after.keys() - before.keys()):
        s = after[sid]
        assert head is not None
        diff.added.append(
            SecretChange(
                sid,
                "added",
                _location(head, ("secrets", sid), "head"),
                s.classification,
                s.lifecycle,
            )
        )
    for sid in sorted(before.keys() - after.keys()):
        s = before[sid]
        assert base is not None
        # In the head, point at the secret if it is still in the catalog (environments
        # changed), else at the base's line.
        where = (
            _location(head, ("secrets", sid, "environments"), "head")
            if head is not None and sid in head.secrets
            else _location(base, ("secrets", sid), "base")
        )
        diff.removed.append(
            SecretChange(
                sid,
                "removed",
                where,
                s.classification,
                s.lifecycle,
                unretired_removal=diff.protected and s.lifecycle != "retired",
            )
        )
    for sid in sorted(before.keys() & after.keys()):
        b, h = before[sid], after[sid]
        assert head is not None
        fb, fh = _fields(b, env), _fields(h, env)
        changes = tuple(FieldChange(k, fb[k], fh[k]) for k in fb if fb[k] != fh[k])
        if not changes:
            continue
        where = _location(head, ("secrets", sid), "head")
        diff.changed.append(
            SecretChange(sid, "changed", where, h.classification, h.lifecycle, changes)
        )
        if fb["rotation"] != fh["rotation"]:
            diff.rotation.append(
                RotationChange(
                    sid,
                    fb["rotation"],
                    fh["rotation"],
                    _rotation_seconds(b),
                    _rotation_seconds(h),
                    _location(head, ("secrets", sid, "rotation"), "head"),
                )
            )
        if b.classification != h.classification:
            raised = CLASSIFICATION_RANK[h.classification] > CLASSIFICATION_RANK[b.classification]
            diff.classification.append(
                ClassificationChange(
                    sid,
                    b.classification,
                    h.classification,
                    "raised" if raised else "lowered",
                    _location(head, ("secrets", sid, "classification"), "head"),
                )
            )
        if set(b.compliance) != set(h.compliance):
            diff.compliance.append(
                ComplianceChange(
                    sid,
                    tuple(sorted(set(h.compliance) - set(b.compliance))),
                    tuple(sorted(set(b.compliance) - set(h.compliance))),
                    _location(head, ("secrets", sid, "compliance"), "head"),
                )
            )


def _edge_location(edge: AccessEdge, head: Catalog | None, base: Catalog | None) -> Location:
    for catalog, side in ((head, "head"), (base, "base")):
        if catalog is None or edge.secret not in catalog.secrets:
            continue
        service = edge.principal.service or edge.principal.name
        for i, consumer in enumerate(catalog.secrets[edge.secret].consumers):
            if consumer.service == service:
                return _location(catalog, ("secrets", edge.secret, "consumers", str(i)), side)
        return _location(catalog, ("secrets", edge.secret), side)
    ref = edge.principal.ref
    if head is not None and ref:
        return _location(head, ref, "head")
    return Location(head.source if head else "", 1, 1, "head")


def _classification(secret: str, head: Catalog | None, base: Catalog | None) -> str:
    for catalog in (head, base):
        if catalog is not None and secret in catalog.secrets:
            return catalog.secrets[secret].classification
    return "unknown"


def _approval(approvals: Sequence[Approval], env: str, edge: AccessEdge) -> Approval | None:
    return next((a for a in approvals if a.matches(env, edge.secret, edge.principal)), None)


def _access_changes(
    diff: StackDiff,
    before: AccessGraph | None,
    after: AccessGraph | None,
    base: Catalog | None,
    head: Catalog | None,
    approvals: Sequence[Approval],
    approval_for: str | None,
) -> None:
    b_edges = before.by_key() if before else {}
    h_edges = after.by_key() if after else {}
    threshold = CLASSIFICATION_RANK.get(approval_for or "", None)
    for key in sorted(b_edges.keys() | h_edges.keys()):
        b, h = b_edges.get(key), h_edges.get(key)
        was = b.actions if b else frozenset()
        now = h.actions if h else frozenset()
        edge = h or b
        assert edge is not None
        classification = _classification(edge.secret, head, base)
        where = _edge_location(edge, head, base)
        if gained := now - was:
            own_rotation = edge.principal.ref == ("secrets", edge.secret)
            needs = (
                threshold is not None
                and CLASSIFICATION_RANK.get(classification, 99) >= threshold
                and bool(gained & VALUE_ACTIONS)
                and not own_rotation
            )
            diff.granted.append(
                AccessChange(
                    edge.principal,
                    edge.secret,
                    edge.store,
                    frozenset(gained),
                    now,
                    classification,
                    where,
                    needs,
                    _approval(approvals, diff.stack, edge) if needs else None,
                )
            )
        if lost := was - now:
            diff.revoked.append(
                AccessChange(
                    edge.principal,
                    edge.secret,
                    edge.store,
                    frozenset(lost),
                    now,
                    classification,
                    where,
                )
            )


def _stack_diff(
    stack: str,
    base: Side,
    head: Side,
    pack: Pack,
    today: str,
    config_for: ConfigFor,
    base_config_for: ConfigFor,
    approvals: Sequence[Approval],
    approval_for: str | None,
) -> StackDiff:
    bc, hc = base.catalog, head.catalog
    in_base = bc is not None and stack in bc.environments
    in_head = hc is not None and stack in hc.environments
    protected = any(
        c is not None and stack in c.environments and c.environments[stack].protect
        for c in (bc, hc)
    )
    diff = StackDiff(stack, in_base, in_head, protected)
    _catalog_changes(diff, bc, hc, stack)
    if head.raw is not None and base.raw == head.raw and in_head and stack not in base.states:
        # The same bytes: the same preview; run it once.
        hs = _state(head, stack, pack, today, config_for)
        if hs is not None:
            base.states[stack] = hs
    bs = _state(base, stack, pack, today, base_config_for)
    hs = _state(head, stack, pack, today, config_for)
    for state in (bs, hs):
        if isinstance(state, str):
            diff.errors.append(state)
    b_ok = bs if isinstance(bs, StackState) else None
    h_ok = hs if isinstance(hs, StackState) else None
    _access_changes(
        diff,
        b_ok.graph if b_ok else None,
        h_ok.graph if h_ok else None,
        bc,
        hc,
        approvals,
        approval_for,
    )
    b_trust = set(b_ok.graph.trust) if b_ok else set()
    h_trust = set(h_ok.graph.trust) if h_ok else set()
    diff.trust_granted = sorted(h_trust - b_trust)
    diff.trust_revoked = sorted(b_trust - h_trust)
    baseline = Baseline.of(b_ok.result, base.info.label) if b_ok else None
    diff.findings = compare(h_ok.result.findings if h_ok else [], stack, baseline)
    return diff


def _side(
    label: str,
    source: str,
    raw: bytes | None,
    revision: str | None = None,
    commit: str | None = None,
) -> Side:
    if raw is None:
        return Side(SideInfo(label, source, revision, commit, False), None, None)
    catalog, diagnostics = parse_catalog(raw, source)
    valid = catalog is not None and not _errors(diagnostics)
    info = SideInfo(label, source, revision, commit, True, tuple(diagnostics))
    return Side(info, catalog if valid else None, raw)


def select_stacks(
    requested: Sequence[str], all_stacks: bool, base: Catalog | None, head: Catalog | None
) -> list[str]:
    """``--stack`` names in the order given, or every environment of either catalog (the
    head's order first)."""
    known: list[str] = []
    for catalog in (head, base):
        if catalog is not None:
            known += [e for e in catalog.environments if e not in known]
    if all_stacks:
        return known
    missing = [s for s in requested if s not in known]
    if missing and (head is not None or base is not None):
        raise DiffUsageError(
            f"stack {missing[0]!r} names no environment in either catalog "
            f"(known: {', '.join(known) or 'none'})"
        )
    return list(dict.fromkeys(requested))


def diff_catalogs(
    base: BaseCatalog,
    head_source: str,
    head_raw: bytes,
    *,
    stacks: Sequence[str] = (),
    all_stacks: bool = False,
    pack: Pack,
    today: str,
    approvals: Sequence[Approval] = (),
    approval_for: str | None = "restricted",
    fail_on: Sequence[str] = DEFAULT_FAIL_ON,
    config_for: ConfigFor = _no_config,
    base_config_for: ConfigFor = _no_config,
) -> DiffResult:
    """The whole comparison. ``config_for`` reads and checks the head's stack file (its
    problems make the head invalid, as for `seccat check`); ``base_config_for`` the base's."""
    base_side = _side(f"base {base.source}", base.source, base.raw, base.revision, base.commit)
    head_side = _side(f"head {head_source}", head_source, head_raw)
    names = select_stacks(stacks, all_stacks, base_side.catalog, head_side.catalog)
    if head_side.catalog is not None:
        problems: list[Diagnostic] = []
        for name in names:
            if name in head_side.catalog.environments:
                problems += config_for(head_side.catalog, name)[1]
        if problems:
            info = head_side.info
            head_side = Side(
                SideInfo(
                    info.label,
                    info.file,
                    info.revision,
                    info.commit,
                    True,
                    (*info.diagnostics, *problems),
                ),
                None,
                head_raw,
            )
    base_errors = validation_findings(base_side.info.diagnostics)
    validation_baseline = (
        Baseline("", tuple(BaselineEntry.of(f, "") for f in base_errors), base_side.info.label)
        if base_side.info.present
        else None
    )
    validation = compare(validation_findings(head_side.info.diagnostics), "", validation_baseline)
    result_stacks: list[StackDiff] = []
    if head_side.catalog is not None:
        for name in names:
            result_stacks.append(
                _stack_diff(
                    name,
                    base_side,
                    head_side,
                    pack,
                    today,
                    config_for,
                    base_config_for,
                    approvals,
                    approval_for,
                )
            )
    return DiffResult(
        base_side.info,
        head_side.info,
        pack.name,
        result_stacks,
        validation,
        tuple(fail_on),
        approval_for,
        tuple(approvals),
    )
