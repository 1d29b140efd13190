"""Every rule on its fixtures, through the same policy objects the pack registers."""

from __future__ import annotations

import pytest
from policy_harness import (
    FIXTURES,
    NOT_APPLICABLE,
    analyze,
    analyze_stack,
    fixtures,
    run_case,
)
from pulumi.runtime.proto import analyzer_pb2

from seccat.policies.registry import RULES, RULES_BY_ID, pack_policies

CASES = [
    pytest.param(rule.id, kind, i, id=f"{rule.id}-{kind}-{i}")
    for rule in RULES
    for kind in ("pass", "fail")
    for i in range(len(fixtures(rule.id)[kind]))
]


def test_every_rule_has_passing_and_failing_fixtures() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(RULES_BY_ID)
    for rule in RULES:
        cases = fixtures(rule.id)
        assert cases["pass"] and cases["fail"], rule.id


@pytest.mark.parametrize(("rule_id", "kind", "index"), CASES)
def test_rule_fixture(rule_id: str, kind: str, index: int) -> None:
    rule = RULES_BY_ID[rule_id]
    case = fixtures(rule_id)[kind][index]
    found = run_case(rule, case)
    assert found is not NOT_APPLICABLE, case["name"]
    if kind == "pass":
        assert found == [], case["name"]
    else:
        assert found, case["name"]
        for expected in case["expect"]:
            assert any(expected in message for message in found), (expected, found)


WIRE_CASES = [c for c in CASES if RULES_BY_ID[c.values[0]].scope != "catalog"]


@pytest.mark.parametrize(("rule_id", "kind", "index"), WIRE_CASES)
def test_rule_fixture_over_the_analyzer_protocol(rule_id: str, kind: str, index: int) -> None:
    """The same fixtures as protobuf requests to pulumi_policy's analyzer servicer: props
    through Struct (numbers as floats), config through Configure, mandatory enforcement."""
    rule = RULES_BY_ID[rule_id]
    case = fixtures(rule_id)[kind][index]
    scope_call = analyze if rule.scope == "resource" else analyze_stack
    response = scope_call(rule, case)
    assert not response.not_applicable, case["name"]
    messages = [d.message for d in response.diagnostics]
    if kind == "pass":
        assert messages == []
        return
    assert messages
    for d in response.diagnostics:
        assert d.policyName == rule_id
        assert d.enforcementLevel == analyzer_pb2.MANDATORY
        assert d.message.startswith(rule.description)
    for expected in case["expect"]:
        assert any(expected in m for m in messages), (expected, messages)


def test_unknown_values_make_a_rule_not_applicable_never_a_crash() -> None:
    """During a preview the engine passes unknown sentinels; touching one means N/A."""
    unknown_string = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    rule = RULES_BY_ID["SECCAT-AWS-001"]
    case = {
        "type": "aws:secretsmanager/secret:Secret",
        "name": "s",
        "props": {"kmsKeyId": unknown_string},
    }
    assert run_case(rule, case) is NOT_APPLICABLE
    response = analyze(rule, case)
    assert [n.policy_name for n in response.not_applicable] == ["SECCAT-AWS-001"]
    assert list(response.diagnostics) == []
    policy_doc = {
        "type": "aws:iam/rolePolicy:RolePolicy",
        "name": "p",
        "props": {"policy": unknown_string},
    }
    assert run_case(RULES_BY_ID["SECCAT-IAM-004"], policy_doc) is NOT_APPLICABLE


def test_resource_rules_ignore_other_types_silently() -> None:
    rule = RULES_BY_ID["SECCAT-KMS-001"]
    response = analyze(rule, {"type": "aws:sns/topic:Topic", "name": "t", "props": {}})
    assert list(response.diagnostics) == [] and list(response.not_applicable) == []


def test_pack_registers_every_resource_and_stack_rule_with_metadata() -> None:
    policies = pack_policies()
    names = [p.name for p in policies]
    assert names == [r.id for r in RULES if r.scope != "catalog"]
    for policy in policies:
        rule = RULES_BY_ID[policy.name]
        assert policy.severity is not None and policy.severity.value == rule.severity
        assert policy.tags == list(rule.controls)
        assert policy.remediation_steps == rule.remediation


def test_rule_metadata_is_complete_and_controls_are_known_frameworks() -> None:
    prefixes = {"pci-dss-4.0.1", "soc2", "nist-800-53-r5", "cis-aws-3.0"}
    for rule in RULES:
        assert rule.id.startswith(
            (
                "SECCAT-AWS-",
                "SECCAT-KMS-",
                "SECCAT-IAM-",
                "SECCAT-LMB-",
                "SECCAT-ALM-",
                "SECCAT-LOG-",
                "SECCAT-VLT-",
                "SECCAT-CAT-",
            )
        )
        assert rule.severity in ("low", "medium", "high", "critical")
        assert rule.enforcement in ("advisory", "mandatory")
        assert "(" in rule.description, f"{rule.id} cites no source"
        for tag in rule.controls:
            assert tag.split(":", 1)[0] in prefixes, (rule.id, tag)
        if rule.scope == "resource":
            assert rule.resource_types, rule.id


def test_rule_catalogue_in_docs_is_current() -> None:
    from seccat.policies.docs import DOC, render

    assert DOC.read_text() == render(), "regenerate with python -m seccat.policies.docs"


def test_rule_texts_for_users_cite_no_planning_numbers() -> None:
    """ "(issue 2)" means something to the team only: the generator drops it, and keeps
    the real sources around it."""
    import re

    from seccat.policies.docs import DOC, public_text

    assert not re.search(r"\bissues? [0-9]", DOC.read_text())
    assert public_text("a rule (issue 2).") == "a rule."
    assert public_text("(Checkov CKV_AWS_115; issue 3).") == "(Checkov CKV_AWS_115)."
    assert public_text("(issue 3; Checkov CKV_AWS_61) x") == "(Checkov CKV_AWS_61) x"
    assert public_text("(least privilege, issue 4). Runs") == "(least privilege). Runs"
    assert public_text("no reference (CKV_AWS_1)") == "no reference (CKV_AWS_1)"
    assert public_text("x (issue 8: segregation of duties; docs/threat-model.md).") == (
        "x (segregation of duties; docs/threat-model.md)."
    )


def test_pack_entry_point_only_builds_the_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    """policies/__main__.py, with PolicyPack replaced (the real one serves forever)."""
    import runpy

    import pulumi_policy

    built: list[dict[str, object]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kw: built.append(kw))
    runpy.run_path(str(FIXTURES.parents[1] / "__main__.py"), run_name="__main__")
    assert len(built) == 1
    assert built[0]["name"] == "seccat"
    assert [p.name for p in built[0]["policies"]] == [  # type: ignore[attr-defined]
        r.id for r in RULES if r.scope != "catalog"
    ]
