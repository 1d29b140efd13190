"""AWS documents for the Vault KV rotator: its function role, and the scheduler that runs it.

The rotator needs no AWS data permissions at all: it proves its identity to Vault by signing
``sts:GetCallerIdentity`` (which needs no IAM permission), and Vault's policy, bound to this
role through the AWS auth backend, limits it to its own secrets' paths. Its IAM policy is only
its log stream.
"""

from __future__ import annotations

from typing import Any

from seccat.documents.names import bounded, require

SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com"


def rotator_function_name(environment: str, team: str) -> str:
    """Lambda function (and IAM role) name: 64 characters at most."""
    return bounded(f"seccat-{require(environment, 'name')}-kv-rotator-{require(team, 'name')}", 64)


def kv_rotator_layer_name(environment: str) -> str:
    """The KV rotators' dependency layer (hvac) of one environment."""
    return f"seccat-{require(environment, 'name')}-kv-rotator-dependencies"


#: Inline policy names on the rotator's and the scheduler's roles.
ROTATOR_LOGS_POLICY_NAME = "write-own-logs"
SCHEDULER_POLICY_NAME = "invoke-kv-rotator"


def scheduler_role_name(environment: str, team: str) -> str:
    return bounded(f"seccat-{require(environment, 'name')}-kv-sched-{require(team, 'name')}", 64)


def log_group_name(function_name: str) -> str:
    return f"/aws/lambda/{require(function_name, 'aws_name')}"


def log_group_arn(region: str, account_id: str, function_name: str) -> str:
    return (
        f"arn:aws:logs:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":log-group:{log_group_name(function_name)}"
    )


def function_arn(region: str, account_id: str, function_name: str) -> str:
    return (
        f"arn:aws:lambda:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":function:{require(function_name, 'aws_name')}"
    )


def rotator_logs_policy(region: str, account_id: str, function_name: str) -> dict[str, Any]:
    """Write its own log streams, nothing else (the log group is created by seccat)."""
    group = log_group_arn(region, account_id, function_name)
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{group}:log-stream:*",
            }
        ],
    }


def scheduler_trust_policy(account_id: str, schedule_group_arn_value: str) -> dict[str, Any]:
    """Only EventBridge Scheduler, for schedules in seccat's own group, may assume it (the
    group ARN is what Scheduler presents as ``aws:SourceArn``)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumedBySchedulerForRotation",
                "Effect": "Allow",
                "Principal": {"Service": SCHEDULER_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": require(account_id, "account_id"),
                        "aws:SourceArn": require(schedule_group_arn_value, "arn"),
                    }
                },
            }
        ],
    }


def scheduler_invoke_policy(function_arn_value: str) -> dict[str, Any]:
    """Invoke exactly the one rotator function."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "InvokeRotator",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": require(function_arn_value, "arn"),
            }
        ],
    }


def schedule_name(environment: str, secret_slug: str) -> str:
    return bounded(f"seccat-{require(environment, 'name')}-kv-{secret_slug}", 64)


def schedule_group_name(environment: str) -> str:
    """A group of its own, so no other schedule can use the rotator's scheduler role."""
    return f"seccat-{require(environment, 'name')}-kv-rotation"


def schedule_group_arn(region: str, account_id: str, environment: str) -> str:
    return (
        f"arn:aws:scheduler:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":schedule-group/{schedule_group_name(environment)}"
    )
