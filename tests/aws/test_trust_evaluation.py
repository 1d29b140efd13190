"""The generated service trusts, evaluated as AWS would (tests/iam_evaluator.py): a listed
service may assume the role for the environment's own resources only, never as another
account's confused deputy. A bare trust, evaluated the same way, lets any account's service
in: the negative control showing the evaluator tells the two apart."""

from __future__ import annotations

import pytest
from iam_evaluator import Decision, decide, service

from seccat.catalog.model import Trust
from seccat.documents import iam
from tests.aws.conftest import PROD_ACCOUNT, REGION

OTHER = "999999999999"
ROLE = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-app"

#: (principal, a source ARN the service presents for a resource of this account, the same
#: for another account)
SOURCES = {
    "ecs-tasks.amazonaws.com": (
        f"arn:aws:ecs:{REGION}:{PROD_ACCOUNT}:task/cluster/0123",
        f"arn:aws:ecs:{REGION}:{OTHER}:task/cluster/0123",
    ),
    "states.amazonaws.com": (
        f"arn:aws:states:{REGION}:{PROD_ACCOUNT}:stateMachine:orders",
        f"arn:aws:states:{REGION}:{OTHER}:stateMachine:orders",
    ),
    "scheduler.amazonaws.com": (
        f"arn:aws:scheduler:{REGION}:{PROD_ACCOUNT}:schedule-group/default",
        f"arn:aws:scheduler:{REGION}:{OTHER}:schedule-group/default",
    ),
}


def as_resource_policy(trust: dict) -> dict:
    """A role's trust policy is the role's resource policy with the role as its implicit
    Resource (trust policies may not name one); the evaluator wants it written out."""
    return {**trust, "Statement": [{**s, "Resource": ROLE} for s in trust["Statement"]]}


def assume(trust: dict, principal: str, source_arn: str, source_account: str) -> Decision:
    return decide(
        service(principal),
        "sts:AssumeRole",
        ROLE,
        resource_policy=as_resource_policy(trust),
        aws__SourceArn=source_arn,
        aws__SourceAccount=source_account,
    )


@pytest.mark.parametrize("principal", sorted(SOURCES))
def test_a_listed_service_assumes_the_role_for_this_account_only(principal: str) -> None:
    trust = iam.trust_policy(Trust(service=principal), PROD_ACCOUNT, REGION)
    own, other = SOURCES[principal]
    assert assume(trust, principal, own, PROD_ACCOUNT) is Decision.ALLOW
    # the confused deputy: the service acting for another account's resource
    assert assume(trust, principal, other, OTHER) is Decision.IMPLICIT_DENY
    # a forged mix is refused too: every key must hold
    assert assume(trust, principal, other, PROD_ACCOUNT) is Decision.IMPLICIT_DENY
    assert assume(trust, principal, own, OTHER) is Decision.IMPLICIT_DENY
    # another region's resource of this account is not this environment's
    elsewhere = own.replace(f":{REGION}:", ":us-east-1:")
    assert assume(trust, principal, elsewhere, PROD_ACCOUNT) is Decision.IMPLICIT_DENY
    # and no other service
    assert assume(trust, "lambda.amazonaws.com", own, PROD_ACCOUNT) is Decision.IMPLICIT_DENY


@pytest.mark.parametrize("principal", sorted(SOURCES))
def test_negative_control_a_bare_trust_admits_any_accounts_service(principal: str) -> None:
    bare = iam.trust_policy(
        Trust(service="ec2.amazonaws.com", without_source_keys="control"), PROD_ACCOUNT, REGION
    )
    bare["Statement"][0]["Principal"] = {"Service": principal}
    _, other = SOURCES[principal]
    assert assume(bare, principal, other, OTHER) is Decision.ALLOW
