"""The stack plan (issue 12, item 1): modes, budget, stable placement, `shard:` labels, and
`seccat stacks` with its formats and generated stack files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from catalog_gen import generate

from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Catalog, StackSettings
from seccat.stacks.plan import (
    bucket_hash,
    environment_of,
    make_environment_plan,
    plan_environment,
)

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SECCAT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def _catalog(n: int, teams: int = 2) -> Catalog:
    catalog, diagnostics = parse_catalog(generate(n, n_teams=teams, services_per_team=2).encode())
    assert catalog is not None, diagnostics
    return catalog


def _placement(catalog: Catalog, env: str = "prod") -> dict[str, str]:
    plan = plan_environment(catalog, env)
    return {
        i: plan.stack_of_secret(i)
        for i in catalog.secrets
        if env in catalog.secrets[i].environments
    }


def test_small_catalogs_stay_one_stack_and_mode_split_forces_micro_stacks() -> None:
    example = load_catalog(ROOT / "catalog.yaml")
    assert [s.kind for s in plan_environment(example, "prod").stacks] == ["single"]
    split = replace(example, stacks=StackSettings(mode="split"))
    names = [s.name for s in plan_environment(split, "prod").stacks]
    assert names == ["prod", "prod.data", "prod.identity", "prod.payments"]
    # auto splits once the environment exceeds the budget
    tight = replace(example, stacks=StackSettings(mode="auto", budget=100))
    assert plan_environment(tight, "prod").mode == "split"
    roomy = replace(example, stacks=StackSettings(mode="auto", budget=200))
    assert plan_environment(roomy, "prod").mode == "single"


def test_a_plan_is_made_once_per_catalog_object_and_equals_a_fresh_one() -> None:
    """--all-stacks plans in the parent; forked workers reuse that plan. The memo answers by
    catalog identity: an equal-looking catalog with other settings gets its own plan."""
    example = load_catalog(ROOT / "catalog.yaml")
    split = replace(example, stacks=StackSettings(mode="split"))
    first = plan_environment(split, "prod")
    assert plan_environment(split, "prod") is first
    assert first == make_environment_plan(split, "prod")
    assert plan_environment(split, "dev") == make_environment_plan(split, "dev")
    assert plan_environment(split, "dev") is not first
    # another catalog object: its own plan, never the memo's
    single = replace(split, stacks=StackSettings(mode="single"))
    assert [s.kind for s in plan_environment(single, "prod").stacks] == ["single"]
    assert plan_environment(split, "prod") is first


def test_without_a_stacks_key_a_big_environment_stays_one_stack(tmp_path: Path) -> None:
    """A catalog that grows past the budget never re-plans itself: its next `pulumi up`
    would delete what moved. `seccat stacks` says how to split it."""
    big = tmp_path / "big.yaml"
    big.write_text(generate(100, n_teams=2, services_per_team=2))
    catalog = load_catalog(big)
    assert catalog.stacks == StackSettings(mode="single", budget=500)
    assert [s.kind for s in plan_environment(catalog, "prod").stacks] == ["single"]
    shown = run("stacks", "-c", str(big))
    assert shown.returncode == 0
    assert "seccat: note: prod has " in shown.stderr
    assert "`stacks: {mode: auto}` in the catalog splits it" in shown.stderr
    big.write_text(generate(100, n_teams=2, services_per_team=2) + "stacks: {}\n")
    assert load_catalog(big).stacks.mode == "auto"
    assert plan_environment(load_catalog(big), "prod").mode == "split"


def test_adding_a_secret_never_moves_another_until_a_bucket_splits() -> None:
    """Grow one team secret by secret: a secret keeps its stack unless the team's bucket
    count doubles, and then it moves only from bucket b to bucket b + 2**k."""
    full = _catalog(300, teams=1)
    ids = sorted(i for i in full.secrets if i != "team-000/db-admin")
    settings = StackSettings(mode="split", budget=150)
    before: dict[str, str] | None = None
    splits = 0
    for count in range(40, len(ids), 20):
        keep = {"team-000/db-admin", *ids[:count]}
        catalog = replace(
            full, secrets={i: s for i, s in full.secrets.items() if i in keep}, stacks=settings
        )
        after = _placement(catalog)
        if before is not None:
            depth_before = max(_bucket(s) for s in before.values()).bit_length()
            moved = {i: (before[i], after[i]) for i in before if before[i] != after[i]}
            if moved:
                splits += 1
                for old, new in moved.values():
                    assert _bucket(new) == _bucket(old) + 2**depth_before, (old, new)
        before = after
    assert splits >= 1  # the walk crossed a split, so both branches ran


def _bucket(stack: str) -> int:
    parts = stack.split(".")
    return int(parts[2]) if len(parts) == 3 else 0


def test_buckets_follow_the_hash_and_admin_secrets_keep_their_rotated_secrets() -> None:
    catalog = replace(_catalog(200, teams=1), stacks=StackSettings(mode="split", budget=120))
    plan = plan_environment(catalog, "prod")
    shards = [s for s in plan.stacks if s.kind == "shard"]
    assert len(shards) > 1
    depth = (len(shards) - 1).bit_length()
    for spec in shards:
        for secret_id in spec.secrets:
            secret = catalog.secrets[secret_id]
            if secret.type == "database" and secret.store == "aws-secretsmanager":
                assert "team-000/db-admin" in spec.secrets  # rotated with the admin secret
            else:
                assert bucket_hash(secret_id) % 2**depth == _bucket(spec.name), secret_id


def test_a_shard_label_pins_a_secret_to_its_own_stack(tmp_path: Path) -> None:
    text = (ROOT / "catalog.yaml").read_text()
    pinned = text.replace(
        "  identity/jwt-signing-key:\n", "  identity/jwt-signing-key:\n    shard: signing\n", 1
    )
    assert pinned != text
    catalog, diagnostics = parse_catalog((pinned + "stacks: {mode: split}\n").encode())
    assert catalog is not None, diagnostics
    plan = plan_environment(catalog, "prod")
    assert plan.stack_of_secret("identity/jwt-signing-key") == "prod.identity.signing"
    assert plan.stack_of_secret("identity/ldap-bind-password") == "prod.identity"
    bad, problems = parse_catalog(pinned.replace("shard: signing", "shard: 9lives").encode())
    assert bad is None
    assert any("shard" in p.path and "a valid shard name" in p.message for p in problems)


def test_environment_of_a_stack_name() -> None:
    assert [environment_of(s) for s in ("prod", "prod.payments", "prod.payments.3")] == ["prod"] * 3


def test_stacks_formats(tmp_path: Path) -> None:
    split = tmp_path / "catalog.yaml"
    split.write_text((ROOT / "catalog.yaml").read_text() + "stacks: {mode: split}\n")
    text = run("stacks", "-c", str(split), "-s", "prod")
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == [
        "STACK          KIND      RESOURCES  SECRETS  SERVICES  AFTER",
        "prod           platform  61         0        0         -",
        "prod.data      shard     26         4        2         prod",
        "prod.identity  shard     28         4        2         prod",
        "prod.payments  shard     42         5        2         prod",
    ]
    matrix = run("stacks", "-c", str(split), "-f", "github-matrix", "--max-parallel", "3")
    assert matrix.stdout.count("\n") == 1  # one line, for $GITHUB_OUTPUT
    document = json.loads(matrix.stdout)
    assert document["maxParallel"] == 3 and document["hasShards"] is True
    assert [e["stack"] for e in document["platform"]["include"]] == ["dev", "staging", "prod"]
    assert document["shards"]["include"][0] == {
        "stack": "dev.data",
        "environment": "dev",
        "kind": "shard",
        "team": "data",
        "resources": 26,
    }
    one = json.loads(run("stacks", "-f", "github-matrix").stdout)
    assert one["hasShards"] is False and one["shards"] == {"include": []}
    unknown = run("stacks", "-s", "qa")
    assert unknown.returncode == 2 and "--stack qa: no such environment" in unknown.stderr


def test_stack_files_are_generated_checked_and_stale_ones_reported(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "catalog.yaml").write_text(
        (ROOT / "catalog.yaml").read_text().replace("$schema=schema/", "$schema=../schema/")
        + "stacks: {mode: split}\n"
    )
    missing = run("stacks", "--check", cwd=project)
    assert missing.returncode == 1
    assert "stacks/Pulumi.prod.payments.yaml:1:1: error: missing" in missing.stderr
    wrote = run("stacks", "--write", cwd=project)
    assert wrote.returncode == 0, wrote.stderr
    generated = (project / "stacks" / "Pulumi.prod.payments.yaml").read_text()
    assert generated.startswith("# Generated by `seccat stacks --write` from Pulumi.prod.yaml")
    assert generated.endswith(
        (project / "stacks" / "Pulumi.prod.yaml").read_text().split("config:", 1)[1]
    )
    assert run("stacks", "--check", cwd=project).returncode == 0
    # the generated file is the stack file the offline commands read: same provider guard
    checked = run("preview", "--stack", "prod.payments", cwd=project)
    assert checked.returncode == 0, checked.stderr
    # drift in the environment's file reaches the team stacks' files only by --write
    env_file = project / "stacks" / "Pulumi.prod.yaml"
    env_file.write_text(env_file.read_text().replace("vault.prod.example.com", "vault2.example"))
    drift = run("stacks", "--check", cwd=project)
    assert drift.returncode == 1 and "Pulumi.prod.payments.yaml:" in drift.stderr
    assert "differs from what `seccat stacks --write` generates" in drift.stderr
    # a team stack the plan no longer has
    (project / "catalog.yaml").write_text(
        (project / "catalog.yaml").read_text().replace("stacks: {mode: split}", "")
    )
    stale = run("stacks", "--check", cwd=project)
    assert stale.returncode == 1
    assert "Pulumi.prod.data.yaml:1:1: error: the plan has no such stack" in stale.stderr


def test_a_generated_stack_file_that_is_no_text_or_a_folder_is_reported_not_a_traceback(
    tmp_path: Path,
) -> None:
    """Red-team finding: --check and --write read the generated files with read_text, so a
    binary file or a folder in their place raised UnicodeDecodeError/IsADirectoryError."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "catalog.yaml").write_text(
        (ROOT / "catalog.yaml").read_text().replace("$schema=schema/", "$schema=../schema/")
        + "stacks: {mode: split}\n"
    )
    assert run("stacks", "--write", cwd=project).returncode == 0
    team = project / "stacks" / "Pulumi.prod.payments.yaml"
    team.write_bytes(b"\xff\xfe not UTF-8")
    binary = run("stacks", "--check", cwd=project)
    assert (binary.returncode, binary.stdout) == (1, "")
    assert binary.stderr.startswith(
        "stacks/Pulumi.prod.payments.yaml:1:1: error: differs from what `seccat stacks --write`"
    )
    rewritten = run("stacks", "--write", cwd=project)
    assert rewritten.returncode == 0, rewritten.stderr
    assert rewritten.stderr == "wrote stacks/Pulumi.prod.payments.yaml\n"
    team.unlink()
    team.mkdir()
    folder = run("stacks", "--check", cwd=project)
    assert (folder.returncode, folder.stdout) == (2, "")
    assert folder.stderr.startswith(
        "stacks/Pulumi.prod.payments.yaml:1:1: error: cannot be read: it is a folder, not a "
        "stack file: remove it (READ)\n"
    )
    refused = run("stacks", "--write", cwd=project)
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == (
        "seccat: error: stacks/Pulumi.prod.payments.yaml: cannot write: it is a folder, not a "
        "stack file: remove it\n"
    )


@pytest.mark.parametrize("stack", ["prod.nope", "prod.payments"])
def test_offline_commands_take_team_stacks_of_a_split_catalog(tmp_path: Path, stack: str) -> None:
    single = run("preview", "--stack", stack)  # the example catalog is one stack per env
    assert single.returncode == 2
    assert "is not a stack of environment 'prod' (its stacks: prod)" in single.stderr


def test_under_the_cli_a_split_platform_stack_waits_for_its_team_stack_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pulumi up prod` of a freshly split environment would delete every team resource
    the stack still holds: the program refuses until `seccat stacks --write` ran."""
    from seccat.engine.preview import ProgramError, run_program
    from seccat.program import main
    from seccat.stacks.files import read_stack_config, stack_file_path

    project = tmp_path / "project"
    shutil.copytree(ROOT / "stacks", project / "stacks")
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "catalog.yaml").write_text(
        (ROOT / "catalog.yaml").read_text() + "stacks: {mode: split}\n"
    )
    monkeypatch.chdir(project)
    values = read_stack_config(stack_file_path(project, "prod"), "seccat").values
    config = {
        k: v if isinstance(v, str) else json.dumps(v)
        for k, v in values.items()
        if k in ("aws:region", "aws:allowedAccountIds")
    }
    catalog = load_catalog(project / "catalog.yaml")
    with pytest.raises(ProgramError, match=r"the stack files of prod\.data, prod\.identity, "):
        run_program(main, catalog, "prod", "catalog.yaml", config=config)
    assert run("stacks", "--write", cwd=project).returncode == 0
    platform = run_program(main, catalog, "prod", "catalog.yaml", config=config)
    assert platform.named("prod-kms").type == "aws:kms/key:Key"
    # a team stack under the CLI: its own generated stack file, the same provider guard
    team = run_program(main, catalog, "prod.payments", "catalog.yaml", config=config)
    secrets = {r.name for r in team.of_type("aws:secretsmanager/secret:Secret")}
    assert "prod/payments/stripe-api-key" in secrets and not team.of_type("aws:kms/key:Key")
    with pytest.raises(ProgramError, match=r"is not a stack of environment .prod."):
        run_program(main, catalog, "prod.nope", "catalog.yaml", config=config)
