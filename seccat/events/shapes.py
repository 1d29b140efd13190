"""The shape of the fields seccat reads from an audit record, checked before it is read.

A trail file, a log group or an audit log can hold anything: a hand-edited line, another
tool's JSON, a record truncated and re-joined. The normalisers pick fields by name and
expect the types AWS and Vault/OpenBao write (``userIdentity`` an object, ``token_policies``
a list of strings, ``time`` an ISO 8601 string); a record whose field has another type would
either crash them or produce an event outside schema/events.schema.json. So each record is
checked against the shape below first, and one that does not fit is refused with its
location and the field, never its content (the field could hold anything).

The shapes list only what is read. Other fields, and the fields of records about other
services, are not looked at: a real trail mixes every service's records, and each service
has its own ``requestParameters``. A field that is absent or ``null`` always fits (AWS writes
``"responseElements": null``, an unauthenticated Vault request has no ``auth``).
Hand-written rather than JSON Schema: this runs on every record of a trail, and a walk over
these few fields costs a few microseconds where a schema validator costs tens.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from seccat.catalog.untrusted import segment
from seccat.events.ocsf import parse_time

#: A leaf's expected type(s), or the shape of an object (``dict``) or of each item (``list``).
Shape = type | tuple[type, ...] | dict[str, Any] | list[Any]

_NUMBER = (int, float)

_IDENTITY = {
    "type": str,
    "principalId": str,
    "arn": str,
    "accountId": str,
    "userName": str,
    "invokedBy": str,
    "sessionContext": {
        "sessionIssuer": {"arn": str, "userName": str},
        "attributes": {"creationDate": str, "mfaAuthenticated": str},
    },
}

#: A Secrets Manager CloudTrail record (records of other services are not read).
CLOUDTRAIL: dict[str, Shape] = {
    "eventSource": str,
    "eventTime": str,
    "eventName": str,
    "eventType": str,
    "eventID": str,
    "requestID": str,
    "awsRegion": str,
    "recipientAccountId": str,
    "sourceIPAddress": str,
    "errorCode": str,
    "errorMessage": str,
    "userIdentity": _IDENTITY,
    "requestParameters": {
        "secretId": str,
        "name": str,
        "clientRequestToken": str,
        "versionStage": str,
        "moveToVersionId": str,
        "removeFromVersionId": str,
        "versionId": str,
        "kmsKeyId": str,
        "rotationLambdaARN": str,
        "recoveryWindowInDays": _NUMBER,
        "forceDeleteWithoutRecovery": bool,
        "rotateImmediately": bool,
        "rotationRules": {
            "automaticallyAfterDays": _NUMBER,
            "scheduleExpression": str,
            "duration": str,
        },
    },
    "responseElements": {
        "arn": str,
        "aRN": str,
        "name": str,
        "versionId": str,
        "deletionDate": str,
    },
    "additionalEventData": {"SecretId": str},
    "resources": [{"ARN": str, "arn": str}],
}

#: One Vault/OpenBao file audit device entry (https://openbao.org/docs/audit/).
VAULT_AUDIT: dict[str, Shape] = {
    "time": str,
    "type": str,
    "error": str,
    "auth": {
        "display_name": str,
        "entity_id": str,
        "token_type": str,
        "policies": [str],
        "token_policies": [str],
        "metadata": {"*": str},
        "policy_results": {"allowed": bool},
    },
    "request": {
        "id": str,
        "operation": str,
        "path": str,
        "mount_type": str,
        "mount_running_version": str,
        "remote_address": str,
        "remote_port": int,
    },
    "response": {"data": {}, "secret": {"lease_id": str}},
}

_NAMES = {str: "a string", int: "a whole number", bool: "true or false", _NUMBER: "a number"}


class ShapeError(ValueError):
    """Where a record does not fit (``userIdentity.arn``) and what was expected there."""

    def __init__(self, where: str, expected: str) -> None:
        super().__init__(f"{where}: expected {expected}")


def _kind(value: Any) -> str:
    if value is True or value is False:
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _check(value: Any, shape: Shape, where: str) -> None:
    if value is None:
        return
    if isinstance(shape, dict):
        if not isinstance(value, Mapping):
            raise ShapeError(where, f"an object, got {_kind(value)}")
        for key, inner in shape.items():
            if key == "*":
                for name, item in value.items():
                    _check(item, inner, f"{where}.{segment(str(name))}")
            else:
                _check(value.get(key), inner, f"{where}.{key}" if where else key)
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise ShapeError(where, f"a list, got {_kind(value)}")
        for index, item in enumerate(value):
            _check(item, shape[0], f"{where}[{index}]")
        return
    # bool is an int to Python, and a port of `true` is no port
    if not isinstance(value, shape) or (isinstance(value, bool) and shape is not bool):
        raise ShapeError(where, f"{_NAMES.get(shape, str(shape))}, got {_kind(value)}")  # type: ignore[arg-type]


def check(record: Mapping[str, Any], shape: dict[str, Shape], time_field: str) -> None:
    """Raise ShapeError unless every field seccat reads has its type and ``time_field`` is
    an ISO 8601 time."""
    _check(record, shape, "")
    moment = record.get(time_field)
    if not isinstance(moment, str):
        raise ShapeError(time_field, "an ISO 8601 time, got none")
    try:
        parse_time(moment).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ShapeError(time_field, "an ISO 8601 time") from None
