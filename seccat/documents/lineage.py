"""Secret lineage for the SIEM: which Secrets Manager events of an environment are kept, and
where. Pure documents, like the IAM ones, so ``seccat render``, the components, the policy
rules and the tests read the same JSON.

Per environment, an EventBridge rule matches the Secrets Manager management events that
CloudTrail delivers to EventBridge for that environment's secrets (names ``<env>/<id>``), and
a target writes each matched event, whole, to an encrypted log group. ``seccat events`` reads
that log group (or CloudTrail files) back and turns it into the lineage of each credential.

The events, from the Secrets Manager user guide:

* API calls (detail-type ``AWS API Call via CloudTrail``), every operation that creates,
  changes, rotates, deletes or restores a secret or its policy ("Log entries for Secrets
  Manager operations",
  https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html).
  Read-only calls (GetSecretValue, DescribeSecret) are not delivered to EventBridge by
  CloudTrail, so reads come from the trail's files instead (docs/events.md).
* Service events (detail-type ``AWS Service Event via CloudTrail``): RotationStarted,
  RotationSucceeded, RotationFailed, RotationAbandoned, StartSecretVersionDelete,
  CancelSecretVersionDelete, EndSecretVersionDelete
  (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html), and
  TestRotationFailed, which the rotation-failure rule already matches
  (seccat/documents/monitoring.py).

The secret is named differently per event: ``requestParameters.secretId`` (a name or an ARN,
as the caller wrote it) for calls on an existing secret, ``requestParameters.name`` for
CreateSecret, ``additionalEventData.SecretId`` (an ARN) for service events. The pattern scopes
each by the environment's prefix, so environments sharing an account never mix their lineage.
"""

from __future__ import annotations

from typing import Any

from seccat.documents.monitoring import secret_arn_prefix
from seccat.documents.names import require

API_CALL = "AWS API Call via CloudTrail"
SERVICE_EVENT = "AWS Service Event via CloudTrail"

#: Calls that create, change, rotate, delete or restore a secret, its value, its labels, its
#: policy, tags or replication.
API_EVENTS: tuple[str, ...] = (
    "CreateSecret",
    "PutSecretValue",
    "UpdateSecret",
    "RotateSecret",
    "CancelRotateSecret",
    "UpdateSecretVersionStage",
    "DeleteSecret",
    "RestoreSecret",
    "PutResourcePolicy",
    "DeleteResourcePolicy",
    "TagResource",
    "UntagResource",
    "ReplicateSecretToRegions",
    "RemoveRegionsFromReplication",
    "StopReplicationToReplica",
)
SERVICE_EVENTS: tuple[str, ...] = (
    "RotationStarted",
    "RotationSucceeded",
    "RotationFailed",
    "RotationAbandoned",
    "TestRotationFailed",
    "StartSecretVersionDelete",
    "CancelSecretVersionDelete",
    "EndSecretVersionDelete",
)
LINEAGE_EVENTS: tuple[str, ...] = API_EVENTS + SERVICE_EVENTS

#: PCI DSS v4.0.1 10.5.1: audit log history for at least 12 months.
RETENTION_DAYS = 365
TARGET_ID = "seccat-secret-lineage"


def rule_name(environment: str) -> str:
    return f"seccat-{require(environment, 'name')}-secret-lineage"


def rule_arn(region: str, account_id: str, environment: str) -> str:
    return (
        f"arn:aws:events:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":rule/{rule_name(environment)}"
    )


def log_group_name(environment: str) -> str:
    """Under ``/seccat/<env>/``: the environment key's policy lets CloudWatch Logs encrypt
    exactly those log groups (templates/aws/kms-key-policy.json.j2)."""
    return f"/seccat/{require(environment, 'name')}/secret-lineage"


def log_group_arn(region: str, account_id: str, environment: str) -> str:
    """The ARN an EventBridge target and a resource policy name (no ``:*`` suffix)."""
    return (
        f"arn:aws:logs:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":log-group:{log_group_name(environment)}"
    )


def resource_policy_name(environment: str) -> str:
    return f"seccat-{require(environment, 'name')}-secret-lineage"


def lineage_pattern(region: str, account_id: str, environment: str) -> dict[str, Any]:
    """The environment's Secrets Manager lineage events, whichever way they name the secret."""
    env = require(environment, "name")
    arn_prefix = secret_arn_prefix(region, account_id, env)
    by_name_or_arn = [{"prefix": f"{env}/"}, {"prefix": arn_prefix}]
    return {
        "source": ["aws.secretsmanager"],
        "detail-type": [API_CALL, SERVICE_EVENT],
        "detail": {
            "eventSource": ["secretsmanager.amazonaws.com"],
            "eventName": list(LINEAGE_EVENTS),
            "$or": [
                {"requestParameters": {"secretId": by_name_or_arn}},
                {"requestParameters": {"name": [{"prefix": f"{env}/"}]}},
                {"additionalEventData": {"SecretId": [{"prefix": arn_prefix}]}},
            ],
        },
    }


def log_resource_policy(region: str, account_id: str, environment: str) -> dict[str, Any]:
    """EventBridge may create streams and put events in the lineage log group, and nowhere
    else. The form is the EventBridge user guide's ("CloudWatch Logs permissions",
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html),
    narrowed from ``/aws/events/*`` to this one log group. EventBridge only writes to log
    groups of the rule's own account and region, so no other account's rule can use it."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "TrustEventsToStoreLineage",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn(region, account_id, environment)}:*",
            }
        ],
    }
