"""The renewal check of owner-rotated secrets: its measurement against a real moto server,
its documents exactly, and its permissions evaluated as AWS would (it reads metadata, never a
value)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from iam_evaluator import decide, role
from renewal.check import (
    METRIC,
    NAMESPACE,
    NOT_AFTER_TAG,
    RenewalCheckError,
    Target,
    check,
    measure,
)

from seccat.documents import renewal
from seccat.documents.aws_plan import AwsPlan
from seccat.documents.iam import secret_resource_policy

ACCOUNT, REGION = "222222222222", "eu-west-1"
DAY = 86400


def target(secret: str = "payments/partner-tls", every_days: int = 90) -> Target:
    return Target.from_event(
        {
            "environment": "prod",
            "secret": secret,
            "name": f"prod/{secret}",
            "every_seconds": every_days * DAY,
        }
    )


def test_the_schedule_input_is_what_the_check_reads(example_catalog) -> None:
    env = example_catalog.environments["prod"]
    secrets = {s.id: s for s in renewal.owner_rotated_secrets(example_catalog, env)}
    assert sorted(secrets) == [
        "data/segment-write-key",
        "payments/partner-tls",
        "payments/stripe-api-key",
    ]
    event = json.loads(renewal.check_input(env, secrets["payments/stripe-api-key"]))
    assert event == {
        "environment": "prod",
        "every_seconds": 30 * DAY,
        "name": "prod/payments/stripe-api-key",
        "secret": "payments/stripe-api-key",
    }
    assert Target.from_event(event) == Target(
        "prod", "payments/stripe-api-key", "prod/payments/stripe-api-key", 30 * DAY
    )


@pytest.mark.parametrize(
    "event",
    [
        {"environment": "prod", "secret": "a/b", "name": "dev/a/b", "every_seconds": DAY},
        {"environment": "prod", "secret": "../x", "name": "prod/../x", "every_seconds": DAY},
        {"environment": "prod", "secret": "a/b", "name": "prod/a/b", "every_seconds": 3600},
        {"environment": "prod", "secret": "a/b", "name": "prod/a/b"},
    ],
)
def test_a_malformed_event_is_refused(event: dict) -> None:
    with pytest.raises(RenewalCheckError):
        Target.from_event(event)


def test_measure_counts_from_the_last_renewal_or_a_sooner_not_after() -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    renewed = datetime(2026, 6, 1, tzinfo=UTC)
    now = datetime(2026, 8, 1, tzinfo=UTC)
    versions = [
        {"VersionId": "old", "VersionStages": ["AWSPREVIOUS"], "CreatedDate": created},
        {"VersionId": "new", "VersionStages": ["AWSCURRENT"], "CreatedDate": renewed},
    ]
    m = measure(target(), {"CreatedDate": created}, versions, now)
    assert m.due == renewed + timedelta(days=90)
    assert m.days_until_due == pytest.approx(29.0)
    soon = {"CreatedDate": created, "Tags": [{"Key": NOT_AFTER_TAG, "Value": "2026-08-11"}]}
    assert measure(target(), soon, versions, now).days_until_due == pytest.approx(10.0)
    # A later notAfter does not postpone the interval.
    late = {
        "CreatedDate": created,
        "Tags": [{"Key": NOT_AFTER_TAG, "Value": "2027-12-31T00:00:00Z"}],
    }
    assert measure(target(), late, versions, now).days_until_due == pytest.approx(29.0)
    # Never filled: due since it was created.
    assert measure(target(), {"CreatedDate": created}, [], now).days_until_due < -200
    bad = {"CreatedDate": created, "Tags": [{"Key": NOT_AFTER_TAG, "Value": "next spring"}]}
    with pytest.raises(RenewalCheckError, match="not an ISO 8601 date"):
        measure(target(), bad, versions, now)


def test_check_publishes_the_metric_on_a_real_moto_server(moto_server) -> None:
    # An account of its own on the session's moto server: the conformance tests apply
    # catalog.yaml's prod (with this secret) to 222222222222 on the same server.
    account = "555555555555"
    sm = moto_server.client("secretsmanager", REGION, account)
    cw = moto_server.client("cloudwatch", REGION, account)
    sm.create_secret(Name="prod/payments/partner-tls")
    sm.put_secret_value(SecretId="prod/payments/partner-tls", SecretString="certificate v1")
    sm.tag_resource(
        SecretId="prod/payments/partner-tls",
        Tags=[{"Key": NOT_AFTER_TAG, "Value": "2099-01-01T00:00:00Z"}],
    )
    now = datetime.now(UTC)
    result = check(target(), sm, cw, now)
    assert result.renewed is not None and abs((now - result.renewed).total_seconds()) < 300
    assert result.days_until_due == pytest.approx(90.0, abs=0.01)
    assert "certificate v1" not in json.dumps(result.log_record())
    stats = cw.get_metric_statistics(
        Namespace=NAMESPACE,
        MetricName=METRIC,
        Dimensions=[
            {"Name": "Environment", "Value": "prod"},
            {"Name": "Secret", "Value": "payments/partner-tls"},
        ],
        StartTime=now - timedelta(minutes=5),
        EndTime=now + timedelta(minutes=5),
        Period=60,
        Statistics=["Minimum"],
    )["Datapoints"]
    assert [round(p["Minimum"], 2) for p in stats] == [round(result.days_until_due, 2)]


def test_the_check_role_reads_metadata_and_never_a_value(example_catalog) -> None:
    env = example_catalog.environments["prod"]
    plan = AwsPlan(example_catalog, env)
    secret = plan.secrets["payments/partner-tls"]
    identity = renewal.check_role_policy(
        region=REGION,
        account_id=ACCOUNT,
        environment="prod",
        secret_arns=[
            plan.arn_pattern(s.id) for s in renewal.owner_rotated_secrets(example_catalog, env)
        ],
    )
    resource = secret_resource_policy(
        secret_name=secret.name,
        secret_arn=secret.arn_pattern,
        readers=secret.readers,
        owner=secret.owner_role_arn,
        rotator=None,
        writers=secret.writers,
    )
    me = role(ACCOUNT, renewal.check_function_name("prod"))
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/payments/partner-tls-AbCdEf"
    for action in ("secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"):
        assert decide(me, action, arn, [identity], resource).allowed, action
    for action in (
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:TagResource",
    ):
        assert not decide(me, action, arn, [identity], resource).allowed, action
    # A secret it does not watch (rotated by seccat): not even its metadata.
    other = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/payments/orders-db-app-AbCdEf"
    assert not decide(me, "secretsmanager:DescribeSecret", other, [identity]).allowed
    metric = "cloudwatch:PutMetricData"
    assert decide(me, metric, "*", [identity], cloudwatch__namespace=NAMESPACE).allowed
    assert not decide(me, metric, "*", [identity], cloudwatch__namespace="AWS/Lambda").allowed


def test_renewal_alarms_exactly(example_catalog) -> None:
    env = example_catalog.environments["prod"]
    secret = example_catalog.secrets["payments/stripe-api-key"]
    team = renewal.team_topic_arn(REGION, ACCOUNT, "prod", "payments")
    due, overdue = renewal.renewal_alarms(
        example_catalog,
        env,
        secret,
        team_topic=team,
        environment_topic=f"arn:aws:sns:{REGION}:{ACCOUNT}:seccat-prod-alarms",
    )
    assert (due.name, due.threshold, due.comparison_operator, due.treat_missing_data) == (
        "seccat-prod-renewal-due-payments.stripe-api-key",
        7.0,
        "LessThanOrEqualToThreshold",
        "notBreaching",
    )
    assert due.alarm_actions == (team,)
    assert due.description == (
        "seccat prod: payments/stripe-api-key is due for renewal within 7d. Team payments "
        "renews it every 30d: get a new value from its issuer and put it in place as the owner "
        "role (put-secret-value from a file). Runbook: runbooks/payments/stripe-api-key.md"
    )
    assert (overdue.threshold, overdue.comparison_operator, overdue.treat_missing_data) == (
        0.0,
        "LessThanThreshold",
        "breaching",
    )
    assert overdue.alarm_actions == (team, f"arn:aws:sns:{REGION}:{ACCOUNT}:seccat-prod-alarms")
    assert (
        overdue.dimensions
        == due.dimensions
        == {
            "Environment": "prod",
            "Secret": "payments/stripe-api-key",
        }
    )
