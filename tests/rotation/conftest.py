"""Fixtures for the rotation Lambdas: moto's Secrets Manager, in-process."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.rotation.harness import REGION, PolicyEnforcer, SecretsManagerService


@pytest.fixture
def secretsmanager(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretsManagerService]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT", raising=False)
    with mock_aws():
        # The test's own view (and Secrets Manager's): a session of its own, not enforced.
        observer = boto3.session.Session().client("secretsmanager", region_name=REGION)
        enforcer = PolicyEnforcer(observer)
        # The functions under test create their clients from boto3's default session: every
        # call they make is decided by the secret's generated resource policy.
        boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register(
            "before-parameter-build.secrets-manager", enforcer.before_call
        )
        try:
            yield SecretsManagerService(observer, enforcer)
        finally:
            boto3.DEFAULT_SESSION = None
