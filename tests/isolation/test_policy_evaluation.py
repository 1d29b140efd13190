"""The isolation proof's IAM evaluator against AWS's documented evaluation logic.

Each rule of
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
and of the condition operators page
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)
that the proof relies on is a case here, always with its negative, so an evaluator that
allowed or denied everything fails.
"""

from __future__ import annotations

from typing import Any

import pytest
from isolation.policy_evaluation import Principal, Request, UnsupportedPolicy, evaluate

A, B = "111111111111", "222222222222"
ROLE = Principal("AWS", f"arn:aws:iam::{A}:role/app", A)
OTHER_ROLE = Principal("AWS", f"arn:aws:iam::{A}:role/other", A)
FOREIGN_ROLE = Principal("AWS", f"arn:aws:iam::{B}:role/app", B)
SECRET = f"arn:aws:secretsmanager:eu-west-1:{A}:secret:dev/app/key-AbC123"
GET = "secretsmanager:GetSecretValue"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: str = GET, resource: str = SECRET, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str = GET, resource: str = SECRET, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def req(
    principal: Principal = ROLE,
    action: str = GET,
    resource: str = SECRET,
    account: str = A,
    **context: tuple[str, ...],
) -> Request:
    return Request(principal, action, resource, account, context)


# -- decision rules -----------------------------------------------------------------------


def test_everything_is_implicitly_denied_unless_allowed() -> None:
    assert evaluate(req()) == "implicit-deny"
    assert evaluate(req(), [doc(allow())]) == "allow"


def test_an_explicit_deny_overrides_any_allow() -> None:
    assert evaluate(req(), [doc(allow(), deny())]) == "explicit-deny"
    assert evaluate(req(), [doc(allow()), doc(deny())]) == "explicit-deny"
    resource = doc(allow(Principal={"AWS": ROLE.id}), deny(Principal="*"))
    assert evaluate(req(), [doc(allow())], resource) == "explicit-deny"
    # Negative: a deny for another action or resource does not apply.
    assert evaluate(req(), [doc(allow(), deny(action="secretsmanager:PutSecretValue"))]) == (
        "allow"
    )
    assert evaluate(req(), [doc(allow(), deny(resource=SECRET + "x"))]) == "allow"


def test_same_account_identity_or_resource_policy_allows() -> None:
    """ "Within a single account ... an allow in either an identity-based policy or a
    resource-based policy" results in allow (union)."""
    by_arn = doc(allow(Principal={"AWS": ROLE.id}))
    assert evaluate(req(), [], by_arn) == "allow"
    assert evaluate(req(), [doc(allow())], doc(allow(Principal={"AWS": OTHER_ROLE.id}))) == (
        "allow"
    )
    # Negatives: naming another role grants nothing, and neither does naming the account
    # alone (that delegates to the account's identity policies).
    assert evaluate(req(), [], doc(allow(Principal={"AWS": OTHER_ROLE.id}))) == "implicit-deny"
    by_account = doc(allow(Principal={"AWS": f"arn:aws:iam::{A}:root"}))
    assert evaluate(req(), [], by_account) == "implicit-deny"
    assert evaluate(req(), [doc(allow())], by_account) == "allow"
    assert evaluate(req(), [], doc(allow(Principal={"AWS": A}))) == "implicit-deny"


def test_cross_account_needs_both_identity_and_resource_policy() -> None:
    """ "For cross-account access, the requester's identity policy and the resource's
    resource-based policy must both allow the request"."""
    foreign = req(FOREIGN_ROLE)
    trusting = doc(allow(Principal={"AWS": FOREIGN_ROLE.id}))
    assert evaluate(foreign, [doc(allow())]) == "implicit-deny"
    assert evaluate(foreign, [], trusting) == "implicit-deny"
    assert evaluate(foreign, [doc(allow())], trusting) == "allow"
    assert evaluate(foreign, [doc(allow())], doc(allow(Principal={"AWS": B}))) == "allow"
    assert evaluate(foreign, [doc(allow())], doc(allow(Principal={"AWS": ROLE.id}))) == (
        "implicit-deny"
    )


def test_a_required_resource_policy_cannot_be_replaced_by_an_identity_policy() -> None:
    """KMS: "no principal ... has any permissions to a KMS key unless the key policy allows
    it" (the account root statement delegates to IAM policies)."""
    key = f"arn:aws:kms:eu-west-1:{A}:key/1234"
    decrypt = req(action="kms:Decrypt", resource=key)
    identity = [doc(allow("kms:Decrypt", f"arn:aws:kms:eu-west-1:{A}:key/*"))]
    other_only = doc(allow("kms:*", "*", Principal={"AWS": OTHER_ROLE.id}))
    assert evaluate(decrypt, identity, other_only, resource_policy_required=True) == (
        "implicit-deny"
    )
    assert evaluate(decrypt, identity, None, resource_policy_required=True) == "implicit-deny"
    delegating = doc(allow("kms:*", "*", Principal={"AWS": f"arn:aws:iam::{A}:root"}))
    assert evaluate(decrypt, identity, delegating, resource_policy_required=True) == "allow"
    assert evaluate(decrypt, [], delegating, resource_policy_required=True) == "implicit-deny"


# -- matching ----------------------------------------------------------------------------


def test_actions_ignore_case_and_take_wildcards() -> None:
    assert evaluate(req(action="SecretsManager:getsecretvalue"), [doc(allow())]) == "allow"
    assert evaluate(req(), [doc(allow("secretsmanager:*"))]) == "allow"
    assert evaluate(req(), [doc(allow("secretsmanager:Get*"))]) == "allow"
    assert evaluate(req(), [doc(allow("secretsmanager:Put*"))]) == "implicit-deny"
    assert evaluate(req(), [doc(allow("kms:*"))]) == "implicit-deny"


def test_resource_question_marks_match_exactly_one_character() -> None:
    """Secret ARN patterns end in -?????? for the random suffix AWS appends."""
    pattern = SECRET[: -len("AbC123")] + "??????"
    assert evaluate(req(), [doc(allow(resource=pattern))]) == "allow"
    assert evaluate(req(resource=SECRET[:-1]), [doc(allow(resource=pattern))]) == "implicit-deny"
    assert evaluate(req(resource=SECRET + "9"), [doc(allow(resource=pattern))]) == ("implicit-deny")
    # A longer secret name never matches another secret's pattern.
    longer = SECRET.replace("key-AbC123", "key-extra-AbC123")
    assert evaluate(req(resource=longer), [doc(allow(resource=pattern))]) == "implicit-deny"
    # Resources are case-sensitive.
    assert evaluate(req(resource=SECRET.upper()), [doc(allow())]) == "implicit-deny"


def test_service_and_federated_principals_need_the_resource_policy() -> None:
    ecs = Principal("Service", "ecs-tasks.amazonaws.com", A)
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": A}},
        }
    )
    role = f"arn:aws:iam::{A}:role/app"
    assume = req(ecs, "sts:AssumeRole", role, **{"aws:SourceAccount": (A,)})
    assert evaluate(assume, [], trust, resource_policy_required=True) == "allow"
    other = req(ecs, "sts:AssumeRole", role, **{"aws:SourceAccount": (B,)})
    assert evaluate(other, [], trust, resource_policy_required=True) == "implicit-deny"
    lambda_ = Principal("Service", "lambda.amazonaws.com", A)
    assert evaluate(req(lambda_, "sts:AssumeRole", role), [], trust) == "implicit-deny"
    with pytest.raises(UnsupportedPolicy):
        evaluate(req(lambda_), [doc(allow())])


# -- condition operators ------------------------------------------------------------------


def cond(operator: str, key: str, values: Any, principal: Any = "*") -> dict[str, Any]:
    return doc(allow(Principal=principal, Condition={operator: {key: values}}))


def decide(policy: dict[str, Any], **context: tuple[str, ...]) -> str:
    return evaluate(req(**context), [], policy)


def test_string_operators() -> None:
    equals = cond("StringEquals", "aws:SourceAccount", A)
    assert decide(equals, **{"aws:SourceAccount": (A,)}) == "allow"
    assert decide(equals, **{"aws:SourceAccount": (B,)}) == "implicit-deny"
    assert decide(equals, **{"aws:sourceaccount": (A,)}) == "allow"  # keys ignore case
    assert decide(cond("StringEquals", "k", "Value"), k=("value",)) == "implicit-deny"
    assert decide(cond("StringEqualsIgnoreCase", "k", "Value"), k=("value",)) == "allow"
    not_equals = cond("StringNotEquals", "k", ["a", "b"])
    assert decide(not_equals, k=("c",)) == "allow"
    assert decide(not_equals, k=("b",)) == "implicit-deny"


def test_string_like_on_oidc_subjects() -> None:
    sub = "token.actions.githubusercontent.com:sub"
    exact = cond("StringLike", sub, ["repo:example/etl:environment:prod"])
    assert decide(exact, **{sub: ("repo:example/etl:environment:prod",)}) == "allow"
    assert decide(exact, **{sub: ("repo:example/etl:environment:dev",)}) == "implicit-deny"
    assert decide(exact, **{sub: ("repo:example/etl:environment:prod-x",)}) == "implicit-deny"
    org = cond("StringLike", sub, ["repo:example/*:environment:prod"])
    assert decide(org, **{sub: ("repo:example/other:environment:prod",)}) == "allow"
    assert decide(org, **{sub: ("repo:evil/other:environment:prod",)}) == "implicit-deny"
    assert decide(org, **{sub: ("repo:example/x:environment:dev",)}) == "implicit-deny"
    one = cond("StringLike", "k", "v?")
    assert decide(one, k=("v1",)) == "allow"
    assert decide(one, k=("v12",)) == "implicit-deny"
    assert decide(cond("StringNotLike", "k", "a*"), k=("ab",)) == "implicit-deny"
    assert decide(cond("StringNotLike", "k", "a*"), k=("ba",)) == "allow"


def test_arn_operators_on_the_principal_arn() -> None:
    """The secret policy's deny: everyone whose aws:PrincipalArn is not a reader."""
    readers = [ROLE.id, f"arn:aws:iam::{A}:role/rotator"]
    not_reader = cond("ArnNotEquals", "aws:PrincipalArn", readers)
    assert decide(not_reader, **{"aws:PrincipalArn": (OTHER_ROLE.id,)}) == "allow"
    assert decide(not_reader, **{"aws:PrincipalArn": (ROLE.id,)}) == "implicit-deny"
    # ArnEquals behaves as ArnLike: wildcards per ARN part.
    like = cond("ArnEquals", "aws:PrincipalArn", f"arn:aws:iam::{A}:role/app*")
    assert decide(like, **{"aws:PrincipalArn": (ROLE.id + "-2",)}) == "allow"
    assert decide(like, **{"aws:PrincipalArn": (FOREIGN_ROLE.id,)}) == "implicit-deny"
    wild_account = cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/app")
    assert decide(wild_account, **{"aws:PrincipalArn": (FOREIGN_ROLE.id,)}) == "allow"
    # A '*' stays within its ARN part: the account part cannot swallow the resource part.
    part = cond("ArnLike", "aws:SourceArn", "arn:aws:iam::*:role/app")
    assert decide(part, **{"aws:SourceArn": (f"arn:aws:iam::{A}:x:role/app",)}) == ("implicit-deny")
    assert decide(cond("ArnNotLike", "k", "arn:aws:s3:::b*"), k=("arn:aws:s3:::c",)) == "allow"
    assert decide(cond("ArnLike", "k", "arn:aws:s3:::b*"), k=("not-an-arn",)) == "implicit-deny"


def test_missing_keys() -> None:
    """A positive operator on a missing key is false, a negated one true; ...IfExists is
    true; Bool on a missing key is false."""
    assert decide(cond("StringEquals", "k", "v")) == "implicit-deny"
    assert decide(cond("StringNotEquals", "k", "v")) == "allow"
    assert decide(cond("ArnNotEquals", "k", "arn:aws:iam::1:role/x")) == "allow"
    assert decide(cond("StringEqualsIfExists", "k", "v")) == "allow"
    assert decide(cond("StringEqualsIfExists", "k", "v"), k=("w",)) == "implicit-deny"
    assert decide(cond("Bool", "aws:SecureTransport", "false")) == "implicit-deny"
    assert decide(cond("Null", "k", "true")) == "allow"
    assert decide(cond("Null", "k", "true"), k=("v",)) == "implicit-deny"
    assert decide(cond("Null", "k", "false"), k=("v",)) == "allow"


def test_bool_and_bool_if_exists_as_the_secret_policy_uses_them() -> None:
    tls = cond("Bool", "aws:SecureTransport", "false")
    assert decide(tls, **{"aws:SecureTransport": ("false",)}) == "allow"
    assert decide(tls, **{"aws:SecureTransport": ("true",)}) == "implicit-deny"
    service_exempt = cond("BoolIfExists", "aws:PrincipalIsAWSService", "false")
    assert decide(service_exempt) == "allow"
    assert decide(service_exempt, **{"aws:PrincipalIsAWSService": ("false",)}) == "allow"
    assert decide(service_exempt, **{"aws:PrincipalIsAWSService": ("true",)}) == "implicit-deny"


def test_set_operators_on_multi_valued_keys() -> None:
    aliases = cond("ForAnyValue:StringEquals", "kms:ResourceAliases", "alias/seccat/dev")
    assert decide(aliases, **{"kms:ResourceAliases": ("alias/x", "alias/seccat/dev")}) == "allow"
    assert decide(aliases, **{"kms:ResourceAliases": ("alias/seccat/prod",)}) == ("implicit-deny")
    assert decide(aliases) == "implicit-deny"  # ForAnyValue on a missing key
    all_of = cond("ForAllValues:StringLike", "k", ["a*", "b*"])
    assert decide(all_of, k=("a1", "b2")) == "allow"
    assert decide(all_of, k=("a1", "c2")) == "implicit-deny"
    assert decide(all_of) == "allow"  # ForAllValues on a missing key
    with pytest.raises(UnsupportedPolicy, match="several values"):
        decide(cond("StringEquals", "k", "a"), k=("a", "b"))


def test_conditions_combine_with_and_and_values_with_or() -> None:
    policy = doc(
        allow(
            Principal="*",
            Condition={
                "StringEquals": {"a": ["1", "2"], "b": "x"},
                "StringLike": {"c": "z*"},
            },
        )
    )
    assert decide(policy, a=("2",), b=("x",), c=("zz",)) == "allow"
    assert decide(policy, a=("3",), b=("x",), c=("zz",)) == "implicit-deny"
    assert decide(policy, a=("1",), b=("y",), c=("zz",)) == "implicit-deny"
    assert decide(policy, a=("1",), b=("x",), c=("yz",)) == "implicit-deny"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "NotPrincipal": {"AWS": "x"}, "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "NotResource": "x"},
        {"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::${aws:username}"},
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"k": "1"}},
        },
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"ForOne:StringEquals": {"k": "1"}},
        },
    ],
)
def test_what_is_not_modelled_is_refused_not_guessed(statement: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedPolicy):
        evaluate(req(k=("0",)), [doc(statement)])
    with pytest.raises(UnsupportedPolicy):
        evaluate(req(), [{"Version": "2008-10-17", "Statement": [allow()]}])


# -- two independent evaluators agree ------------------------------------------------------


def test_agrees_with_the_same_account_evaluator_on_every_generated_secret_policy(
    example_catalog: Any, example_preview: Any
) -> None:
    """tests/iam_evaluator.py (written separately, for same-account requests only) must
    reach the same decision on every request of every seccat role, owner role and trusted
    role against every secret of its own environment, for every Secrets Manager action the
    isolation matrix uses: a differential check of both oracles on the real documents."""
    import iam_evaluator as same_account
    from isolation.aws_world import world
    from isolation.test_aws_isolation import SECRET_ACTIONS, secret_decision

    envs = world(example_catalog, {e: example_preview(e) for e in example_catalog.environments})
    compared, outcomes = 0, set()
    for docs in envs.values():
        actors = [a for a in docs.actors if a.principal.kind == "AWS"]
        actors = [a for a in actors if a.principal.account == docs.account]
        for actor in actors:
            principal = same_account.Principal(arn=actor.principal.id)
            for secret in docs.secrets.values():
                for action in (*SECRET_ACTIONS, "secretsmanager:DescribeSecret"):
                    theirs = same_account.evaluate(
                        same_account.Request(principal, action, secret.arn),
                        actor.policies,
                        secret.policy,
                    ).value.replace(" ", "-")
                    mine = secret_decision(actor, action, secret)
                    assert mine == theirs, (actor.label, action, secret.secret_id)
                    compared += 1
                    outcomes.add(mine)
    assert compared >= 2_000
    assert outcomes == {"allow", "explicit-deny", "implicit-deny"}
