"""Run the rules: catalog rules on the model, then the pack's resource and stack rules over
the offline engine's resources (the same functions CrossGuard runs), then waivers.

Per-resource work is one dict lookup of the rules for its type, and each resource's props
are proxied once and shared by every rule, so evaluation is linear in the resources.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pulumi_policy.proxy import UnknownValueError

from seccat.catalog.model import Catalog, Position
from seccat.checking.adapter import Adapted, policy_resources, stack_args
from seccat.checking.findings import CheckResult, Evaluation, Finding
from seccat.checking.packs import Pack, load_pack
from seccat.checking.waivers import apply_waivers, waiver_warnings
from seccat.engine.preview import Preview
from seccat.engine.recording import RecordedResource
from seccat.policies.framework import CatalogContext, Rule, run_stack_rule
from seccat.policies.registry import CATALOG_RULES, RESOURCE_RULES_BY_TYPE, RULES, STACK_RULES
from seccat.stacks.names import environment_of

#: How many resources between two progress reports.
_PROGRESS_EVERY = 50


@dataclass
class Evaluated:
    findings: list[Finding] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)


def _target(ref: tuple[str, ...] | None) -> str | None:
    if not ref:
        return None
    if len(ref) >= 2 and ref[0] in ("secrets", "services", "teams", "databases"):
        return ref[1]
    return "/".join(ref)


def _where(catalog: Catalog | None, ref: tuple[str, ...] | None) -> Position:
    return catalog.position(ref) if catalog is not None and ref else Position(1, 1)


def _finding(
    rule: Rule,
    level: str,
    message: str,
    file: str,
    catalog: Catalog | None,
    ref: tuple[str, ...] | None,
    resource: RecordedResource | None = None,
    target: str | None = None,
) -> Finding:
    pos = _where(catalog, ref)
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        enforcement="mandatory" if level in ("mandatory", "remediate") else "advisory",
        message=message,
        scope=rule.scope,
        file=file,
        line=pos.line,
        column=pos.column,
        target=target if target is not None else _target(ref),
        catalog_path=ref,
        resource_urn=resource.urn if resource else None,
        resource_type=resource.type if resource else None,
        resource_name=resource.name if resource else None,
    )


def evaluate_resources(
    resources: Sequence[RecordedResource],
    pack: Pack,
    *,
    stack: str = "",
    catalog: Catalog | None = None,
    file: str = "catalog.yaml",
    record: bool = True,
    progress: Callable[[int, int], None] | None = None,
    context: Sequence[RecordedResource] = (),
) -> Evaluated:
    """Every enabled resource and stack rule over ``resources``. ``record`` keeps one
    Evaluation per rule and subject (for JUnit); the benchmark hook leaves it off.
    ``progress(done, total)`` is told how many resources have been evaluated.

    ``context``: resources of the environment's platform stack when ``resources`` are a team
    stack's. Stack rules see both (a team's secrets are alarmed through the platform's
    rotation-failure rule, its Vault policies audited by the platform's device); findings
    about context resources are left to the platform stack's own check."""
    # Evaluation allocates many short-lived objects next to a large preview; the cyclic
    # collector would rescan that preview again and again for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _evaluate_resources(
            resources,
            pack,
            stack=stack,
            catalog=catalog,
            file=file,
            record=record,
            progress=progress,
            context=context,
        )
    finally:
        if enabled:
            gc.enable()


def _evaluate_resources(
    resources: Sequence[RecordedResource],
    pack: Pack,
    *,
    stack: str,
    catalog: Catalog | None,
    file: str,
    record: bool,
    progress: Callable[[int, int], None] | None = None,
    context: Sequence[RecordedResource] = (),
) -> Evaluated:
    out = Evaluated()
    levels = {r.id: pack.level(r.id) for rules in RESOURCE_RULES_BY_TYPE.values() for r in rules}
    levels.update({r.id: pack.level(r.id) for r in STACK_RULES})
    configs = {rid: pack.rule_config(rid) for rid, lvl in levels.items() if lvl != "disabled"}
    #: Type -> the enabled rules for it with their config: one dict lookup per resource.
    active = {
        t: [(rule, configs[rule.id]) for rule in rules if levels[rule.id] != "disabled"]
        for t, rules in RESOURCE_RULES_BY_TYPE.items()
    }
    evaluations = out.evaluations
    adapted = [Adapted(r) for r in resources]
    total = len(adapted)
    for done, a in enumerate(adapted):
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done, total)
        r = a.resource
        rules = active.get(r.type)
        if not rules:
            continue
        # One args object per resource: rules take their config as a parameter.
        args = a.resource_args({})
        for rule, config in rules:
            try:
                found = list(rule.check(args, config))
            except UnknownValueError:
                if record:
                    evaluations.append(Evaluation(rule.id, r.name, "not-applicable"))
                continue
            if record:
                evaluations.append(Evaluation(rule.id, r.name, "fail" if found else "pass"))
            for message in found:
                out.findings.append(
                    _finding(rule, levels[rule.id], message, file, catalog, r.catalog_ref, r)
                )
    if progress is not None:
        progress(total, total)
    stack_rules = [r for r in STACK_RULES if levels[r.id] != "disabled"]
    if stack_rules:
        by_urn = {r.urn: r for r in resources}
        foreign = {r.urn for r in context}
        policy_view = policy_resources(adapted + [Adapted(r) for r in context])
        env_ref = ("environments", environment_of(stack)) if stack else None
        for rule in stack_rules:
            found = run_stack_rule(
                rule, stack_args(policy_view, configs[rule.id]), configs[rule.id]
            )
            subject = f"stack {stack}".strip()
            if found is None:
                out.evaluations.append(Evaluation(rule.id, subject, "not-applicable"))
                continue
            out.evaluations.append(Evaluation(rule.id, subject, "fail" if found else "pass"))
            for v in found:
                if v.urn in foreign:
                    continue
                res = by_urn.get(v.urn) if v.urn else None
                ref = res.catalog_ref if res is not None else env_ref
                out.findings.append(
                    _finding(rule, levels[rule.id], v.message, file, catalog, ref, res)
                )
    return out


def evaluate_preview(
    catalog: Catalog, preview: Preview, pack: Pack | None = None, *, today: str = ""
) -> list[Finding]:
    """Every enabled rule (catalog, resource, stack) over a Preview, before waivers: the
    hook `benchmarks/` times."""
    selected = pack or load_pack("baseline")
    cat = evaluate_catalog(
        catalog,
        selected,
        environment=environment_of(preview.stack),
        resources=preview.resources,
        today=today,
        stack=preview.stack,
    )
    res = evaluate_resources(
        preview.resources,
        selected,
        stack=preview.stack,
        catalog=catalog,
        file=catalog.source,
        record=False,
    )
    return cat.findings + res.findings


def evaluate_catalog(
    catalog: Catalog,
    pack: Pack,
    *,
    environment: str | None = None,
    resources: Sequence[RecordedResource] = (),
    today: str = "",
    select: Callable[[Rule], bool] | None = None,
    stack: str = "",
) -> Evaluated:
    """The catalog rules (``select``ed ones only, when given); ``stack``: whose resources."""
    out = Evaluated()
    ctx = CatalogContext(
        environment=environment, resources=tuple(resources), today=today, stack=stack
    )
    for rule in CATALOG_RULES:
        if select is not None and not select(rule):
            continue
        level = pack.level(rule.id)
        if level == "disabled":
            continue
        found = list(rule.check(catalog, pack.rule_config(rule.id), ctx))
        out.evaluations.append(Evaluation(rule.id, "catalog", "fail" if found else "pass"))
        for v in found:
            out.findings.append(
                _finding(rule, level, v.message, catalog.source, catalog, v.path, target=v.target)
            )
    return out


def check(
    catalog: Catalog,
    preview: Preview,
    pack: Pack,
    *,
    today: str | None = None,
    strict: bool = False,
    progress: Callable[[int, int], None] | None = None,
    context: Sequence[RecordedResource] = (),
) -> CheckResult:
    """`seccat check`: catalog rules, then resource and stack rules, then waivers.

    Unmatched and soon-expiring waivers are warnings in ``diagnostics`` (errors, which
    fail the check, with ``strict``). ``context``: see ``evaluate_resources``; a team
    stack (``prod.payments``) is checked in its environment (``prod``): catalog rules,
    waivers."""
    day = today or dt.date.today().isoformat()
    environment = environment_of(preview.stack)
    cat = evaluate_catalog(
        catalog,
        pack,
        environment=environment,
        resources=preview.resources,
        today=day,
        stack=preview.stack,
    )
    res = evaluate_resources(
        preview.resources,
        pack,
        stack=preview.stack,
        catalog=catalog,
        file=catalog.source,
        progress=progress,
        context=context,
    )
    raw = cat.findings + res.findings
    rules_run = tuple(r.id for r in RULES if pack.level(r.id) != "disabled")
    warnings = waiver_warnings(catalog, raw, environment, day, rules_run, strict=strict)
    findings = apply_waivers(raw, catalog.waivers, day, environment)
    findings.sort(key=lambda f: (f.file, f.line, f.column, f.rule_id, f.subject, f.message))
    return CheckResult(
        stack=preview.stack,
        catalog_file=catalog.source,
        pack=pack.name,
        findings=findings,
        evaluations=cat.evaluations + res.evaluations,
        resources=len(preview.resources),
        diagnostics=sorted(warnings),
        rules_run=rules_run,
    )
