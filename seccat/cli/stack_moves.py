"""`seccat stacks --diff`: the `pulumi state move` commands a catalog change needs."""

from __future__ import annotations

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
    from seccat.engine.preview import ProgramError
    from seccat.stacks.moves import MoveError, plan_moves, script
    from seccat.stacks.plan import PlanError, environment_of, plan_environment

    base = read_saved_previews(saved)
    lines: list[str] = []
    for env in environments:
        base_side = {s: rs for s, rs in base.items() if environment_of(s) == env}
        if not base_side:
            lines.append(f"# {env}: not in {saved}, nothing to compare")
            continue
        try:
            head_side = _previews(model, plan_environment(model, env), str(catalog_path))
            lines += script(env, plan_moves(base_side, head_side))
        except (PlanError, ProgramError, MoveError) as exc:
            raise fail(f"{env}: {exc}", EXIT_FINDINGS) from None
    emit("\n".join(lines) + "\n", out)


def read_saved_previews(saved: Path) -> dict[str, list[RecordedResource]]:
    """Each stack's resources in a saved preview document; a usage error (exit 2) when the
    file is not one."""
    import json

    from seccat.engine.recording import RecordedResource

    def refuse(why: str) -> typer.Exit:
        return fail(f"--base-preview {saved}: {why}")

    try:
        document = json.loads(saved.read_bytes())
    except OSError as exc:
        raise refuse(exc.strerror or str(exc)) from None
    except ValueError:
        raise refuse("not JSON") from None
    if not isinstance(document, dict) or document.get("schemaVersion") != 1:
        raise refuse("not a `seccat preview --format json` document (schemaVersion 1)")
    documents = document.get("stacks", [document])
    found: dict[str, list[RecordedResource]] = {}
    try:
        for one in documents:
            found[one["stack"]] = [RecordedResource.from_json(r) for r in one["resources"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise refuse(
            "not a `seccat preview --format json` document (a stack or resource lacks its fields)"
        ) from None
    return found
