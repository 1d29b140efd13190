"""One source of truth for region and account: a stack file (or the Pulumi CLI's config)
that disagrees with the catalog environment stops the program, offline and under the CLI,
with a diagnostic on the stack file's line that names the catalog line it contradicts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Position
from seccat.engine.preview import ProgramError, run_program
from seccat.stacks.consistency import KEYS, ProviderConfig, provider_config_problems
from seccat.stacks.files import (
    StackFileError,
    find_project,
    read_stack_config,
    stack_file_path,
)

ROOT = Path(__file__).resolve().parents[2]
US_EAST = (ROOT / "catalog.yaml").read_text().replace("region: eu-west-1", "region: us-east-1")


def _at(env: str, key: str) -> str:
    """`catalog.yaml:LINE:COL` of ``key`` in the flow mapping `aws: {...}` of ``env``."""
    lines = (ROOT / "catalog.yaml").read_text().splitlines()
    start = lines.index(f"  {env}:")
    for number, line in enumerate(lines[start + 1 :], start + 2):
        if line.lstrip().startswith("aws: {"):
            return f"catalog.yaml:{number}:{line.index(key + ':') + 1}"
    raise AssertionError(f"no aws mapping for {env}")


DEV_REGION, DEV_ACCOUNT = _at("dev", "region"), _at("dev", "account_id")


def _project(tmp_path: Path, catalog: str = US_EAST) -> Path:
    """A copy of the repository's project files: Pulumi.yaml, stacks/ and a catalog."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copytree(ROOT / "stacks", tmp_path / "stacks")
    (tmp_path / "catalog.yaml").write_text(catalog)
    return tmp_path


def _seccat(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


# --- the pure comparison -------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    model, _ = parse_catalog((ROOT / "catalog.yaml").read_bytes(), "catalog.yaml")
    assert model is not None
    return model


def _problems(catalog, require=True, **values):
    config = ProviderConfig(
        file="stacks/Pulumi.dev.yaml",
        region=values.get("region"),
        allowed_account_ids=values.get("accounts"),
        region_at=Position(4, 15),
        accounts_at=Position(6, 7),
    )
    return [d.render() for d in provider_config_problems(catalog, "dev", config, require=require)]


def test_agreeing_config_has_no_problem(catalog):
    assert _problems(catalog, region="eu-west-1", accounts=["111111111111"]) == []
    # YAML without quotes gives an integer account id; the same account
    assert _problems(catalog, region="eu-west-1", accounts=[111111111111]) == []


def test_another_region_is_located_on_both_files(catalog):
    assert _problems(catalog, region="us-east-1", accounts=["111111111111"]) == [
        "stacks/Pulumi.dev.yaml:4:15: error: config.aws:region: us-east-1 disagrees with "
        f"{DEV_REGION} (environments.dev.aws.region), which is eu-west-1 (STACK_CONFIG)"
    ]


def test_allowed_accounts_must_be_exactly_the_environment_account(catalog):
    assert _problems(catalog, region="eu-west-1", accounts=["222222222222"]) == [
        'stacks/Pulumi.dev.yaml:6:7: error: config.aws:allowedAccountIds: ["222222222222"] '
        'does not allow 111111111111; it must be exactly ["111111111111"], the account of '
        f"{DEV_ACCOUNT} (environments.dev.aws.account_id) (STACK_CONFIG)"
    ]
    (extra,) = _problems(catalog, region="eu-west-1", accounts=["111111111111", "222222222222"])
    assert "also allows 222222222222, so another account's credentials could deploy" in extra
    (shape,) = _problems(catalog, region="eu-west-1", accounts="111111111111")
    assert "111111111111 is not a list of account ids" in shape
    (boolean,) = _problems(catalog, region="eu-west-1", accounts=[True])
    assert "is not a list of account ids" in boolean


def test_unset_keys_are_problems_only_when_required(catalog):
    assert _problems(catalog, require=False) == []
    assert _problems(catalog, require=True) == [
        "stacks/Pulumi.dev.yaml:4:15: error: config.aws:region: not set; it must be eu-west-1, "
        f"the region of {DEV_REGION} (environments.dev.aws.region) (STACK_CONFIG)",
        "stacks/Pulumi.dev.yaml:6:7: error: config.aws:allowedAccountIds: not set; it must be "
        f'["111111111111"], the account of {DEV_ACCOUNT} '
        "(environments.dev.aws.account_id) (STACK_CONFIG)",
    ]


def test_the_repository_stack_files_agree_with_catalog_yaml(catalog):
    project = find_project(ROOT)
    assert project == ROOT
    for env in catalog.environments:
        stack = read_stack_config(stack_file_path(ROOT, env), "seccat")
        provider = ProviderConfig.from_values(stack.file, stack.values, stack.positions)
        assert provider_config_problems(catalog, env, provider, require=True) == [], env
        assert stack.position("aws:region") == Position(4, 15)


def test_stack_file_reader_locates_values_and_qualifies_project_keys(tmp_path):
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  catalog: other.yaml\n  aws:region: us-east-1\n")
    stack = read_stack_config(path, "seccat")
    assert stack.values == {"seccat:catalog": "other.yaml", "aws:region": "us-east-1"}
    assert stack.position("aws:region") == Position(3, 15)
    path.write_text("config: [1, 2]\n")
    with pytest.raises(StackFileError) as refused:
        read_stack_config(path)
    assert (
        refused.value.diagnostics[0]
        .render()
        .endswith("Pulumi.dev.yaml:1:9: error: config: must be a mapping (STACK)")
    )


# --- offline: seccat check / preview / render ----------------------------------------------


def test_check_refuses_a_us_east_1_catalog_with_eu_west_1_stack_files(tmp_path):
    project = _project(tmp_path)
    problem = (
        "stacks/Pulumi.dev.yaml:4:15: error: config.aws:region: eu-west-1 disagrees with "
        f"{DEV_REGION} (environments.dev.aws.region), which is us-east-1 (STACK_CONFIG)"
    )
    result = _seccat(project, "check", "--stack", "dev")
    assert result.returncode == 1
    # the text report (stdout) holds the problem; no rule ran
    assert result.stdout.splitlines() == [
        problem,
        "seccat check FAILED: stack dev, pack baseline: the stack file disagrees with the "
        "catalog (1 error); no rule ran",
    ]
    assert result.stderr == ""
    # another format still lands, and stderr then tells the person at the terminal
    as_json = _seccat(project, "check", "--stack", "dev", "--format", "json")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["diagnostics"][0]["code"] == "STACK_CONFIG"
    assert as_json.stderr.splitlines() == [
        problem,
        "stacks/Pulumi.dev.yaml: 1 problem(s); the stack file disagrees with catalog.yaml",
    ]
    for command in (["preview"], ["render", "--out", str(tmp_path / "r")]):
        refused = _seccat(project, *command, "--stack", "prod")
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.startswith("stacks/Pulumi.prod.yaml:4:15: error: config.aws:region")
    assert not (tmp_path / "r").exists()


def test_a_matching_project_passes_and_a_missing_stack_file_is_not_checked(tmp_path):
    catalog = (ROOT / "catalog.yaml").read_text()
    project = _project(tmp_path, catalog)
    assert _seccat(project, "preview", "--stack", "dev", "--format", "json").returncode == 0
    # no stack file for the environment (not created yet): nothing to compare offline
    (project / "stacks" / "Pulumi.dev.yaml").unlink()
    (project / "catalog.yaml").write_text(US_EAST)
    assert _seccat(project, "preview", "--stack", "dev", "--format", "json").returncode == 0


def test_an_unreadable_stack_file_exits_2_located(tmp_path):
    project = _project(tmp_path, (ROOT / "catalog.yaml").read_text())
    (project / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: [eu-west-1\n")
    result = _seccat(project, "check", "--stack", "dev")
    assert result.returncode == 2
    # the text report on stdout holds the located problem (stderr would repeat it)
    assert result.stdout.startswith("stacks/Pulumi.dev.yaml:3:1: error: ")
    assert result.stdout.splitlines()[-1] == (
        "seccat check FAILED: stack dev, pack baseline: the stack file cannot be read "
        "(1 error); no rule ran"
    )
    as_sarif = _seccat(project, "check", "--stack", "dev", "--format", "sarif")
    assert as_sarif.returncode == 2
    assert as_sarif.stderr.startswith("stacks/Pulumi.dev.yaml:3:1: error: ")
    assert "Traceback" not in result.stderr + as_sarif.stderr


# --- under the Pulumi CLI: the program reads pulumi.Config("aws") ------------------------


def _cli_config(project: Path, env: str) -> dict[str, str]:
    """What the Pulumi CLI hands the program for the project's stack file."""
    stack = read_stack_config(stack_file_path(project, env), "seccat")
    return {
        k: v if isinstance(v, str) else json.dumps(v) for k, v in stack.values.items() if k in KEYS
    }


def test_program_under_the_cli_refuses_disagreeing_config(tmp_path, monkeypatch):
    from seccat.program import main

    project = _project(tmp_path)
    monkeypatch.chdir(project)  # the Pulumi CLI runs the program in the project directory
    catalog = load_catalog(project / "catalog.yaml")
    with pytest.raises(ProgramError) as refused:
        run_program(main, catalog, "dev", "catalog.yaml", config=_cli_config(project, "dev"))
    assert str(refused.value) == (
        "stacks/Pulumi.dev.yaml:4:15: error: config.aws:region: eu-west-1 disagrees with "
        f"{DEV_REGION} (environments.dev.aws.region), which is us-east-1 (STACK_CONFIG)"
    )


def test_program_under_the_cli_requires_region_and_accounts(tmp_path, monkeypatch):
    from seccat.program import main

    project = _project(tmp_path, (ROOT / "catalog.yaml").read_text())
    monkeypatch.chdir(project)
    catalog = load_catalog(project / "catalog.yaml")
    with pytest.raises(ProgramError) as refused:
        run_program(main, catalog, "dev", "catalog.yaml", config={"aws:region": "eu-west-1"})
    assert str(refused.value).startswith(
        "stacks/Pulumi.dev.yaml:6:5: error: config.aws:allowedAccountIds: not set;"
    )
    # the agreeing stack file's values: the program runs
    preview = run_program(main, catalog, "dev", "catalog.yaml", config=_cli_config(project, "dev"))
    assert preview.named("dev-kms").type == "aws:kms/key:Key"


def test_offline_engine_passes_the_stack_file_on_to_the_same_check(catalog):
    """run_preview hands the stack file's config to the program; a disagreement the CLI
    did not catch first is still refused by the program itself."""
    from seccat.engine.preview import run_preview

    with pytest.raises(ProgramError, match=r"config\.aws:region: us-east-1 disagrees"):
        run_preview(catalog, "dev", "catalog.yaml", stack_config={"aws:region": "us-east-1"})
