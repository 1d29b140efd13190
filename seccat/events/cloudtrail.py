"""CloudTrail records of AWS Secrets Manager, as OCSF API Activity events.

A record names its secret in different places depending on the event (the Secrets Manager
user guide, https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html):
``requestParameters.secretId`` (the name or ARN the caller wrote), ``requestParameters.name``
(CreateSecret), ``responseElements.arn`` (``aRN`` in records written before February 2024),
``additionalEventData.SecretId`` (rotation and deletion service events). CloudTrail never
records SecretString or SecretBinary for these calls; this module still copies nothing but
named, non-secret fields (``_REQUEST_DETAILS``), so a record that did carry a value could not
pass it on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seccat.catalog.untrusted import redact
from seccat.events import ocsf
from seccat.events.attribution import OTHER, Actor, CatalogIndex

SOURCE = "secretsmanager.amazonaws.com"

_ACTIVITY = {
    "CreateSecret": "Create",
    "GetSecretValue": "Read",
    "BatchGetSecretValue": "Read",
    "DescribeSecret": "Read",
    "ListSecretVersionIds": "Read",
    "GetResourcePolicy": "Read",
    "DeleteSecret": "Delete",
    "DeleteResourcePolicy": "Delete",
}
_SERVICE_STEPS = {
    "RotationStarted": "rotation-started",
    "RotationSucceeded": "rotated",
    "RotationFailed": "rotation-failed",
    "TestRotationFailed": "rotation-failed",
    "RotationAbandoned": "rotation-failed",
    "StartSecretVersionDelete": "deletion-scheduled",
    "CancelSecretVersionDelete": "restored",
    "EndSecretVersionDelete": "revoked",
}
_CONFIG_CALLS = frozenset(
    {
        "CancelRotateSecret",
        "TagResource",
        "UntagResource",
        "ReplicateSecretToRegions",
        "RemoveRegionsFromReplication",
        "StopReplicationToReplica",
    }
)
#: The only request parameters copied into ``details``: names, labels, versions, settings.
_REQUEST_DETAILS = (
    "versionStage",
    "moveToVersionId",
    "removeFromVersionId",
    "recoveryWindowInDays",
    "forceDeleteWithoutRecovery",
    "rotateImmediately",
    "rotationLambdaARN",
    "kmsKeyId",
    "versionId",
)
_ROTATION_RULES = ("automaticallyAfterDays", "scheduleExpression", "duration")


def _secret_candidates(record: Mapping[str, Any]) -> list[str]:
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    extra = record.get("additionalEventData") or {}
    found: list[Any] = [
        request.get("secretId") if isinstance(request, Mapping) else None,
        request.get("name") if isinstance(request, Mapping) else None,
        extra.get("SecretId") if isinstance(extra, Mapping) else None,
    ]
    if isinstance(response, Mapping):
        found += [response.get("arn"), response.get("aRN"), response.get("name")]
    for resource in record.get("resources") or ():
        if isinstance(resource, Mapping):
            found.append(resource.get("ARN") or resource.get("arn"))
    return [c for c in found if isinstance(c, str) and c]


def _actor(record: Mapping[str, Any], index: CatalogIndex) -> tuple[Actor, dict[str, Any]]:
    who = record.get("userIdentity") or {}
    if not isinstance(who, Mapping):
        who = {}
    session = who.get("sessionContext") or {}
    issuer = session.get("sessionIssuer") or {} if isinstance(session, Mapping) else {}
    role_arn = issuer.get("arn") if isinstance(issuer, Mapping) else None
    arn = role_arn or who.get("arn")
    actor = index.aws_actor(arn)
    if actor is OTHER and (who.get("type") == "AWSService" or who.get("invokedBy")):
        actor = Actor("aws-service")
    attributes = session.get("attributes") or {} if isinstance(session, Mapping) else {}
    user = ocsf.pruned(
        {
            "type": who.get("type"),
            "uid": who.get("arn") or who.get("principalId"),
            "name": (issuer.get("userName") if isinstance(issuer, Mapping) else None)
            or who.get("userName"),
            "account": {"uid": who.get("accountId")},
        }
    )
    shown: dict[str, Any] = {
        "user": user,
        "invoked_by": who.get("invokedBy"),
        "app_name": actor.service,
        "session": ocsf.pruned(
            {
                "issuer": role_arn,
                "created_time_dt": attributes.get("creationDate")
                if isinstance(attributes, Mapping)
                else None,
                "is_mfa": (attributes.get("mfaAuthenticated") == "true")
                if isinstance(attributes, Mapping) and "mfaAuthenticated" in attributes
                else None,
            }
        ),
    }
    return actor, ocsf.pruned(shown)


def _step(name: str, record: Mapping[str, Any], actor: Actor, owner_rotated: bool) -> str:
    if name in _SERVICE_STEPS:
        return _SERVICE_STEPS[name]
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    if name == "CreateSecret":
        return "created"
    if name in ("PutSecretValue", "UpdateSecret"):
        new_version = name == "PutSecretValue" or (
            isinstance(response, Mapping) and bool(response.get("versionId"))
        )
        if not new_version:
            return "configured"
        if actor.kind == "rotation":
            return "value-written"
        return "renewed" if owner_rotated else "value-written"
    if name == "RotateSecret":
        configures = isinstance(request, Mapping) and (
            "rotationRules" in request or "rotationLambdaARN" in request
        )
        return "configured" if configures else "rotation-requested"
    if name == "UpdateSecretVersionStage":
        return "stage-moved"
    if name == "DeleteSecret":
        forced = isinstance(request, Mapping) and request.get("forceDeleteWithoutRecovery")
        return "revoked" if forced else "deletion-scheduled"
    if name == "RestoreSecret":
        return "restored"
    if name in ("PutResourcePolicy", "DeleteResourcePolicy"):
        return "policy-changed"
    if _ACTIVITY.get(name) == "Read":
        return "read"
    return "configured"


def _details(record: Mapping[str, Any]) -> dict[str, Any]:
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    out: dict[str, Any] = {}
    if isinstance(request, Mapping):
        for key in _REQUEST_DETAILS:
            value = request.get(key)
            if isinstance(value, bool | int | float) or (
                isinstance(value, str) and len(value) <= 2048
            ):
                out[key] = value
        rules = request.get("rotationRules")
        if isinstance(rules, Mapping):
            out["rotationRules"] = {
                k: rules[k]
                for k in _ROTATION_RULES
                if isinstance(rules.get(k), str | int | float) and not isinstance(rules[k], bool)
            }
    if isinstance(response, Mapping):
        for key in ("versionId", "deletionDate"):
            if isinstance(response.get(key), str):
                out[f"response.{key}"] = response[key]
    return out


def _message(record: Mapping[str, Any]) -> Any:
    """AWS's errorMessage, the one free text copied out: it can quote what failed (a
    connection URL with its password, a token), so credentials of known formats go."""
    message = record.get("errorMessage")
    return redact(message) if isinstance(message, str) else message


def _version(name: str, record: Mapping[str, Any]) -> str | None:
    request = record.get("requestParameters") or {}
    response = record.get("responseElements") or {}
    if isinstance(response, Mapping) and isinstance(response.get("versionId"), str):
        return response["versionId"]
    if not isinstance(request, Mapping):
        return None
    if name == "UpdateSecretVersionStage" and isinstance(request.get("moveToVersionId"), str):
        return request["moveToVersionId"]
    if name == "PutSecretValue" and isinstance(request.get("clientRequestToken"), str):
        return request["clientRequestToken"]
    return None


def normalize(record: Mapping[str, Any], index: CatalogIndex) -> dict[str, Any] | None:
    """One Secrets Manager CloudTrail record as an OCSF event; None for other services."""
    if not isinstance(record, Mapping) or record.get("eventSource") != SOURCE:
        return None
    name = str(record.get("eventName") or "")
    time = ocsf.parse_time(str(record["eventTime"]))
    candidates = _secret_candidates(record)
    ref = next((r for r in map(index.secret_named, candidates) if r is not None), None)
    secret_name = (
        f"{ref.environment}/{ref.id}"
        if ref
        else (CatalogIndex.secret_name_of(candidates[0]) if candidates else None)
    )
    environment = ref.environment if ref else None
    if environment is None and secret_name and "/" in secret_name:
        prefix = secret_name.split("/", 1)[0]
        environment = prefix if prefix in index.environments else None
    actor, actor_json = _actor(record, index)
    owner_rotated = bool(ref and ref.secret.owner_rotated)
    # the code too: a hand-made record can hold anything there, and it is copied out
    # (status_detail, api.response.error) as the message is
    error = redact(str(code)) if (code := record.get("errorCode")) else None
    service_event = record.get("eventType") == "AwsServiceEvent"
    step = _step(name, record, actor, owner_rotated)
    failed = bool(error) or step == "rotation-failed"
    if error and "AccessDenied" in str(error):
        step = "denied"
    activity = "Other" if service_event else _ACTIVITY.get(name, "Update")
    severity = (
        "Medium"
        if failed
        else ("Low" if step in ("revoked", "policy-changed") else "Informational")
    )
    who = actor_json.get("user", {}).get("uid") or actor_json.get("invoked_by") or "unknown"
    attributed = ocsf.Attributed(
        environment=environment,
        secret=ref.id if ref else None,
        team=ref.team if ref else None,
        service=actor.service,
        actor_kind=actor.kind,
        store="aws-secretsmanager",
        step=step,
        in_catalog=ref is not None,
        version=_version(name, record),
        details=_details(record) or None,
    )
    source_ip = record.get("sourceIPAddress")
    endpoint = (
        {"ip": source_ip}
        if isinstance(source_ip, str) and source_ip[:1].isdigit()
        else {"domain": source_ip}
    )
    return ocsf.event(
        time=time,
        activity=activity,
        status="Failure" if failed else "Success",
        status_detail=error,
        severity=severity,
        message=f"{name} on {secret_name or 'an unnamed secret'} by {who}",
        metadata=ocsf.pruned(
            {
                "version": ocsf.OCSF_VERSION,
                "product": {
                    "name": "CloudTrail",
                    "vendor_name": "AWS",
                    "feature": {"name": "Secrets Manager"},
                },
                "uid": record.get("eventID"),
                "event_code": name,
                "original_time": record.get("eventTime"),
                "log_name": "CloudTrail",
                "profiles": ["cloud"],
            }
        ),
        api=ocsf.pruned(
            {
                "operation": name,
                "service": {"name": SOURCE},
                "request": {"uid": record.get("requestID")},
                "response": {"error": error, "error_message": _message(record)} if error else None,
            }
        ),
        actor=actor_json,
        src_endpoint=ocsf.pruned(endpoint),
        cloud=ocsf.pruned(
            {
                "provider": "AWS",
                "region": record.get("awsRegion"),
                "account": {"uid": record.get("recipientAccountId")},
            }
        ),
        resources=[
            ocsf.pruned(
                {
                    "type": "AWS::SecretsManager::Secret",
                    "name": secret_name,
                    "uid": next((c for c in candidates if c.startswith("arn:")), secret_name),
                }
            )
        ]
        if secret_name
        else [],
        seccat=attributed,
    )
