"""Rotation under the secret's generated resource policy (tests/rotation/harness.py).

Every rotation test in this directory runs the real handlers with each of their calls decided
by the policy seccat attaches; these tests show that the enforcement is really there (it
decides, and it refuses what the policy refuses) and that the policy leaves rotation, and only
rotation, what it needs.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from iam_evaluator import Decision, decide, role
from moto.core import DEFAULT_ACCOUNT_ID
from rotation import generated

from seccat.documents.iam import secret_resource_policy
from tests.rotation.harness import (
    ALL_SECRETS,
    OWNER,
    SecretsManagerService,
    arn_pattern,
    rotator_of,
)

ADMIN = role(DEFAULT_ACCOUNT_ID, "Admin")
DEPLOY = role(DEFAULT_ACCOUNT_ID, "ci-deploy")
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@pytest.fixture
def arn(secretsmanager: SecretsManagerService, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SECCAT_GENERATE_LENGTH", "24")
    return secretsmanager.create("payments/api-key")


def test_every_call_of_a_rotation_is_decided_by_the_attached_policy(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    attached = secretsmanager.enforcer.policy_of(arn)
    assert attached == secretsmanager.generated_policy(arn)
    secretsmanager.enforcer.decisions.clear()
    secretsmanager.rotate(generated.handler, arn)
    rotator = rotator_of(arn).arn
    made = {(who, action) for who, action, _, d in secretsmanager.enforcer.decisions if d.allowed}
    assert made == {
        (rotator, "secretsmanager:DescribeSecret"),
        (rotator, "secretsmanager:GetSecretValue"),
        (rotator, "secretsmanager:PutSecretValue"),
        (rotator, "secretsmanager:UpdateSecretVersionStage"),
    }
    assert all(d is Decision.ALLOW for *_, d in secretsmanager.enforcer.decisions)


def test_a_policy_without_the_rotation_role_stops_the_real_handler(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    """Negative control: the rotator may read but is not exempt from the value denies."""
    owner = OWNER.arn
    assert owner is not None
    broken = secret_resource_policy(
        secret_name="payments/api-key",
        secret_arn=arn_pattern(arn),
        readers=[rotator_of(arn).arn or ""],
        owner=owner,
        rotator=None,
    )
    secretsmanager.attach(arn, broken)
    with pytest.raises(ClientError) as refused:
        secretsmanager.rotate(generated.handler, arn)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    assert refused.value.operation_name == "PutSecretValue"
    assert secretsmanager.all_values(arn) == []


def test_moto_alone_would_let_anyone_write(secretsmanager: SecretsManagerService, arn: str) -> None:
    """Why the evaluator: moto stores the policy but accepts a write the policy denies."""
    policy = secretsmanager.enforcer.policy_of(arn)
    assert decide(ADMIN, "secretsmanager:PutSecretValue", arn, [ALLOW_ALL], policy) is (
        Decision.EXPLICIT_DENY
    )
    secretsmanager.client.put_secret_value(SecretId=arn, SecretString="written-by-anyone")
    assert secretsmanager.value(arn) == "written-by-anyone"


def test_only_the_owner_configures_rotation_or_rolls_back(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    """``rotate_immediately`` is the deploy identity's RotateSecret: it must be the owner
    role; a CI role that is not, or an administrator, is refused, as is their rollback."""
    secretsmanager.rotate(generated.handler, arn)
    secretsmanager.rotate(generated.handler, arn)
    for who in (DEPLOY, ADMIN):
        for action in (
            "secretsmanager:RotateSecret",
            "secretsmanager:UpdateSecretVersionStage",
            "secretsmanager:PutResourcePolicy",
            "secretsmanager:DeleteResourcePolicy",
        ):
            with pytest.raises(ClientError, match="AccessDenied"):
                secretsmanager.enforcer.authorize(who, action, arn, [ALLOW_ALL])
    before = secretsmanager.value(arn, "AWSPREVIOUS")
    secretsmanager.roll_back(arn)  # as the owner role
    assert secretsmanager.value(arn) == before
    # The owner role still cannot read what it manages.
    with pytest.raises(ClientError, match="AccessDenied"):
        secretsmanager.enforcer.authorize(
            OWNER, "secretsmanager:GetSecretValue", arn, [ALL_SECRETS]
        )


def test_the_rotator_of_another_secret_gets_nothing(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    other = secretsmanager.create("payments/other-key")
    stranger = rotator_of(other)
    identity = secretsmanager.enforcer.identity(other)
    for action in (
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
    ):
        with pytest.raises(ClientError, match="AccessDenied"):
            secretsmanager.enforcer.authorize(stranger, action, arn, [*identity, ALLOW_ALL])
