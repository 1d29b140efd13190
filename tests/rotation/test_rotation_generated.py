"""The generated-value rotation Lambda driven through whole rotations on moto."""

from __future__ import annotations

import logging
import string

import pytest
from rotation import generated
from rotation.common import RotationError
from rotation.generator import GenerateConfigError, GenerateSpec, generate_value

from tests.rotation.harness import SecretsManagerService

STRIPE_ENV = {  # payments/stripe-api-key: generate: {length: 40, exclude_punctuation: true}
    "SECCAT_GENERATE_LENGTH": "40",
    "SECCAT_GENERATE_EXCLUDE_PUNCTUATION": "true",
}
STRIPE = GenerateSpec(length=40, exclude_punctuation=True)


@pytest.fixture
def stripe_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in STRIPE_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def arn(secretsmanager: SecretsManagerService, stripe_env: None) -> str:
    """A secret created the way the Pulumi program creates it: no value at all."""
    return secretsmanager.create("payments/stripe-api-key")


def assert_settled(sm: SecretsManagerService, arn: str) -> None:
    """One AWSCURRENT, no AWSPENDING left behind: the next RotateSecret can start."""
    stages = sm.stages(arn)
    assert sum("AWSCURRENT" in s for s in stages.values()) == 1
    assert not any("AWSPENDING" in s for s in stages.values())


def test_first_rotation_gives_the_secret_its_first_value(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    token = secretsmanager.rotate(generated.handler, arn)
    assert secretsmanager.version_with(arn, "AWSCURRENT") == token
    value = secretsmanager.value(arn)
    assert len(value) == 40
    assert set(value) <= set(string.ascii_letters + string.digits)
    assert STRIPE.accepts(value)
    assert_settled(secretsmanager, arn)


def test_full_rotation_moves_current_and_previous(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    first = secretsmanager.rotate(generated.handler, arn)
    first_value = secretsmanager.value(arn)
    second = secretsmanager.rotate(generated.handler, arn)
    assert secretsmanager.stages(arn) == {first: ["AWSPREVIOUS"], second: ["AWSCURRENT"]}
    assert secretsmanager.value(arn) != first_value
    assert secretsmanager.value(arn, "AWSPREVIOUS") == first_value
    assert STRIPE.accepts(secretsmanager.value(arn))


def test_every_step_twice_is_idempotent(secretsmanager: SecretsManagerService, arn: str) -> None:
    secretsmanager.rotate(generated.handler, arn)
    before = secretsmanager.value(arn)
    token = secretsmanager.begin_rotation(arn)
    secretsmanager.step(generated.handler, arn, token, "createSecret")
    pending = secretsmanager.value(arn, "AWSPENDING", token)
    secretsmanager.step(generated.handler, arn, token, "createSecret")
    assert secretsmanager.value(arn, "AWSPENDING", token) == pending  # not regenerated
    for step in ("setSecret", "setSecret", "testSecret", "testSecret"):
        secretsmanager.step(generated.handler, arn, token, step)
    secretsmanager.step(generated.handler, arn, token, "finishSecret")
    secretsmanager.step(generated.handler, arn, token, "finishSecret")
    assert secretsmanager.value(arn) == pending
    assert secretsmanager.value(arn, "AWSPREVIOUS") == before
    assert_settled(secretsmanager, arn)
    # A retry after the end (e.g. a late duplicate invocation) changes nothing.
    for step in ("createSecret", "setSecret", "testSecret"):
        secretsmanager.step(generated.handler, arn, token, step)
    assert secretsmanager.value(arn) == pending
    assert_settled(secretsmanager, arn)


def test_stale_pending_from_a_failed_rotation(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    secretsmanager.rotate(generated.handler, arn)
    original = secretsmanager.version_with(arn, "AWSCURRENT")
    failed = secretsmanager.begin_rotation(arn)
    secretsmanager.step(generated.handler, arn, failed, "createSecret")
    stale_value = secretsmanager.value(arn, "AWSPENDING", failed)
    # ... the rotation dies here; a later rotation starts with a new token.
    token = secretsmanager.begin_rotation(arn)
    for step in ("createSecret", "setSecret", "testSecret", "finishSecret"):
        secretsmanager.step(generated.handler, arn, token, step)
    assert secretsmanager.value(arn) != stale_value  # a fresh value, not the stale one
    assert secretsmanager.stages(arn) == {original: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}
    # The failed run's token can no longer do anything.
    with pytest.raises(RotationError, match="not AWSPENDING"):
        secretsmanager.step(generated.handler, arn, failed, "finishSecret")
    assert secretsmanager.version_with(arn, "AWSCURRENT") == token


def test_two_rotations_racing_end_consistent(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    secretsmanager.rotate(generated.handler, arn)
    before = secretsmanager.value(arn)
    first = secretsmanager.begin_rotation(arn)
    secretsmanager.step(generated.handler, arn, first, "createSecret")
    second = secretsmanager.begin_rotation(arn)  # takes AWSPENDING from the first
    secretsmanager.step(generated.handler, arn, second, "createSecret")
    for step in ("setSecret", "testSecret", "finishSecret"):
        with pytest.raises(RotationError, match=f"{first} is not AWSPENDING"):
            secretsmanager.step(generated.handler, arn, first, step)
        secretsmanager.step(generated.handler, arn, second, step)
    assert secretsmanager.version_with(arn, "AWSCURRENT") == second
    assert secretsmanager.value(arn, "AWSPREVIOUS") == before
    assert STRIPE.accepts(secretsmanager.value(arn))
    assert_settled(secretsmanager, arn)


def test_rollback_to_previous_then_rotate_again(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    secretsmanager.rotate(generated.handler, arn)
    old = secretsmanager.value(arn)
    secretsmanager.rotate(generated.handler, arn)
    secretsmanager.roll_back(arn)
    assert secretsmanager.value(arn) == old
    token = secretsmanager.rotate(generated.handler, arn)  # rotation resumes from the rollback
    assert secretsmanager.version_with(arn, "AWSCURRENT") == token
    assert secretsmanager.value(arn, "AWSPREVIOUS") == old
    assert_settled(secretsmanager, arn)


def test_entry_checks(secretsmanager: SecretsManagerService, arn: str, stripe_env: None) -> None:
    secretsmanager.rotate(generated.handler, arn)
    current = secretsmanager.version_with(arn, "AWSCURRENT")
    assert current
    with pytest.raises(RotationError, match="has no stage"):
        secretsmanager.step(generated.handler, arn, "not-a-version-of-this-secret", "setSecret")
    token = secretsmanager.begin_rotation(arn)
    with pytest.raises(RotationError, match="invalid step"):
        secretsmanager.step(generated.handler, arn, token, "dropSecret")
    with pytest.raises(RotationError, match="no AWSPENDING value"):
        secretsmanager.step(generated.handler, arn, token, "setSecret")  # before createSecret
    # A token that is already AWSCURRENT is a no-op: no version is created.
    secretsmanager.step(generated.handler, arn, current, "createSecret")
    assert secretsmanager.version_with(arn, "AWSCURRENT") == current
    for name, rotation in (("payments/disabled", False), ("payments/never-configured", None)):
        other = secretsmanager.create(name, "x", rotation=rotation)
        with pytest.raises(RotationError, match="not enabled for rotation"):
            secretsmanager.step(
                generated.handler, other, secretsmanager.begin_rotation(other), "createSecret"
            )
        assert secretsmanager.value(other) == "x"


def test_test_step_rejects_a_pending_value_of_the_wrong_shape(
    secretsmanager: SecretsManagerService, arn: str
) -> None:
    secretsmanager.rotate(generated.handler, arn)
    token = secretsmanager.begin_rotation(arn)
    secretsmanager.client.put_secret_value(
        SecretId=arn,
        ClientRequestToken=token,
        SecretString="hand-written!",
        VersionStages=["AWSPENDING"],
    )
    with pytest.raises(RotationError, match="generate settings"):
        secretsmanager.step(generated.handler, arn, token, "testSecret")


def test_no_secret_value_is_logged(
    secretsmanager: SecretsManagerService, arn: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # even at DEBUG, botocore must not echo SecretString
    for _ in range(3):
        secretsmanager.rotate(generated.handler, arn, repeat=2)
    values = secretsmanager.all_values(arn)
    assert len(values) == 3
    assert "finishSecret" in caplog.text  # the log is there...
    for value in values:
        assert value not in caplog.text  # ...and holds no value


@pytest.mark.parametrize(
    "spec",
    [
        GenerateSpec(),
        GenerateSpec(length=12, exclude_characters="abcXYZ019!@#"),
        GenerateSpec(length=4, exclude_punctuation=True, exclude_characters="abcdefghij"),
        GenerateSpec(length=64, require_each_included_type=False, exclude_punctuation=True),
    ],
)
def test_generator_honours_length_and_alphabet(spec: GenerateSpec) -> None:
    for _ in range(50):
        value = generate_value(spec)
        assert len(value) == spec.length
        assert not set(value) & set(spec.exclude_characters)
        if spec.exclude_punctuation:
            assert not set(value) & set(string.punctuation)
        if spec.require_each_included_type:
            for cls in spec.character_classes():
                assert set(value) & set(cls)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECCAT_GENERATE_LENGTH": "0"}, "between 1 and 4096"),
        ({"SECCAT_GENERATE_LENGTH": "forty"}, "must be an integer"),
        ({"SECCAT_GENERATE_LENGTH": "3"}, "cannot include one of each"),
        ({"SECCAT_GENERATE_EXCLUDE_PUNCTUATION": "maybe"}, "true or false"),
        (
            {
                "SECCAT_GENERATE_EXCLUDE_PUNCTUATION": "true",
                "SECCAT_GENERATE_EXCLUDE_CHARACTERS": string.ascii_letters + string.digits,
            },
            "alphabet is empty",
        ),
    ],
)
def test_bad_generate_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(GenerateConfigError, match=message):
        GenerateSpec.from_env(env)
