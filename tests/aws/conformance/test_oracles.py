"""The independent oracles, on every document and expression seccat emits, each with
negative controls: a broken version of a real seccat document must be rejected.

* cfn-lint judges every IAM policy document kind (trust, identity, KMS key, SNS topic,
  Secrets Manager resource policy), which moto stores unread or judges only in part;
* moto's own trust grammar is reached through update_assume_role_policy, because
  create_role stores any text;
* the schedule-expression oracle judges Secrets Manager rotation rules and EventBridge
  Scheduler expressions, which moto stores unread;
* moto's event-pattern and AWS Config checks, which the appliers rely on, are shown to
  refuse broken input.
"""

from __future__ import annotations

import ast
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.aws.conformance.conftest import World
from tests.aws.conformance.oracles import policy_lint, schedules
from tests.aws.conformance.oracles.policy_lint import PolicyDocument

# --- IAM policy documents: cfn-lint -------------------------------------------------------


@pytest.fixture(scope="module")
def policy_documents(worlds: list[World]) -> list[PolicyDocument]:
    previews = [p for w in worlds for p in w.previews.values()]
    return list(policy_lint.documents(previews))


def test_cfn_lint_accepts_every_policy_document(policy_documents) -> None:
    assert {d.kind for d in policy_documents} == set(policy_lint.KINDS)
    assert len(policy_documents) > 300
    results = policy_lint.findings(policy_documents)
    rejected = {d.source: f for d, f in zip(policy_documents, results, strict=True) if f}
    assert rejected == {}


def _statement(doc: dict[str, Any]) -> dict[str, Any]:
    statements = doc["Statement"]
    return statements[0] if isinstance(statements, list) else statements


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def breaker(doc: dict[str, Any]) -> None:
        del _statement(doc)[key]

    return breaker


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def breaker(doc: dict[str, Any]) -> None:
        _statement(doc)[key] = value

    return breaker


def _unknown_action(doc: dict[str, Any]) -> None:
    statement = _statement(doc)
    action = statement["Action"]
    first = action if isinstance(action, str) else action[0]
    statement["Action"] = f"{first.split(':')[0]}:NoSuchAction"


def _bad_operator(doc: dict[str, Any]) -> None:
    _statement(doc)["Condition"] = {"StringEqualz": {"aws:SourceAccount": "111111111111"}}


BREAKERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "no-principal": _drop("Principal"),
    "no-resource": _drop("Resource"),
    "resource-in-trust": _set("Resource", "*"),
    "effect-typo": _set("Effect", "Alow"),
    "unknown-action": _unknown_action,
    "unknown-condition-operator": _bad_operator,
    "foreign-action-on-topic": _set("Action", "kms:Decrypt"),
}
#: Which breakages apply to which kind (a trust policy has no Resource to drop, an identity
#: policy no Principal).
CONTROLS = [
    ("trust", "no-principal"),
    ("trust", "resource-in-trust"),
    ("trust", "effect-typo"),
    ("trust", "unknown-action"),
    ("trust", "unknown-condition-operator"),
    ("identity", "no-resource"),
    ("identity", "effect-typo"),
    ("identity", "unknown-action"),
    ("identity", "unknown-condition-operator"),
    ("key", "no-principal"),
    ("key", "no-resource"),
    ("key", "effect-typo"),
    ("key", "unknown-action"),
    ("key", "unknown-condition-operator"),
    ("topic", "no-principal"),
    ("topic", "no-resource"),
    ("topic", "effect-typo"),
    ("topic", "unknown-action"),
    ("topic", "foreign-action-on-topic"),
    ("secret", "no-principal"),
    ("secret", "no-resource"),
    ("secret", "effect-typo"),
    ("secret", "unknown-action"),
    ("secret", "unknown-condition-operator"),
    ("logs", "no-principal"),
    ("logs", "no-resource"),
    ("logs", "effect-typo"),
    ("logs", "unknown-action"),
    ("logs", "unknown-condition-operator"),
]


@pytest.mark.parametrize(("kind", "breakage"), CONTROLS, ids=[f"{k}-{b}" for k, b in CONTROLS])
def test_cfn_lint_rejects_a_broken_seccat_document(policy_documents, kind, breakage) -> None:
    original = next(d for d in policy_documents if d.kind == kind)
    doc = copy.deepcopy(json.loads(original.text))
    BREAKERS[breakage](doc)
    broken = PolicyDocument(kind, original.source, json.dumps(doc))
    assert policy_lint.findings([original]) == [[]]
    assert policy_lint.findings([broken])[0] != [], (kind, breakage)


@pytest.mark.parametrize("kind", sorted(policy_lint.KINDS))
def test_cfn_lint_oracle_rejects_text_that_is_not_json(policy_documents, kind) -> None:
    """cfn-lint itself skips a policy string it cannot parse; the oracle must not."""
    original = next(d for d in policy_documents if d.kind == kind)
    broken = PolicyDocument(kind, original.source, original.text[:-1])
    (found,) = policy_lint.findings([broken])
    assert found and found[0].startswith("not JSON")


def test_cfn_lint_alone_would_miss_secret_policies(policy_documents) -> None:
    """Why E9512 exists: cfn-lint 1.58.0 does not validate the Secrets Manager slot."""
    from cfnlint.api import lint

    original = next(d for d in policy_documents if d.kind == "secret")
    doc = json.loads(original.text)
    del _statement(doc)["Principal"]
    _statement(doc)["Effect"] = "Alow"
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "S": {
                "Type": "AWS::SecretsManager::ResourcePolicy",
                "Properties": {"SecretId": "s", "ResourcePolicy": doc},
            }
        },
    }
    assert lint(json.dumps(template), regions=["us-east-1"]) == []
    assert policy_lint.findings([PolicyDocument("secret", "x", json.dumps(doc))])[0] != []


# --- Trust policies: moto's grammar through update_assume_role_policy ---------------------


def _trust(policy_documents: list[PolicyDocument]) -> dict[str, Any]:
    return json.loads(next(d for d in policy_documents if d.kind == "trust").text)


def _broken_trusts(policy_documents: list[PolicyDocument]) -> dict[str, str]:
    trust = _trust(policy_documents)
    broken: dict[str, str] = {"not-json": json.dumps(trust)[:-1]}
    for name in ("resource-in-trust", "effect-typo", "unknown-condition-operator"):
        doc = copy.deepcopy(trust)
        BREAKERS[name](doc)
        broken[name] = json.dumps(doc)
    doc = copy.deepcopy(trust)
    _set("Action", "s3:GetObject")(doc)
    broken["not-an-sts-action"] = json.dumps(doc)
    return broken


def test_moto_create_role_is_no_trust_oracle(example_world: World, policy_documents) -> None:
    """moto's create_role stores every broken trust policy: proving nothing."""
    iam = example_world.server.client("iam", "us-east-1", "999999999999")
    for n, text in enumerate(_broken_trusts(policy_documents).values()):
        iam.create_role(RoleName=f"broken-trust-{n}", AssumeRolePolicyDocument=text)


def test_update_assume_role_policy_rejects_broken_trust(
    example_world: World, policy_documents
) -> None:
    iam = example_world.server.client("iam", "us-east-1", "999999999998")
    good = json.dumps(_trust(policy_documents))
    iam.create_role(RoleName="trust-oracle", AssumeRolePolicyDocument=good)
    iam.update_assume_role_policy(RoleName="trust-oracle", PolicyDocument=good)
    for name, text in _broken_trusts(policy_documents).items():
        with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
            iam.update_assume_role_policy(RoleName="trust-oracle", PolicyDocument=text)
            pytest.fail(f"moto accepted the trust policy broken by {name}")


def test_moto_trust_grammar_misses_a_missing_principal(
    example_world: World, policy_documents
) -> None:
    """A moto gap cfn-lint covers: a trust policy without Principal."""
    iam = example_world.server.client("iam", "us-east-1", "999999999997")
    doc = _trust(policy_documents)
    del _statement(doc)["Principal"]
    iam.create_role(RoleName="no-principal", AssumeRolePolicyDocument=json.dumps(doc))
    iam.update_assume_role_policy(RoleName="no-principal", PolicyDocument=json.dumps(doc))
    assert policy_lint.findings([PolicyDocument("trust", "x", json.dumps(doc))])[0] != []


def test_moto_identity_grammar_rejects_a_policy_without_resource(
    example_world: World, policy_documents
) -> None:
    iam = example_world.server.client("iam", "us-east-1", "999999999996")
    iam.create_role(RoleName="identity-oracle", AssumeRolePolicyDocument="{}")
    doc = json.loads(next(d for d in policy_documents if d.kind == "identity").text)
    iam.put_role_policy(RoleName="identity-oracle", PolicyName="ok", PolicyDocument=json.dumps(doc))
    del _statement(doc)["Resource"]
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.put_role_policy(
            RoleName="identity-oracle", PolicyName="broken", PolicyDocument=json.dumps(doc)
        )


# --- Schedule expressions ----------------------------------------------------------------


def _rotation_rules(worlds: list[World]) -> list[dict[str, Any]]:
    return [
        r.inputs["rotationRules"]
        for w in worlds
        for p in w.previews.values()
        for r in p.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    ]


def _scheduler_expressions(worlds: list[World]) -> list[str]:
    return [
        r.inputs["scheduleExpression"]
        for w in worlds
        for p in w.previews.values()
        for r in p.of_type("aws:scheduler/schedule:Schedule")
    ]


def test_every_rotation_schedule_follows_the_secrets_manager_rules(worlds) -> None:
    rules = _rotation_rules(worlds)
    assert len(rules) > 50
    assert {"scheduleExpression", "duration"} <= {k for r in rules for k in r}
    for r in rules:
        schedules.check_rotation(r)


def test_every_scheduler_expression_follows_the_scheduler_rules(worlds) -> None:
    expressions = _scheduler_expressions(worlds)
    assert len(expressions) > 20
    for e in expressions:
        schedules.check(e, "scheduler")


#: Examples the guides give as valid.
VALID = [
    ("rate(4 hours)", "secretsmanager"),
    ("rate(10 days)", "secretsmanager"),
    ("cron(0 4/12 * * ? *)", "secretsmanager"),
    ("cron(0 8 1/7 * ? *)", "secretsmanager"),
    ("cron(0 0 ? * SUN#1 *)", "secretsmanager"),
    ("cron(0 16 L * ? *)", "secretsmanager"),
    ("cron(0 10 ? * MON-FRI *)", "secretsmanager"),
    ("rate(5 minutes)", "scheduler"),
    ("rate(1 day)", "scheduler"),
    ("cron(15 10 ? * 6L 2022-2023)", "scheduler"),
    ("cron(0/15 * * * ? *)", "scheduler"),
    ("cron(0 9 ? * MON-FRI *)", "scheduler"),
    ("at(2026-11-20T13:00:00)", "scheduler"),
]

#: Negative controls: (expression, service, the rule it breaks).
INVALID = [
    ("rate(3 hours)", "secretsmanager", "every four hours"),
    ("rate(1000 days)", "secretsmanager", "999 days"),
    ("rate(5 minutes)", "secretsmanager", "not one of"),
    ("rate(0 days)", "secretsmanager", "positive"),
    ("rate(7 weeks)", "secretsmanager", "not one of"),
    ("cron(30 4 ? * SUN *)", "secretsmanager", "Minutes must be 0"),
    ("cron(0 4 ? * SUN 2026)", "secretsmanager", "Year must be *"),
    ("cron(0 */2 * * ? *)", "secretsmanager", "every four hours"),
    ("cron(0 4 * * SUN *)", "secretsmanager", "exactly one of"),
    ("cron(0 4 ? * ? *)", "secretsmanager", "exactly one of"),
    ("cron(0 24 ? * SUN *)", "secretsmanager", "outside 0-23"),
    ("cron(0 4 ? * SUN)", "secretsmanager", "six fields"),
    ("cron(0 4 1W * ? *)", "secretsmanager", "'W' is not allowed"),
    ("cron(0 4 ? * 8 *)", "secretsmanager", "outside 1-7"),
    ("cron(0 4 ? FOO SUN *)", "secretsmanager", "not a value"),
    ("every 30 days", "secretsmanager", "not a rate(), cron()"),
    ("rate(1 days)", "scheduler", "singular for 1"),
    ("rate(2 day)", "scheduler", "singular for 1"),
    ("rate(banana)", "scheduler", "not a rate(), cron()"),
    ("cron(60 4 ? * SUN *)", "scheduler", "outside 0-59"),
    ("cron(0 4 ? * SUN 2200)", "scheduler", "outside 1970-2199"),
    ("cron(0 4 L * MON *)", "scheduler", "exactly one of"),
    ("cron(0 4 ? * 2#6 *)", "scheduler", "instance 1-5"),
    ("at(2026-13-01T00:00:00)", "scheduler", "at()"),
]


@pytest.mark.parametrize(("expression", "service"), VALID)
def test_schedule_oracle_accepts_the_guides_examples(expression, service) -> None:
    schedules.check(expression, service)


@pytest.mark.parametrize(("expression", "service", "reason"), INVALID)
def test_schedule_oracle_rejects_what_the_guides_forbid(expression, service, reason) -> None:
    with pytest.raises(schedules.Rejected, match=None) as caught:
        schedules.check(expression, service)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ({"scheduleExpression": "cron(0 22 ? * SUN *)", "duration": "3h"}, "end of the UTC day"),
        ({"scheduleExpression": "rate(6 hours)", "duration": "7h"}, "between rotations"),
        ({"scheduleExpression": "rate(30 days)", "duration": "0h"}, "at least 1h"),
        ({"scheduleExpression": "rate(30 days)", "duration": "2 hours"}, "whole number"),
        ({"scheduleExpression": "rate(30 days)", "automaticallyAfterDays": 30}, "not both"),
        ({"duration": "2h"}, "not both or neither"),
    ],
)
def test_rotation_window_oracle_rejects_what_the_guide_forbids(rules, reason) -> None:
    with pytest.raises(schedules.Rejected) as caught:
        schedules.check_rotation(rules)
    assert reason in str(caught.value)


def test_schedule_oracle_is_independent_of_seccats_parser() -> None:
    tree = ast.parse(Path(schedules.__file__).read_text())
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        )
    }
    assert imported == {"__future__", "itertools", "re", "dataclasses", "datetime"}


# --- moto's own checks the appliers rely on ----------------------------------------------


def test_moto_refuses_a_broken_event_pattern(example_world: World) -> None:
    rule = example_world.applied["prod"].of_type("aws:cloudwatch/eventRule:EventRule")[0]
    pattern = json.loads(rule.target.inputs["eventPattern"])
    events = example_world.server.client("events", "us-east-1", "999999999995")
    events.put_rule(Name="ok", EventPattern=json.dumps(pattern))
    for broken in (
        json.dumps({**pattern, "source": pattern["source"][0]}),  # a value outside an array
        json.dumps(pattern)[:-1],
    ):
        with pytest.raises(events.exceptions.InvalidEventPatternException):
            events.put_rule(Name="broken", EventPattern=broken)


def test_moto_refuses_broken_config_rules(example_world: World) -> None:
    prod = example_world.applied["prod"]
    config_rules = [
        a.target.inputs
        for a in prod.of_type("aws:cfg/rule:Rule")
        if a.target.inputs.get("inputParameters")
    ]
    assert config_rules
    placement = prod.of_type("aws:cfg/rule:Rule")[0].target.placement
    config = example_world.server.client("config", placement.region, placement.account)
    seccat = config_rules[0]
    params = json.loads(seccat["inputParameters"])
    source = {"Owner": "AWS", "SourceIdentifier": seccat["source"]["sourceIdentifier"]}
    broken = [
        {"Source": {"Owner": "AWS", "SourceIdentifier": "NO_SUCH_MANAGED_RULE"}},
        {"Source": source, "InputParameters": json.dumps({f"{k}x": v for k, v in params.items()})},
        {
            "Source": source,
            "InputParameters": seccat["inputParameters"],
            "MaximumExecutionFrequency": "Two_Days",
        },
    ]
    for n, rule in enumerate(broken):
        with pytest.raises(config.exceptions.ClientError):
            config.put_config_rule(ConfigRule={"ConfigRuleName": f"broken-{n}", **rule})
            pytest.fail(f"moto accepted broken config rule {rule}")
