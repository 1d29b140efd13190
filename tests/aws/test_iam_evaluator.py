"""tests/iam_evaluator.py against AWS's documented evaluation rules, one case per rule.

Each case cites the rule it checks (see the module docstring for the pages); none uses a
seccat document, so a mistake in the evaluator cannot hide behind a mistake in seccat.
"""

from __future__ import annotations

import pytest
from iam_evaluator import Decision, Principal, Unsupported, decide, role, service

ACCOUNT = "123456789012"
ARN = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:app/key-AbC123"
ALICE = role(ACCOUNT, "alice")
BOB = role(ACCOUNT, "bob")
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
ALLOW, DENY, IMPLICIT = Decision.ALLOW, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def deny_others(operator: str, key: str, values: object) -> dict:
    return doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "secretsmanager:PutSecretValue",
            "Resource": "*",
            "Condition": {operator: {key: values}},
        }
    )


PUT = "secretsmanager:PutSecretValue"


def test_no_policy_is_an_implicit_deny() -> None:
    assert decide(ALICE, PUT, ARN) is IMPLICIT


def test_identity_allow_allows_and_any_explicit_deny_wins() -> None:
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL]) is ALLOW
    deny = doc({"Effect": "Deny", "Principal": "*", "Action": PUT, "Resource": "*"})
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], deny) is DENY


def test_resource_policy_naming_the_role_grants_alone_within_the_account() -> None:
    grant = doc(
        {"Effect": "Allow", "Principal": {"AWS": ALICE.arn}, "Action": PUT, "Resource": ARN}
    )
    assert decide(ALICE, PUT, ARN, [], grant) is ALLOW
    assert decide(BOB, PUT, ARN, [], grant) is IMPLICIT


def test_resource_policy_naming_the_account_only_delegates() -> None:
    for account in (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root"):
        grant = doc(
            {"Effect": "Allow", "Principal": {"AWS": account}, "Action": PUT, "Resource": "*"}
        )
        assert decide(ALICE, PUT, ARN, [], grant) is IMPLICIT
        assert decide(ALICE, PUT, ARN, [ALLOW_ALL], grant) is ALLOW
        deny = doc(
            {"Effect": "Deny", "Principal": {"AWS": account}, "Action": PUT, "Resource": "*"}
        )
        assert decide(ALICE, PUT, ARN, [ALLOW_ALL], deny) is DENY


def test_negated_operator_with_a_missing_key_is_true() -> None:
    """A Deny on StringNotEquals aws:PrincipalTag/team applies to an untagged principal."""
    policy = deny_others("StringNotEquals", "aws:PrincipalTag/team", "payments")
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], policy) is DENY
    assert (
        decide(ALICE, PUT, ARN, [ALLOW_ALL], policy, **{"aws__PrincipalTag/team": "payments"})
        is ALLOW
    )


def test_plain_operator_with_a_missing_key_is_false() -> None:
    policy = deny_others("StringEquals", "aws:PrincipalTag/team", "payments")
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], policy) is ALLOW


def test_if_exists_with_a_missing_key_is_true_and_checks_a_present_one() -> None:
    policy = deny_others("BoolIfExists", "aws:PrincipalIsAWSService", "false")
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], policy) is DENY  # key present: "false"
    svc = service("secretsmanager.amazonaws.com")
    assert decide(svc, PUT, ARN, [], policy) is IMPLICIT  # key "true": the deny does not apply
    absent = deny_others("StringEqualsIfExists", "aws:SourceVpc", "vpc-1")
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], absent) is DENY
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], absent, aws__SourceVpc="vpc-2") is ALLOW


def test_negated_operator_with_several_values_is_a_nor() -> None:
    policy = deny_others("ArnNotEquals", "aws:PrincipalArn", [ALICE.arn, BOB.arn])
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], policy) is ALLOW
    assert decide(BOB, PUT, ARN, [ALLOW_ALL], policy) is ALLOW
    assert decide(role(ACCOUNT, "admin"), PUT, ARN, [ALLOW_ALL], policy) is DENY


def test_operators_and_keys_are_anded() -> None:
    policy = doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": PUT,
            "Resource": "*",
            "Condition": {
                "ArnNotEquals": {"aws:PrincipalArn": ALICE.arn},
                "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
            },
        }
    )
    assert decide(BOB, PUT, ARN, [ALLOW_ALL], policy) is DENY
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], policy) is ALLOW
    two_keys = deny_others("StringEquals", "aws:SecureTransport", "false")
    two_keys["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalAccount"] = ACCOUNT
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], two_keys) is ALLOW
    assert decide(ALICE, PUT, ARN, [ALLOW_ALL], two_keys, aws__SecureTransport="false") is DENY


def test_actions_match_case_insensitively_with_wildcards_and_not_action() -> None:
    grant = doc({"Effect": "Allow", "Action": "SecretsManager:Put*", "Resource": "*"})
    assert decide(ALICE, PUT, ARN, [grant]) is ALLOW
    assert decide(ALICE, "secretsmanager:GetSecretValue", ARN, [grant]) is IMPLICIT
    not_action = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert decide(ALICE, PUT, ARN, [not_action]) is ALLOW
    assert (
        decide(ALICE, "iam:PassRole", "arn:aws:iam::123456789012:role/x", [not_action]) is IMPLICIT
    )


def test_arns_match_part_by_part_and_case_sensitively() -> None:
    everywhere = f"arn:aws:secretsmanager:*:{ACCOUNT}:secret:app/key-??????"
    grant = doc({"Effect": "Allow", "Action": "*", "Resource": everywhere})
    replica = ARN.replace("eu-west-1", "eu-central-1")
    assert decide(ALICE, PUT, ARN, [grant]) is ALLOW
    assert decide(ALICE, PUT, replica, [grant]) is ALLOW
    assert decide(ALICE, PUT, ARN + "x", [grant]) is IMPLICIT  # ? is exactly one character
    assert decide(ALICE, PUT, ARN.replace("app/key", "App/key"), [grant]) is IMPLICIT
    other = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:secretsmanager:eu-west-1:*"}
    )
    # "*" in the fifth part does not reach across the colon into the sixth.
    assert decide(ALICE, PUT, ARN, [other]) is IMPLICIT
    not_resource = doc({"Effect": "Allow", "Action": "*", "NotResource": ARN})
    assert decide(ALICE, PUT, ARN, [not_resource]) is IMPLICIT
    assert decide(ALICE, PUT, replica, [not_resource]) is ALLOW


def test_service_principals_have_no_identity_policies() -> None:
    svc = service("secretsmanager.amazonaws.com")
    assert decide(svc, PUT, ARN, [ALLOW_ALL]) is IMPLICIT
    grant = doc(
        {"Effect": "Allow", "Principal": {"Service": svc.service}, "Action": PUT, "Resource": "*"}
    )
    assert decide(svc, PUT, ARN, [], grant) is ALLOW


def test_set_operators_over_multivalued_keys() -> None:
    """ForAnyValue: some request value matches, never for a missing key; ForAllValues: every
    request value matches, and a missing key holds."""
    any_alias = {"ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/app"}}
    all_tags = {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}}
    key = "arn:aws:kms:eu-west-1:123456789012:key/1"

    def grant(condition: dict) -> dict:
        return doc({"Effect": "Allow", "Action": "kms:*", "Resource": "*", "Condition": condition})

    aliases = ("alias/other", "alias/app")
    assert (
        decide(ALICE, "kms:Decrypt", key, [grant(any_alias)], kms__ResourceAliases=aliases) is ALLOW
    )
    assert (
        decide(ALICE, "kms:Decrypt", key, [grant(any_alias)], kms__ResourceAliases=("alias/x",))
        is IMPLICIT
    )
    assert decide(ALICE, "kms:Decrypt", key, [grant(any_alias)]) is IMPLICIT
    assert (
        decide(ALICE, "kms:TagResource", key, [grant(all_tags)], aws__TagKeys=("team", "cost-a"))
        is ALLOW
    )
    assert (
        decide(ALICE, "kms:TagResource", key, [grant(all_tags)], aws__TagKeys=("team", "x"))
        is IMPLICIT
    )
    assert decide(ALICE, "kms:TagResource", key, [grant(all_tags)]) is ALLOW
    with pytest.raises(Unsupported):  # a single-valued operator on a multivalued key
        decide(
            ALICE,
            "kms:Decrypt",
            key,
            [grant({"StringEquals": {"kms:ResourceAliases": "a"}})],
            kms__ResourceAliases=aliases,
        )


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"},
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"k": "1"}},
        },
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": "a"}},
        },
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringEquals": {"k": "${aws:username}"}},
        },
        {"Effect": "Maybe", "Principal": "*", "Action": "*", "Resource": "*"},
    ],
)
def test_what_it_does_not_model_is_refused_not_guessed(statement: dict) -> None:
    # Even where the statement would not match the request at all.
    with pytest.raises(Unsupported):
        decide(ALICE, "s3:GetObject", ARN, [], doc(statement))


def test_cross_account_requests_are_refused() -> None:
    with pytest.raises(Unsupported):
        decide(role("999999999999", "x"), PUT, ARN, [ALLOW_ALL])


def test_a_principal_is_a_role_or_a_service() -> None:
    with pytest.raises(ValueError):
        Principal()
