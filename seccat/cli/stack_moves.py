"""`seccat stacks --diff`: the `pulumi state move` commands a catalog change needs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from seccat.cli.app import EXIT_FINDINGS
from seccat.cli.common import emit, fail

if TYPE_CHECKING:
    from seccat.catalog.model import Catalog
    from seccat.engine.recording import RecordedResource
    from seccat.stacks.plan import EnvironmentPlan


def _placement(plan: EnvironmentPlan) -> tuple[object, ...]:
    return tuple((s.name, s.kind, s.secrets, s.services, s.teams) for s in plan.stacks)


def _previews(
    model: Catalog, plan: EnvironmentPlan, source: str
) -> dict[str, list[RecordedResource]]:
    """Each planned stack's recorded resources, previewed offline."""
    from seccat.engine.preview import run_preview

    return {s.name: run_preview(model, s.name, source).resources for s in plan.stacks}


def print_moves(
    base: str, catalog_path: Path, model: Catalog, environments: list[str], out: Path | None
) -> None:
    """Per environment: nothing, or the commands (previews of both sides, offline)."""
    from seccat.catalog.loader import parse_catalog
    from seccat.diff.base import BaseError, resolve_base
    from seccat.engine.preview import ProgramError
    from seccat.stacks.moves import MoveError, MovePlan, moved_entries, plan_moves, script
    from seccat.stacks.plan import PlanError, plan_environment

    try:
        found = resolve_base(base, catalog_path)
    except BaseError as exc:
        raise fail(str(exc)) from None
    before = None
    if found.raw is not None:
        before, diagnostics = parse_catalog(found.raw, found.source)
        if before is None or any(d.severity == "error" for d in diagnostics):
            raise fail(f"the base catalog {found.source} is invalid", EXIT_FINDINGS)
    lines: list[str] = []
    for env in environments:
        if before is None or env not in before.environments:
            lines.append(f"# {env}: new environment, nothing to move")
            continue
        try:
            old, new = plan_environment(before, env), plan_environment(model, env)
            if _placement(old) == _placement(new):
                lines += script(env, MovePlan())
                continue
            base_side = _previews(before, old, found.source)
            head_side = _previews(model, new, str(catalog_path))
            moves = plan_moves(base_side, head_side, moved_entries(old, new))
            lines += script(env, moves)
        except (PlanError, ProgramError, MoveError) as exc:
            raise fail(f"{env}: {exc}", EXIT_FINDINGS) from None
    emit("\n".join(lines) + "\n", out)


def print_preview_moves(
    saved: Path, catalog_path: Path, model: Catalog, environments: list[str], out: Path | None
) -> None:
    """As ``print_moves``, against a saved `seccat preview --format json` (one stack or
    `--all-stacks`) instead of the base catalog's previews: what a change of seccat itself
    moves (an upgrade that places resources in other stacks) is seen only by comparing with
    what the old version previewed."""
    from seccat.catalog.untrusted import escape
    from seccat.engine.preview import ProgramError
    from seccat.stacks.moves import MoveError, plan_moves, script
    from seccat.stacks.plan import PlanError, environment_of, plan_environment

    base = read_saved_previews(saved)
    lines: list[str] = []
    for env in environments:
        base_side = {s: rs for s, rs in base.items() if environment_of(s) == env}
        if not base_side:
            lines.append(f"# {env}: not in {escape(str(saved))}, nothing to compare")
            continue
        try:
            head_side = _previews(model, plan_environment(model, env), str(catalog_path))
            lines += script(env, plan_moves(base_side, head_side))
        except (PlanError, ProgramError, MoveError) as exc:
            raise fail(f"{env}: {exc}", EXIT_FINDINGS) from None
    emit("\n".join(lines) + "\n", out)


def _stack_name() -> re.Pattern[str]:
    """The stack names seccat plans (docs/stacks.md): ``<env>``, ``<env>.<team>``, and a
    hash bucket or shard ``<env>.<team>.<n|shard>``, from the catalog's alphabets, so a
    saved preview cannot smuggle quotes, line breaks or a leading '-' into the commands."""
    from seccat.catalog.alphabets import ALPHABETS

    env, team, shard = (ALPHABETS[k].pattern for k in ("environment", "team", "shard"))
    return re.compile(rf"(?:{env})(?:\.(?:{team})(?:\.(?:[0-9]+|{shard}))?)?")


def read_saved_previews(saved: Path) -> dict[str, list[RecordedResource]]:
    """Each stack's resources in a saved preview document; a usage error (exit 2) when the
    file is not one. Its text is printed into a script users paste into a shell: every
    field that can reach it must be what a seccat preview writes (plain visible text, stack
    names of seccat's alphabet, parents without cycles), else the file is refused, located
    (``stacks[1].resources[4].name``)."""
    import json

    from seccat.catalog.untrusted import quoted
    from seccat.engine.recording import RecordedResource
    from seccat.inputs import read_regular

    def refuse(why: str) -> typer.Exit:
        return fail(f"--base-preview {saved}: {why}")

    try:
        document = json.loads(read_regular(saved))
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    except ValueError:
        raise refuse("not JSON") from None
    except RecursionError:
        raise refuse("not JSON (nested too deeply)") from None
    if not isinstance(document, dict) or document.get("schemaVersion") != 1:
        raise refuse("not a `seccat preview --format json` document (schemaVersion 1)")
    documents = document.get("stacks", [document])
    prefix = "stacks[{}]." if "stacks" in document else ""
    found: dict[str, list[RecordedResource]] = {}
    try:
        for i, one in enumerate(documents):
            where, stack = prefix.format(i), one["stack"]
            if not isinstance(stack, str) or not _stack_name().fullmatch(stack):
                shown = quoted(stack) if isinstance(stack, str) else type(stack).__name__
                raise refuse(f"{where}stack: not a seccat stack name: {shown}")
            if stack in found:
                raise refuse(f"{where}stack: {quoted(stack)} is there twice")
            resources = [RecordedResource.from_json(r) for r in one["resources"]]
            problem = _hostile(resources)
            if problem is not None:
                raise refuse(f"{where}resources[{problem[0]}].{problem[1]}")
            found[stack] = resources
    except (KeyError, TypeError, ValueError, AttributeError):
        raise refuse(
            "not a `seccat preview --format json` document (a stack or resource lacks its fields)"
        ) from None
    return found


def _hostile(resources: list[RecordedResource]) -> tuple[int, str] | None:
    """(index, ``field: why``) of the first resource with text a seccat preview never
    writes (a control, bidi or other invisible character) or whose parents form a cycle."""
    for index, r in enumerate(resources):
        provider = r.provider
        fields = [("type", r.type), ("name", r.name), ("urn", r.urn), ("parent", r.parent)]
        fields += [("catalogRef", p) for p in r.catalog_ref or ()]
        fields += [("dependencies", u) for u in r.dependencies]
        if provider is not None:
            fields += [
                (f"provider.{name}", getattr(provider, name))
                for name in ("package", "urn", "region", "account")
            ]
        for name, text in fields:
            if text is not None and not text.isprintable():
                bad = next(c for c in text if not c.isprintable())
                return index, f"{name}: contains U+{ord(bad):04X}, a control or invisible character"
    parents = {r.urn: r.parent for r in resources}
    clear: set[str] = set()
    for index, r in enumerate(resources):
        seen: set[str] = set()
        urn: str | None = r.urn
        while urn is not None and urn in parents and urn not in clear:
            if urn in seen:
                return index, "parent: the parents form a cycle"
            seen.add(urn)
            urn = parents[urn]
        clear |= seen
    return None
