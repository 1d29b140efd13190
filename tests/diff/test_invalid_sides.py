"""Either catalog, or both, may be invalid: `seccat diff` still reports, and says so."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from seccat.checking.packs import load_pack
from seccat.diff.base import BaseCatalog
from seccat.diff.compare import diff_catalogs
from tests.diff.conftest import ROOT, edit, run

GOOD = (ROOT / "catalog.yaml").read_text()
CONSUMER = "- {service: checkout-api, access: read, environments: [dev, prod]}"
#: The most common pull-request mistake: a misspelled service.
BAD = edit(GOOD, CONSUMER, CONSUMER.replace("checkout-api", "chekout-api"))
ERROR = "unknown service 'chekout-api'; did you mean 'checkout-api'?"


def _folder(tmp_path: Path, base: str, head: str) -> Path:
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "catalog.yaml").write_text(head)
    return tmp_path


def test_an_invalid_head_is_a_new_located_error(tmp_path: Path) -> None:
    folder = _folder(tmp_path, GOOD, BAD)
    done = run(["diff", "--base", "base.yaml", "--all-stacks", "--format", "json"], folder)
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert document["head"]["valid"] is False and document["stacks"] == []
    (error,) = document["validation"]["new"]
    assert (error["ruleId"], error["location"]["line"], error["message"]) == (
        "UNKNOWN_REF",
        111,
        ERROR,
    )
    assert document["verdict"]["reasons"] == ["1 new mandatory finding"]
    text = run(["diff", "--base", "base.yaml", "--all-stacks"], folder)
    assert text.returncode == 1
    assert text.stdout.splitlines()[3:] == [
        f"  new: catalog.yaml:111:19: error: UNKNOWN_REF high: {ERROR}",
        "the head catalog is invalid: no stack could be compared",
    ]


def test_the_same_error_in_both_is_pre_existing(tmp_path: Path) -> None:
    folder = _folder(tmp_path, BAD, BAD)
    done = run(["diff", "--base", "base.yaml", "--stack", "prod"], folder)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "seccat diff: base base.yaml -> head catalog.yaml, pack baseline",
        "passed: the catalog is invalid, as the base is, with no new errors",
        "catalog validation: 0 new, 0 fixed, 1 pre-existing errors",
        f"  pre-existing: catalog.yaml:111:19: error: UNKNOWN_REF high: {ERROR}",
        "the head catalog is invalid: no stack could be compared",
    ]
    markdown = run(["diff", "--base", "base.yaml", "--stack", "prod", "-f", "markdown"], folder)
    assert markdown.stdout.splitlines()[1] == (
        "**⚠️ seccat:** the catalog is invalid, as it was in the base (no new errors)."
    )


def test_an_invalid_base_makes_everything_new_and_says_why() -> None:
    result = diff_catalogs(
        BaseCatalog("base.yaml", BAD.encode()),
        "catalog.yaml",
        GOOD.encode(),
        stacks=["staging"],
        pack=load_pack("baseline"),
        today=dt.date.today().isoformat(),
    )
    assert [(f.rule_id, f.message) for f in result.validation.fixed] == [("UNKNOWN_REF", ERROR)]
    (staging,) = result.stacks
    assert staging.removed == [] and len(staging.added) == 11
    # every finding would be new; the example catalog has none (its owner-rotated secrets
    # are watched, not waived)
    assert staging.findings.new == [] and staging.findings.existing == []
    # every reader of a restricted secret is new, so each needs an approval
    assert {(a.principal.name, a.secret) for a in result.unapproved} == {
        ("seccat-staging-checkout-api", "payments/orders-db-app"),
        ("seccat-staging-billing-worker", "payments/orders-db-app"),
        ("seccat-staging-rotate-payments_orders-db-app", "payments/orders-db-admin"),
        ("auth-service", "identity/jwt-signing-key"),
    }
    from seccat.reports import diff_text

    assert diff_text.render(result).splitlines()[2] == (
        "note: the base catalog is invalid: its stacks cannot run, so everything in the head "
        "is shown as added and every finding as new"
    )
