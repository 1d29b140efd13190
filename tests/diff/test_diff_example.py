"""`seccat diff` on the example catalog against the changed copy (tests/diff/conftest.py):
exactly those changes, in every format, as users see them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from seccat.checking.packs import load_pack
from seccat.diff.approvals import parse_approval
from seccat.diff.base import resolve_base
from seccat.diff.compare import diff_catalogs
from seccat.diff.model import DiffResult
from tests.diff.conftest import ROOT, modified_catalog, run

BILLING = "arn:aws:iam::222222222222:role/seccat-prod-billing-worker"
WEBHOOK_ROTATION = "arn:aws:iam::222222222222:role/seccat-prod-rotate-payments_webhook-signing-key"
READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
ROTATE = [*READ, "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]


@pytest.fixture(scope="module")
def result(change_dir: Path) -> DiffResult:
    base = resolve_base(str(change_dir / "base.yaml"), change_dir / "catalog.yaml")
    return diff_catalogs(
        base,
        "catalog.yaml",
        (change_dir / "catalog.yaml").read_bytes(),
        all_stacks=True,
        pack=load_pack("baseline"),
        today=dt.date.today().isoformat(),
    )


def _summary(stack: dict) -> dict:
    """What changed in one stack of the JSON, in a few comparable values."""
    return {
        "added": [s["secret"] for s in stack["secrets"]["added"]],
        "removed": [(s["secret"], s["unretiredRemoval"]) for s in stack["secrets"]["removed"]],
        "changed": [
            (s["secret"], [(c["field"], c["before"], c["after"]) for c in s["changes"]])
            for s in stack["secrets"]["changed"]
        ],
        "rotation": [
            (r["secret"], r["before"], r["after"], r["direction"]) for r in stack["rotation"]
        ],
        "classification": stack["classification"],
        "compliance": stack["compliance"],
        "granted": [
            (a["principal"]["id"], a["secret"], a["actions"], a["needsApproval"], a["approval"])
            for a in stack["access"]["granted"]
        ],
        "revoked": [
            (a["principal"]["id"], a["secret"], a["actions"], a["actionsAfter"])
            for a in stack["access"]["revoked"]
        ],
        "trustGranted": stack["trust"]["granted"],
        "trustRevoked": [
            (t["role"]["id"], t["trusted"], t["action"]) for t in stack["trust"]["revoked"]
        ],
        "newFindings": stack["findings"]["new"],
        "fixedFindings": stack["findings"]["fixed"],
        "errors": stack["errors"],
    }


LDAP = ("identity/ldap-bind-password", "every 60d", "every 90d", "longer")
QUIET_STACK = {
    "added": [],
    "removed": [],
    "changed": [("identity/ldap-bind-password", [("rotation", "every 60d", "every 90d")])],
    "rotation": [LDAP],
    "classification": [],
    "compliance": [],
    "granted": [],
    "revoked": [],
    "trustGranted": [],
    "trustRevoked": [],
    "newFindings": [],
    "fixedFindings": [],
    "errors": [],
}
PROD = {
    **QUIET_STACK,
    "removed": [("payments/webhook-signing-key", True)],
    "changed": [
        ("identity/ldap-bind-password", [("rotation", "every 60d", "every 90d")]),
        (
            "payments/stripe-api-key",
            [("consumers", "checkout-api (read)", "billing-worker (read), checkout-api (read)")],
        ),
    ],
    "granted": [(BILLING, "payments/stripe-api-key", READ, True, None)],
    # Leaving prod takes the secret's readers with it: the consumer and its rotation role.
    "revoked": [
        (BILLING, "payments/webhook-signing-key", READ, []),
        (WEBHOOK_ROTATION, "payments/webhook-signing-key", ROTATE, []),
    ],
    "trustRevoked": [(WEBHOOK_ROTATION, "service:lambda.amazonaws.com", "sts:AssumeRole")],
}


def test_the_change_is_reported_exactly_in_every_stack(result: DiffResult) -> None:
    document = json.loads(json.dumps(result.to_json()))
    assert [s["stack"] for s in document["stacks"]] == ["dev", "staging", "prod"]
    summaries = {s["stack"]: _summary(s) for s in document["stacks"]}
    assert summaries == {"dev": QUIET_STACK, "staging": QUIET_STACK, "prod": PROD}
    assert document["verdict"] == {
        "failed": True,
        "reasons": ["1 unapproved access grant to restricted secrets"],
        "failOn": ["new-findings", "unapproved-access"],
        "approvalFor": "restricted",
        "newMandatoryFindings": 0,
        "unapprovedAccess": 1,
        "unretiredRemovals": 1,
    }
    # the base's findings are the baseline: nothing is new or fixed, and the example
    # catalog has no finding to begin with (its owner-rotated secrets are watched, not
    # waived)
    prod = document["stacks"][2]["findings"]
    assert prod["existing"] == [] and prod["new"] == [] and prod["fixed"] == []


def test_the_access_extraction_reads_the_documents_not_the_catalog(result: DiffResult) -> None:
    """The grant cites the two documents that carry it: the consumer's role policy and the
    secret's resource policy."""
    (grant,) = result.stacks[2].granted
    assert grant.principal.service == "billing-worker"
    assert grant.after == frozenset(READ)
    edge = next(
        e
        for e in _head_graph(result).edges
        if e.principal.id == BILLING and e.secret == "payments/stripe-api-key"
    )
    assert edge.sources == (
        "prod/billing-worker/secrets-policy",
        "prod/payments/stripe-api-key/policy",
    )


def _head_graph(result: DiffResult):  # type: ignore[no-untyped-def]
    from seccat.access import access_graph
    from seccat.catalog.loader import parse_catalog
    from seccat.engine.preview import run_preview

    text = modified_catalog((ROOT / "catalog.yaml").read_text())
    catalog, _ = parse_catalog(text, "catalog.yaml")
    assert catalog is not None
    return access_graph(run_preview(catalog, "prod", "catalog.yaml"))


EXPECTED_TEXT = """\
seccat diff: base base.yaml -> head catalog.yaml, pack baseline
FAILED: 1 unapproved access grant to restricted secrets

stack prod (protected)
  access:
    + billing-worker (AWS role seccat-prod-billing-worker) -> payments/stripe-api-key [restricted]: DescribeSecret, GetSecretValue  catalog.yaml:112:9  NEEDS APPROVAL: --approve prod:payments/stripe-api-key:billing-worker
    - billing-worker (AWS role seccat-prod-billing-worker) -> payments/webhook-signing-key [confidential]: DescribeSecret, GetSecretValue  catalog.yaml:150:9
    - rotation of payments/webhook-signing-key (AWS role seccat-prod-rotate-payments_webhook-signing-key) -> payments/webhook-signing-key [confidential]: DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage  catalog.yaml:139:3
  trust (who can become a role):
    - service:lambda.amazonaws.com (sts:AssumeRole) -> seccat-prod-rotate-payments_webhook-signing-key
  secrets:
    - payments/webhook-signing-key (confidential, active)  catalog.yaml:146:5  WARNING: removed from a protected environment without lifecycle: retired first
    ~ identity/ldap-bind-password: rotation: every 60d -> every 90d (longer)  catalog.yaml:175:3
    ~ payments/stripe-api-key: consumers: checkout-api (read) -> billing-worker (read), checkout-api (read)  catalog.yaml:101:3
  findings: 0 new, 0 fixed, 0 pre-existing
"""  # noqa: E501


def test_text_output_and_exit_code(change_dir: Path) -> None:
    done = run(["diff", "--base", "base.yaml", "--stack", "prod"], change_dir)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout == EXPECTED_TEXT


def test_an_approval_lets_it_pass_and_is_reported(change_dir: Path, tmp_path: Path) -> None:
    approvals = tmp_path / "approvals.txt"
    approvals.write_text("# reviewed by security\nprod:payments/stripe-api-key:billing-worker\n")
    done = run(
        ["diff", "--base", "base.yaml", "--stack", "prod", "--approvals", str(approvals)],
        change_dir,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[1] == (
        "passed: no new mandatory findings, no unapproved access to restricted secrets"
    )
    assert f"approved by prod:payments/stripe-api-key:billing-worker ({approvals}:2)" in done.stdout


def test_approvals_match_the_service_the_role_or_the_id(result: DiffResult) -> None:
    (grant,) = result.stacks[2].granted
    env, secret, who = "prod", grant.secret, grant.principal
    assert parse_approval("prod:payments/stripe-api-key:billing-worker", "t").matches(
        env, secret, who
    )
    assert parse_approval("*:payments/*:seccat-prod-billing-*", "t").matches(env, secret, who)
    assert parse_approval(f"prod:payments/stripe-api-key:{BILLING}", "t").matches(env, secret, who)
    # negative controls: another service, another environment, another secret
    assert not parse_approval("prod:payments/*:checkout-api", "t").matches(env, secret, who)
    assert not parse_approval("dev:payments/stripe-api-key:*", "t").matches(env, secret, who)
    assert not parse_approval("prod:payments/orders-db-app:*", "t").matches(env, secret, who)
    # brackets are letters (only * and ? are wildcards): no character class widens one
    assert not parse_approval("[p]rod:payments/*:*", "t").matches(env, secret, who)
    assert not parse_approval("prod:payments/[a-z]*:*", "t").matches(env, secret, who)


def test_fail_on_chooses_what_blocks(change_dir: Path, result: DiffResult) -> None:
    nothing = run(
        ["diff", "--base", "base.yaml", "--stack", "prod", "--fail-on", "none"], change_dir
    )
    assert nothing.returncode == 0
    assert nothing.stdout.splitlines()[1].startswith("passed: ")
    removal = replace(result, fail_on=("unretired-removal",))
    assert removal.reasons() == [
        "1 secret removed from a protected environment without lifecycle: retired"
    ]
    assert replace(result, fail_on=("new-findings",)).reasons() == []
    bad = run(["diff", "--base", "base.yaml", "--stack", "prod", "--fail-on", "all"], change_dir)
    assert bad.returncode == 2
    assert bad.stderr == (
        "seccat: error: --fail-on 'all': one of new-findings, unapproved-access, "
        "unretired-removal, none\n"
    )


def test_json_stdout_and_out_are_the_same_bytes(change_dir: Path, tmp_path: Path) -> None:
    args = ["diff", "--base", "base.yaml", "--stack", "prod", "--format", "json"]
    stdout = run(args, change_dir)
    written = run([*args, "--out", str(tmp_path / "diff.json")], change_dir)
    assert stdout.returncode == written.returncode == 1
    assert (tmp_path / "diff.json").read_bytes() == stdout.stdout.encode()
    assert written.stdout == ""
    assert written.stderr == "FAILED: 1 unapproved access grant to restricted secrets\n"
    document = json.loads(stdout.stdout)
    assert document["schemaVersion"] == 1
    assert stdout.stdout.isascii() and stdout.stdout.endswith("}\n")
    assert _summary(document["stacks"][0]) == PROD


def test_the_base_can_be_a_git_revision_and_the_work_tree_is_untouched(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    original = (ROOT / "catalog.yaml").read_text()
    (repo / "catalog.yaml").write_text(original)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    git("init", "-q", "-b", "main")
    git("add", "catalog.yaml")
    git("commit", "-qm", "base")
    (repo / "catalog.yaml").write_text(modified_catalog(original))
    before = (git("status", "--porcelain"), git("rev-parse", "HEAD"), git("stash", "list"))
    done = run(["diff", "--base", "main", "--stack", "prod"], repo)
    assert done.returncode == 1
    sha = git("rev-parse", "HEAD").strip()
    assert done.stdout.splitlines()[0] == (
        f"seccat diff: base main:catalog.yaml ({sha[:12]}) -> head catalog.yaml, pack baseline"
    )
    assert done.stdout.splitlines()[1:] == EXPECTED_TEXT.splitlines()[1:]
    assert (git("status", "--porcelain"), git("rev-parse", "HEAD"), git("stash", "list")) == before
    assert (repo / "catalog.yaml").read_text() == modified_catalog(original)
    # a revision that does not exist is a usage error that says how to get it
    missing = run(["diff", "--base", "origin/nope", "--stack", "prod"], repo)
    assert missing.returncode == 2
    assert missing.stderr == (
        "seccat: error: --base origin/nope: no such file, and not a revision of repo (fetch it "
        "first, e.g. git fetch origin main)\n"
    )
    # an option smuggled in as a revision is refused before git sees it
    sneaky = run(["diff", "--base=--output=/tmp/x", "--stack", "prod"], repo)
    assert sneaky.returncode == 2 and "not a file, and not a git revision" in sneaky.stderr


def test_usage_errors_exit_2(change_dir: Path) -> None:
    none = run(["diff", "--base", "base.yaml"], change_dir)
    assert (none.returncode, none.stderr) == (
        2,
        "seccat: error: name the stacks to compare: --stack NAME (repeatable) or --all-stacks\n",
    )
    unknown = run(["diff", "--base", "base.yaml", "--stack", "qa"], change_dir)
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "seccat: error: stack 'qa' names no environment in either catalog "
        "(known: dev, staging, prod)\n"
    )
    approval = run(
        ["diff", "--base", "base.yaml", "--stack", "prod", "--approve", "prod"], change_dir
    )
    assert approval.returncode == 2
    assert "is not an approval; write ENVIRONMENT:SECRET:PRINCIPAL" in approval.stderr
