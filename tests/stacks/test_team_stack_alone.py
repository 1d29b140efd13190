"""A team stack judged alone, as CrossGuard judges it (`pulumi preview --policy-pack` sees one
stack, without its platform's resources): an owner-rotated secret's renewal schedule and
alarms are in the team stack that holds the secret, so SECCAT-AWS-002 passes there. The
only rules that need the platform's resources are the two docs/stacks.md names."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog, StackSettings
from seccat.checking.packs import load_pack
from seccat.checking.runner import evaluate_resources
from seccat.engine.preview import run_preview
from seccat.stacks.plan import plan_environment

ROOT = Path(__file__).resolve().parents[2]
#: docs/stacks.md, "Known limits": what only the platform stack deploys.
NEEDS_THE_PLATFORM = {"SECCAT-ALM-003", "SECCAT-VLT-009"}


@pytest.fixture(scope="module")
def split() -> Catalog:
    return replace(load_catalog(ROOT / "catalog.yaml"), stacks=StackSettings(mode="split"))


def _failing(catalog: Catalog, stack: str, drop: str = "") -> dict[str, list[str]]:
    resources = [
        r
        for r in run_preview(catalog, stack, "catalog.yaml").resources
        if not drop or drop not in r.name
    ]
    found = evaluate_resources(resources, load_pack("baseline"), stack=stack, catalog=catalog)
    out: dict[str, list[str]] = {}
    for f in found.findings:
        if f.enforcement == "mandatory" and not f.waived:
            out.setdefault(f.rule_id, []).append(f.message)
    return out


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_team_stacks_alone_fail_only_on_what_the_platform_deploys(
    split: Catalog, environment: str
) -> None:
    shards = [s.name for s in plan_environment(split, environment).stacks if s.kind == "shard"]
    assert len(shards) == 3
    for stack in shards:
        assert set(_failing(split, stack)) <= NEEDS_THE_PLATFORM, stack


def test_a_team_stack_without_a_secrets_renewal_schedule_fails_aws_002(split: Catalog) -> None:
    """Negative control: the watch is judged where it now lives."""
    found = _failing(split, "prod.payments", drop="renewal-check-payments/stripe-api-key")
    assert found.get("SECCAT-AWS-002") == [
        "owner-rotated secret 'prod/payments/stripe-api-key' has no rotation function and is "
        "not watched: no schedule runs its renewal check"
    ]
