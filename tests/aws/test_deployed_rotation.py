"""The rotation functions exactly as the preview configures them (handler, code, environment,
role policy) run the repository's rotators against moto: the Pulumi side and the handlers
agree on the contract in functions/README.md."""

from __future__ import annotations

import fnmatch
import importlib
import json
import string
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from iam_evaluator import Principal
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from tests.aws.conftest import PROD_ACCOUNT, SECRET, find
from tests.rotation.harness import REGION, PolicyEnforcer, SecretsManagerService


@pytest.fixture
def secretsmanager(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretsManagerService]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT", raising=False)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    with mock_aws():
        observer = boto3.session.Session().client("secretsmanager", region_name=REGION)
        yield SecretsManagerService(observer, PolicyEnforcer(observer))


def _in_moto(document: dict[str, Any]) -> dict[str, Any]:
    """A deployed document with moto's account standing in for the environment's."""
    return json.loads(json.dumps(document).replace(PROD_ACCOUNT, DEFAULT_ACCOUNT_ID))


def _function(preview, secret_id: str) -> dict[str, Any]:
    return preview.named(f"prod/{secret_id}/rotation-function").inputs


def _handler(fn: dict[str, Any]) -> Any:
    module, name = fn["handler"].rsplit(".", 1)
    # The handler's module is in the code the Lambda receives.
    assert module.replace(".", "/") + ".py" in fn["code"]["assetArchive"]
    return getattr(importlib.import_module(module), name)


def _allowed(policy: dict[str, Any], action: str, arn: str) -> bool:
    for stmt in policy["Statement"]:
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        resources = stmt["Resource"] if isinstance(stmt["Resource"], list) else [stmt["Resource"]]
        # moto's account stands in for the environment's.
        if (
            stmt["Effect"] == "Allow"
            and action in actions
            and any(
                fnmatch.fnmatchcase(arn, r.replace(PROD_ACCOUNT, DEFAULT_ACCOUNT_ID))
                for r in resources
            )
        ):
            return True
    return False


def test_deployed_generated_rotator_fills_and_rotates_its_secret(
    aws_preview, secretsmanager, monkeypatch
) -> None:
    prod = aws_preview("prod")
    fn = _function(prod, "payments/stripe-api-key")
    for name, value in fn["environment"]["variables"].items():
        monkeypatch.setenv(name, value)
    handler = _handler(fn)
    policy = json.loads(
        prod.named("prod/payments/stripe-api-key/rotation-role-policy").inputs["policy"]
    )

    calls: list[tuple[str, str]] = []
    boto3.setup_default_session(region_name=REGION)
    boto3.DEFAULT_SESSION.events.register(
        "before-parameter-build.secrets-manager",
        lambda model, params, **_: calls.append((model.name, params.get("SecretId", ""))),
    )
    # Every call is also decided by the deployed secret policy and the deployed role policy.
    boto3.DEFAULT_SESSION.events.register(
        "before-parameter-build.secrets-manager", secretsmanager.enforcer.before_call
    )
    role = prod.named("prod/payments/stripe-api-key/rotation-role").inputs["name"]
    secretsmanager.enforcer.principal_of = lambda _: Principal(
        arn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/{role}"
    )
    secretsmanager.enforcer.identity_of = lambda _: [_in_moto(policy)]
    deployed = json.loads(prod.named("prod/payments/stripe-api-key/policy").inputs["policy"])

    # As Pulumi creates it: the catalog's name, no value, the deployed resource policy;
    # rotate_immediately fills it.
    name = find(prod, SECRET, "prod/payments/stripe-api-key").inputs["name"]
    arn = secretsmanager.create(name)
    secretsmanager.attach(arn, _in_moto(deployed))
    assert secretsmanager.enforcer.policy_of(arn) == _in_moto(deployed)
    secretsmanager.rotate(handler, arn)
    first = secretsmanager.value(arn)
    secretsmanager.rotate(handler, arn)
    second = secretsmanager.value(arn)

    for value in (first, second):  # generate: {length: 40, exclude_punctuation: true}
        assert len(value) == 40
        assert not set(value) & set(string.punctuation)
    assert second != first
    assert secretsmanager.value(arn, "AWSPREVIOUS") == first

    # Everything the handler asked Secrets Manager for, its role allows on this secret.
    assert {op for op, _ in calls} >= {
        "DescribeSecret",
        "PutSecretValue",
        "UpdateSecretVersionStage",
    }
    for op, secret_id in calls:
        assert secret_id == arn, (op, secret_id)
        assert _allowed(policy, f"secretsmanager:{op}", arn), op
    decided = {(a, d.allowed) for _, a, _, d in secretsmanager.enforcer.decisions}
    assert ("secretsmanager:PutSecretValue", True) in decided
    assert all(allowed for _, allowed in decided)


def test_postgres_rotator_accepts_the_deployed_configuration(aws_preview) -> None:
    """The PostgreSQL handler parses exactly the environment the preview sets (no server
    needed: the real-server rotations are tests/rotation's)."""
    from rotation.postgres import DbConfig

    prod = aws_preview("prod")
    app = _function(prod, "payments/orders-db-app")["environment"]["variables"]
    config = DbConfig.from_env(app)
    assert config.strategy == "alternating-users"
    assert (config.host, config.port, config.dbname) == (
        "orders-db.prod.internal.example.com",
        5432,
        "orders",
    )
    assert config.username == "orders_app"
    assert config.master_arn == app["SECCAT_DB_MASTER_SECRET_ARN"]
    assert config.sslmode == "require"

    admin = DbConfig.from_env(
        _function(prod, "payments/orders-db-admin")["environment"]["variables"]
    )
    assert (admin.strategy, admin.username, admin.master_arn) == (
        "single-user",
        "orders_admin",
        None,
    )
