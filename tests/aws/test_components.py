"""The AWS resources under the offline engine, as `seccat preview` records them."""

from __future__ import annotations

import copy
import json
import re

import pytest

from seccat.catalog.model import Rotation, Secret
from seccat.components.aws.package import source_files
from seccat.documents.aws_plan import PlanError, rotation_rules
from seccat.engine.preview import ProgramError
from tests.aws.conftest import (
    BASE,
    PROD_ACCOUNT,
    REGION,
    SECRET,
    catalog_from,
    find,
    policy_documents,
    preview_of,
)

DATA = ("aws:secretsmanager/secret:Secret", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup")


def _key_arn(preview, name: str) -> str:
    """The mocked ARN of a key (an output), as the engine derives it: in the region and
    account of the provider that manages the key."""
    from seccat.engine.outputs import outputs_for

    key = find(preview, "aws:kms/key:Key", name)
    assert key.provider is not None and key.provider.region and key.provider.account
    region, account = key.provider.region, key.provider.account
    return outputs_for(key.type, key.name, key.inputs, account, region)[1]["arn"]


def _rules(preview, secret_id: str) -> dict:
    stack = preview.stack
    return preview.named(f"{stack}/{secret_id}/rotation-schedule").inputs["rotationRules"]


def test_every_in_days_becomes_automatically_after_days(aws_preview) -> None:
    assert _rules(aws_preview("prod"), "payments/stripe-api-key") == {
        "automaticallyAfterDays": 30,
        "duration": "2h",
    }


def test_every_in_hours_becomes_a_rate_expression(aws_preview) -> None:
    assert _rules(aws_preview("prod"), "payments/webhook-key") == {
        "scheduleExpression": "rate(6 hours)"
    }


def test_schedule_passes_through_as_cron_with_its_window(aws_preview) -> None:
    assert _rules(aws_preview("prod"), "payments/weekly-token") == {
        "scheduleExpression": "cron(0 4 ? * SUN *)",
        "duration": "3h",
    }


def _secret(**rotation: object) -> Secret:
    return Secret(
        id="a/b",
        description="",
        owner="t",
        type="password",
        store="aws-secretsmanager",
        classification="internal",
        compliance=(),
        environments=("dev",),
        rotation=Rotation(**rotation),  # type: ignore[arg-type]
        consumers=(),
    )


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        ({"every": "2w", "every_seconds": 14 * 86400}, {"automatically_after_days": 14}),
        ({"every": "36h", "every_seconds": 36 * 3600}, {"schedule_expression": "rate(36 hours)"}),
        ({"every": "48h", "every_seconds": 48 * 3600}, {"automatically_after_days": 2}),
        (
            {"schedule": "cron(0 2 1 * ? *)", "window": "1d", "window_seconds": 86400},
            {"schedule_expression": "cron(0 2 1 * ? *)", "duration": "24h"},
        ),
    ],
)
def test_rotation_rule_mapping(rotation: dict, expected: dict) -> None:
    assert rotation_rules(_secret(**rotation)).as_args() == expected


@pytest.mark.parametrize(
    "rotation",
    [
        {"every": "90m", "every_seconds": 5400},
        {"every": "1d", "every_seconds": 86400, "window": "90m", "window_seconds": 5400},
        {},
    ],
)
def test_rotation_rules_that_aws_cannot_express_are_refused(rotation: dict) -> None:
    with pytest.raises(PlanError):
        rotation_rules(_secret(**rotation))


def test_generated_types_rotate_immediately_and_owner_rotated_ones_have_no_function(
    aws_preview,
) -> None:
    prod = aws_preview("prod")
    schedules = {
        r.name: r.inputs for r in prod.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    }
    assert sorted(schedules) == [
        f"prod/payments/{n}/rotation-schedule"
        for n in (
            "orders-db-admin",
            "orders-db-app",
            "stripe-api-key",
            "webhook-key",
            "weekly-token",
        )
    ]
    immediately = {n.split("/")[2]: s["rotateImmediately"] for n, s in schedules.items()}
    # The superuser login has no superuser above it: its owner seeds it, rotation follows.
    assert immediately == {
        "orders-db-admin": False,
        "orders-db-app": True,
        "stripe-api-key": True,
        "webhook-key": True,
        "weekly-token": True,
    }
    tags = {r.name: r.inputs["tags"] for r in prod.of_type("aws:secretsmanager/secret:Secret")}
    assert tags["prod/payments/partner-tls"]["seccat:rotation"] == "owner"
    assert tags["prod/payments/stripe-api-key"]["seccat:rotation"] == "managed"
    assert not [
        r for r in prod.resources if r.name.startswith("prod/payments/partner-tls/rotation")
    ]


def test_secret_inputs(aws_preview) -> None:
    prod, dev = aws_preview("prod"), aws_preview("dev")
    secret = find(prod, SECRET, "prod/payments/webhook-key")
    assert secret.inputs["kmsKeyId"] == _key_arn(prod, "prod-kms")
    assert secret.inputs["name"] == "prod/payments/webhook-key"
    assert secret.inputs["description"] == "Webhook HMAC key"
    assert secret.inputs["recoveryWindowInDays"] == 30
    assert find(dev, SECRET, "dev/payments/webhook-key").inputs["recoveryWindowInDays"] == 7
    assert secret.inputs["tags"] == {
        "seccat:catalog-id": "payments/webhook-key",
        "seccat:owner": "payments",
        "seccat:classification": "confidential",
        "seccat:environment": "prod",
        "seccat:managed-by": "seccat",
        "seccat:rotation": "managed",
        "seccat:type": "password",
    }
    # No value is ever written by the program.
    assert not prod.of_type("aws:secretsmanager/secretVersion:SecretVersion")
    assert "secretString" not in json.dumps([r.inputs for r in prod.resources])


def test_replicas_use_the_environment_key_of_their_own_region(aws_preview) -> None:
    prod = aws_preview("prod")
    replicas = find(prod, SECRET, "prod/payments/webhook-key").inputs["replicas"]
    assert [r["region"] for r in replicas] == ["eu-central-1"]
    regional = prod.named("prod-kms-eu-central-1")
    assert replicas[0]["kmsKeyId"] == _key_arn(prod, "prod-kms-eu-central-1")
    assert replicas[0]["kmsKeyId"] != _key_arn(prod, "prod-kms")
    assert replicas[0]["kmsKeyId"].startswith(f"arn:aws:kms:eu-central-1:{PROD_ACCOUNT}:key/")
    assert _key_arn(prod, "prod-kms").startswith(f"arn:aws:kms:{REGION}:{PROD_ACCOUNT}:key/")
    assert regional.inputs["enableKeyRotation"] is True
    alias = prod.named("prod-kms-alias-eu-central-1")
    assert alias.inputs["name"] == "alias/seccat/prod"
    provider = prod.named("prod-eu-central-1")
    assert provider.type == "pulumi:providers:aws" and provider.inputs["region"] == "eu-central-1"
    policy = json.loads(regional.inputs["policy"])
    via = {
        s["Condition"]["StringEquals"]["kms:ViaService"]
        for s in policy["Statement"]
        if "kms:ViaService" in s.get("Condition", {}).get("StringEquals", {})
    }
    assert via == {"secretsmanager.eu-central-1.amazonaws.com"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_data_is_protected_and_retained_only_in_protected_environments(aws_preview, stack) -> None:
    preview = aws_preview(stack)
    data = [r for r in preview.resources if r.type in DATA]
    assert {r.type for r in data} == set(DATA)
    for r in data:
        expected = stack == "prod"
        assert (r.options["protect"], r.options["retainOnDelete"]) == (expected, expected), r.name


def test_lambda_permission_is_scoped_to_its_secret_and_account(aws_preview) -> None:
    prod = aws_preview("prod")
    permissions = prod.of_type("aws:lambda/permission:Permission")
    assert len(permissions) == 5
    for p in permissions:
        secret_id = p.name.removeprefix("prod/").removesuffix("/rotation-invoke")
        secret_arn = find(prod, SECRET, f"prod/{secret_id}").inputs
        assert p.inputs["principal"] == "secretsmanager.amazonaws.com"
        assert p.inputs["action"] == "lambda:InvokeFunction"
        assert p.inputs["sourceAccount"] == PROD_ACCOUNT
        assert re.fullmatch(
            rf"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:"
            rf"{re.escape(secret_arn['name'])}-[A-Za-z0-9]{{6}}",
            p.inputs["sourceArn"],
        )


def test_rotation_function_settings(aws_preview) -> None:
    prod = aws_preview("prod")
    fn = prod.named("prod/payments/orders-db-app/rotation-function")
    admin_arn = prod.named("prod/payments/orders-db-app/rotation-function").inputs["environment"][
        "variables"
    ]["SECCAT_DB_MASTER_SECRET_ARN"]
    assert fn.inputs["runtime"] == "python3.13"
    assert fn.inputs["handler"] == "rotation.postgres.handler"
    assert fn.inputs["timeout"] >= 30
    assert fn.inputs["reservedConcurrentExecutions"] == 1
    assert fn.inputs["name"] == "seccat-prod-rotate-payments_orders-db-app"
    assert fn.inputs["role"] == (
        f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-rotate-payments_orders-db-app"
    )
    assert fn.inputs["loggingConfig"] == {
        "logFormat": "JSON",
        "logGroup": "/seccat/prod/rotation/payments/orders-db-app",
    }
    assert fn.inputs["vpcConfig"] == {
        "subnetIds": ["subnet-0a1b2c3d"],
        "securityGroupIds": ["sg-0123abcd"],
    }
    assert admin_arn.startswith(
        f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:prod/payments/orders-db-admin-"
    )
    assert fn.inputs["environment"]["variables"] == {
        "SECCAT_GENERATE_LENGTH": "32",
        "SECCAT_GENERATE_EXCLUDE_CHARACTERS": "",
        "SECCAT_GENERATE_EXCLUDE_PUNCTUATION": "false",
        "SECCAT_GENERATE_REQUIRE_EACH_INCLUDED_TYPE": "true",
        "SECCAT_DB_STRATEGY": "alternating-users",
        "SECCAT_DB_HOST": "orders-db.prod.internal.example.com",
        "SECCAT_DB_PORT": "5432",
        "SECCAT_DB_NAME": "orders",
        "SECCAT_DB_USERNAME": "orders_app",
        "SECCAT_DB_SSLMODE": "require",
        "SECCAT_DB_MASTER_SECRET_ARN": admin_arn,
    }
    generated = prod.named("prod/payments/stripe-api-key/rotation-function")
    assert generated.inputs["handler"] == "rotation.generated.handler"
    assert "vpcConfig" not in generated.inputs
    assert generated.inputs["environment"]["variables"] == {
        "SECCAT_GENERATE_LENGTH": "40",
        "SECCAT_GENERATE_EXCLUDE_CHARACTERS": "",
        "SECCAT_GENERATE_EXCLUDE_PUNCTUATION": "true",
        "SECCAT_GENERATE_REQUIRE_EACH_INCLUDED_TYPE": "true",
    }
    logs = prod.named("prod/payments/stripe-api-key/rotation-logs")
    assert logs.inputs["name"] == "/seccat/prod/rotation/payments/stripe-api-key"
    assert logs.inputs["retentionInDays"] == 365
    assert logs.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{REGION}:{PROD_ACCOUNT}:key/")


def test_lambda_code_is_the_repository_handlers(aws_preview) -> None:
    fn = aws_preview("prod").named("prod/payments/orders-db-app/rotation-function")
    archive = fn.inputs["code"]["assetArchive"]
    assert {"rotation/common.py", "rotation/generated.py", "rotation/postgres.py"} <= set(archive)
    assert archive["rotation/postgres.py"] == {"fileAsset": "functions/rotation/postgres.py"}
    # Only the rotators' modules: no caches, no Vault rotator, no build script or README.
    assert all(p.startswith("rotation/") and p.endswith(".py") for p in archive), archive
    assert not [p for p in archive if "__pycache__" in p]
    assert tuple(archive) == source_files()
    # pg8000 comes from the environment's dependency layer, only where it is needed.
    layer = aws_preview("prod").named("prod/rotation-dependencies")
    assert layer.inputs["code"] == {"fileArchive": "build/lambda-layer"}
    assert layer.inputs["compatibleRuntimes"] == ["python3.13"]
    assert layer.inputs["compatibleArchitectures"] == ["arm64"]
    assert fn.inputs["layers"] == [
        f"arn:aws:lambda:{REGION}:{PROD_ACCOUNT}:layer:seccat-prod-rotation-dependencies:1"
    ]
    generated = aws_preview("prod").named("prod/payments/stripe-api-key/rotation-function")
    assert "layers" not in generated.inputs


def test_no_secretsmanager_action_has_a_wildcard_resource(aws_preview, example_preview) -> None:
    previews = [aws_preview("dev"), aws_preview("prod"), example_preview("prod")]
    checked = 0
    for preview in previews:
        for resource, _, doc in policy_documents(preview):
            for stmt in doc["Statement"]:
                actions = stmt.get("Action", [])
                actions = [actions] if isinstance(actions, str) else actions
                if not any(a.startswith("secretsmanager:") for a in actions):
                    continue
                checked += 1
                resources = stmt["Resource"]
                resources = [resources] if isinstance(resources, str) else resources
                # A grant names the secret in its region; a deny in a secret's resource
                # policy names it in every region, as the policy is copied to its replicas.
                region = r"[a-z0-9-]+" if stmt["Effect"] == "Allow" else r"\*"
                for arn in resources:
                    assert arn != "*", (resource.name, stmt["Sid"])
                    assert re.fullmatch(
                        rf"arn:aws:secretsmanager:{region}:\d{{12}}:secret:[a-z0-9/-]+-\?{{6}}", arn
                    ), (resource.name, arn)
    assert checked > 20


def test_every_policy_input_is_json(example_preview) -> None:
    for stack in ("dev", "staging", "prod"):
        preview = example_preview(stack)
        for r in preview.resources:
            for key in ("policy", "assumeRolePolicy", "eventPattern", "dashboardBody"):
                if key in r.inputs and r.type.startswith("aws:"):
                    assert isinstance(r.inputs[key], str), (r.name, key)
                    json.loads(r.inputs[key])


VALUE_KEYS = {"secretString", "secretBinary", "secretStringWo", "password", "value", "privateKey"}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_no_secret_value_anywhere_in_the_preview(aws_preview, example_preview) -> None:
    """Nothing the program registers carries a value: no version resource, no value-like
    input key, no key material or access key, no credential-named environment variable."""
    for preview in (aws_preview("prod"), example_preview("prod")):
        assert not preview.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        for r in preview.resources:
            if r.type.startswith("aws:") or r.type.startswith("seccat:aws"):
                assert not _keys(r.inputs) & VALUE_KEYS, r.name
        text = json.dumps(preview.to_json())
        assert "PRIVATE KEY" not in text
        assert not re.search(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b", text)
        for fn in preview.of_type("aws:lambda/function:Function"):
            for name in (fn.inputs.get("environment") or {}).get("variables", {}):
                assert not re.search(r"PASSWORD|TOKEN|SECRET_VALUE|PRIVATE", name), name


def test_alarms_event_rule_and_dashboard(aws_preview) -> None:
    prod = aws_preview("prod")
    every_alarm = prod.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    alarms = [a for a in every_alarm if a.inputs["namespace"] == "AWS/Lambda"]
    # Errors and Throttles for five rotators and the renewal check
    assert len(alarms) == 12
    # and the reminder and overdue alarms of the one owner-rotated secret
    assert len(every_alarm) == 14
    topic = f"arn:aws:sns:{REGION}:{PROD_ACCOUNT}:seccat-prod-alarms"
    errors = prod.named("prod/seccat-prod-rotate-payments_stripe-api-key-errors").inputs
    assert errors["namespace"] == "AWS/Lambda" and errors["metricName"] == "Errors"
    assert errors["dimensions"] == {"FunctionName": "seccat-prod-rotate-payments_stripe-api-key"}
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == [topic]
        assert alarm.inputs["okActions"] == [topic]
    rule = prod.named("prod/rotation-failures")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.secretsmanager"],
        "detail-type": ["AWS Service Event via CloudTrail"],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": ["RotationAbandoned", "RotationFailed", "TestRotationFailed"],
            "additionalEventData": {
                "SecretId": [
                    {"prefix": f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:prod/"}
                ]
            },
        },
    }
    target = prod.named("prod/rotation-failures-to-topic").inputs
    assert target["arn"] == topic
    transformer = target["inputTransformer"]
    assert transformer["inputPaths"]["secret"] == "$.detail.additionalEventData.SecretId"
    assert (
        "<secret>" in transformer["inputTemplate"] and "seccat prod" in transformer["inputTemplate"]
    )
    dashboard = json.loads(prod.named("prod/rotation-dashboard").inputs["dashboardBody"])
    alarm_widget = dashboard["widgets"][0]["properties"]["alarms"]
    assert len(alarm_widget) == 14
    assert all(
        a.startswith(f"arn:aws:cloudwatch:{REGION}:{PROD_ACCOUNT}:alarm:") for a in alarm_widget
    )
    metrics = dashboard["widgets"][1]["properties"]["metrics"]
    assert [
        "AWS/Lambda",
        "Invocations",
        "FunctionName",
        "seccat-prod-rotate-payments_weekly-token",
    ] in metrics


def test_detective_controls_only_where_asked(aws_preview) -> None:
    assert not aws_preview("dev").of_type("aws:cfg/rule:Rule")
    rules = {r.inputs["name"]: r.inputs for r in aws_preview("prod").of_type("aws:cfg/rule:Rule")}
    assert {n: r["source"]["sourceIdentifier"] for n, r in rules.items()} == {
        "seccat-prod-secret-rotation-enabled-internal": "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        "seccat-prod-secret-rotation-enabled-confidential": "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        "seccat-prod-secret-rotation-enabled-restricted": "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
        "seccat-prod-secret-rotation-succeeds": "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
        "seccat-prod-secret-periodic-rotation": "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
        "seccat-prod-secret-unused": "SECRETSMANAGER_SECRET_UNUSED",
        "seccat-prod-kms-key-rotation": "CMK_BACKING_KEY_ROTATION_ENABLED",
    }
    restricted = rules["seccat-prod-secret-rotation-enabled-restricted"]
    assert json.loads(restricted["inputParameters"]) == {"maximumAllowedRotationFrequency": "30"}
    assert restricted["scope"] == {"tagKey": "seccat:classification", "tagValue": "restricted"}
    assert json.loads(rules["seccat-prod-secret-periodic-rotation"]["inputParameters"]) == {
        "maxDaysSinceRotation": "180"
    }


def test_every_aws_resource_is_parented_tagged_and_located(aws_preview) -> None:
    prod = aws_preview("prod")
    untaggable = {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "aws:lambda/permission:Permission",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:kms/alias:Alias",
        "aws:lambda/layerVersion:LayerVersion",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        # EventBridge Scheduler takes tags on the schedule group only.
        "aws:scheduler/schedule:Schedule",
        "pulumi:providers:aws",
    }
    for r in prod.resources:
        if r.type == "seccat:index:SecretsPlatform":
            continue
        assert r.parent, r.name
        if r.custom and r.type not in untaggable:
            assert r.inputs["tags"]["seccat:managed-by"] == "seccat", r.name
    for r in prod.resources:
        if r.name.startswith("prod/payments/orders-db-app"):
            assert r.catalog_ref == ("secrets", "payments/orders-db-app"), r.name
        if r.name.startswith("prod/checkout-api"):
            assert r.catalog_ref == ("services", "checkout-api"), r.name


def test_service_role_exists_for_vault_only_consumers(example_preview) -> None:
    """auth-service consumes only Vault secrets: its role exists (Vault AWS auth binds it)
    but carries no Secrets Manager policy."""
    prod = example_preview("prod")
    role = prod.named("prod/auth-service/role")
    assert role.inputs["name"] == "seccat-prod-auth-service"
    assert not [r for r in prod.resources if r.name == "prod/auth-service/secrets-policy"]


def test_consumer_without_an_aws_identity_is_a_clear_error() -> None:
    data = copy.deepcopy(BASE)
    data["services"]["checkout-api"].pop("aws")
    with pytest.raises(ProgramError, match="checkout-api consumes AWS secrets in dev"):
        preview_of(catalog_from(data), "dev")


def test_alternating_users_without_a_superuser_secret_is_a_clear_error() -> None:
    data = copy.deepcopy(BASE)
    data["databases"]["orders-db"].pop("admin_secret")
    with pytest.raises(ProgramError, match="alternating-users needs the database's admin_secret"):
        preview_of(catalog_from(data), "dev")


def test_operational_tags_survive_the_next_update(aws_preview) -> None:
    """A certificate's seccat:not-after (written at renewal) and the rotation incident tag
    are not the program's: `pulumi up` must not remove them."""
    for secret in aws_preview("prod").of_type("aws:secretsmanager/secret:Secret"):
        assert secret.options["ignoreChanges"] == [
            'tags["seccat:not-after"]',
            'tags["seccat:incident"]',
        ], secret.name
        assert "seccat:not-after" not in secret.inputs["tags"]
