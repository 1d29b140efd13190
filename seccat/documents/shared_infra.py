"""Policy documents for an environment's shared infrastructure (KMS key, alarm topic)."""

from __future__ import annotations

from typing import Any

from seccat.catalog.model import Environment
from seccat.documents.names import require
from seccat.documents.templating import render_json


def _account(env: Environment) -> tuple[str, str]:
    if env.aws is None:
        raise ValueError(f"environment {env.name!r} has no aws account")
    return require(env.aws.account_id, "account_id"), require(env.aws.region, "region")


def kms_key_policy(env: Environment) -> dict[str, Any]:
    """Key policy without a wildcard principal: the account administers the key through IAM,
    and services may use it only through the paths seccat wires (Secrets Manager, alarm
    delivery, this environment's log groups)."""
    account_id, region = _account(env)
    return render_json(
        "aws/kms-key-policy.json.j2",
        env=require(env.name, "name"),
        account_id=account_id,
        region=region,
    )


def alarm_topic_arn(env: Environment) -> str:
    account_id, region = _account(env)
    return f"arn:aws:sns:{region}:{account_id}:{alarm_topic_name(env)}"


def alarm_topic_name(env: Environment) -> str:
    return f"seccat-{require(env.name, 'name')}-alarms"


def alarm_topic_policy(env: Environment) -> dict[str, Any]:
    account_id, _ = _account(env)
    return render_json(
        "aws/alarm-topic-policy.json.j2",
        env=env.name,
        account_id=account_id,
        topic_arn=alarm_topic_arn(env),
    )
