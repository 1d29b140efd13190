"""The Secrets Manager four-step rotation protocol, shared by every rotation Lambda.

Mirrors AWS's reference rotation templates (aws-samples/aws-secrets-manager-rotation-lambdas,
``SecretsManagerRotationTemplate`` and the RDS PostgreSQL single/multi-user functions):

* entry checks: rotation enabled; the token is a version of the secret; a token already
  ``AWSCURRENT`` is a no-op; a token that is not ``AWSPENDING`` is refused;
* ``createSecret`` stores a new value under ``AWSPENDING`` unless that token already has one;
* ``setSecret``/``testSecret`` are the rotator's (apply the value, prove it works);
* ``finishSecret`` moves ``AWSCURRENT`` (Secrets Manager moves ``AWSPREVIOUS`` with it).

Differences from the templates, each deliberate:

* a secret without any version (created by Pulumi without a value, then ``rotate_immediately``)
  is bootstrapped by ``createSecret``: the first stored version becomes ``AWSCURRENT`` at once,
  so setSecret/testSecret never run for it and the rotator applies the value *before* storing;
* ``finishSecret`` also drops ``AWSPENDING`` from the finished version, so no label lingers
  that a later ``RotateSecret`` could mistake for a rotation in progress;
* values are never logged: log lines carry only the ARN, version ids and step, and the AWS SDK
  loggers are pinned to WARNING because botocore logs request bodies (SecretString) at DEBUG.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import boto3
from botocore.exceptions import ClientError

CURRENT = "AWSCURRENT"
PENDING = "AWSPENDING"
PREVIOUS = "AWSPREVIOUS"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")

#: Optional VPC endpoint URL for Secrets Manager (not secret), as in AWS's templates.
ENV_ENDPOINT = "SECRETS_MANAGER_ENDPOINT"

logger = logging.getLogger("seccat.rotation")
logger.setLevel(logging.INFO)

# botocore logs full request parameters (PutSecretValue's SecretString) at DEBUG: never let a
# raised log level leak a value.
for _sdk_logger in ("botocore", "boto3", "urllib3", "s3transfer"):
    logging.getLogger(_sdk_logger).setLevel(logging.WARNING)


class RotationError(Exception):
    """A rotation step cannot proceed. Messages name ARNs/versions/users, never values."""


@dataclass(frozen=True)
class RotationEvent:
    secret_id: str
    token: str
    step: str

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> RotationEvent:
        try:
            secret_id, token, step = (
                event["SecretId"],
                event["ClientRequestToken"],
                event["Step"],
            )
        except (KeyError, TypeError):
            raise RotationError("event must carry SecretId, ClientRequestToken and Step") from None
        if not all(isinstance(v, str) and v for v in (secret_id, token, step)):
            raise RotationError("SecretId, ClientRequestToken and Step must be non-empty strings")
        if step not in STEPS:
            raise RotationError(f"invalid step {step!r} for secret {secret_id}")
        return cls(secret_id, token, step)


@dataclass
class SecretVersions:
    """Reads the versions of one secret a step needs, each at most once per invocation."""

    client: Any
    arn: str
    token: str
    _cache: dict[tuple[str, str | None], str | None] = field(default_factory=dict, repr=False)

    def value(self, stage: str, version_id: str | None = None) -> str | None:
        """The SecretString at ``stage`` (and ``version_id``), or None when there is none."""
        key = (stage, version_id)
        if key not in self._cache:
            self._cache[key] = get_secret_string(self.client, self.arn, stage, version_id)
        return self._cache[key]

    @property
    def current(self) -> str | None:
        return self.value(CURRENT)

    @property
    def previous(self) -> str | None:
        return self.value(PREVIOUS)

    @property
    def pending(self) -> str | None:
        return self.value(PENDING, self.token)

    def require_pending(self) -> str:
        value = self.pending
        if value is None:
            raise RotationError(
                f"secret {self.arn} has no AWSPENDING value for version {self.token}; "
                "run createSecret first"
            )
        return value


class Rotator(Protocol):
    """What a concrete rotator supplies; the protocol above stays in this module."""

    def new_value(self, current: str | None) -> str:
        """The next value, derived from the current one where the format needs it."""
        ...

    def bootstrap(self, versions: SecretVersions, value: str) -> None:
        """Apply a first value before it is stored (it becomes AWSCURRENT at once)."""
        ...

    def set(self, versions: SecretVersions) -> None:
        """Make the pending value effective in the protected system; idempotent."""
        ...

    def test(self, versions: SecretVersions) -> None:
        """Prove the pending value works; raise RotationError if it does not."""
        ...


def secretsmanager_client() -> Any:
    endpoint = os.environ.get(ENV_ENDPOINT) or None
    return boto3.client("secretsmanager", endpoint_url=endpoint)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def get_secret_string(
    client: Any, arn: str, stage: str, version_id: str | None = None
) -> str | None:
    """SecretString of a version, None when absent (also for a value-less rotation stub)."""
    kwargs: dict[str, str] = {"SecretId": arn, "VersionStage": stage}
    if version_id is not None:
        kwargs["VersionId"] = version_id
    try:
        response = client.get_secret_value(**kwargs)
    except ClientError as exc:
        if _error_code(exc) == "ResourceNotFoundException":
            return None
        raise
    value = response.get("SecretString")
    if value is None:
        raise RotationError(f"secret {arn} version {version_id or stage} holds binary data")
    return value


def rotate(
    event: Mapping[str, Any],
    rotator: Rotator,
    client_factory: Callable[[], Any] = secretsmanager_client,
) -> None:
    """Validate the event against the secret's stages, then run one step."""
    ev = RotationEvent.parse(event)
    client = client_factory()
    metadata = client.describe_secret(SecretId=ev.secret_id)
    arn = metadata.get("ARN", ev.secret_id)
    # Stricter than AWS's templates, which skip the check when the field is absent: absent
    # means rotation was never configured, so nothing should be rotating this secret.
    if not metadata.get("RotationEnabled"):
        raise RotationError(f"secret {arn} is not enabled for rotation")
    stages_by_version: dict[str, list[str]] = metadata.get("VersionIdsToStages") or {}
    logger.info("%s: secret %s version %s", ev.step, arn, ev.token)

    if ev.token not in stages_by_version:
        if stages_by_version or ev.step != "createSecret":
            raise RotationError(f"version {ev.token} has no stage for rotation of secret {arn}")
        # No version at all: the first value. Only createSecret can do anything here.
    elif CURRENT in stages_by_version[ev.token]:
        if ev.step == "finishSecret":
            finish_secret(client, arn, ev.token)
        else:
            logger.info("%s: version %s already AWSCURRENT for %s", ev.step, ev.token, arn)
        return
    elif PENDING not in stages_by_version[ev.token]:
        raise RotationError(f"version {ev.token} is not AWSPENDING for rotation of secret {arn}")

    versions = SecretVersions(client, arn, ev.token)
    if ev.step == "createSecret":
        create_secret(client, arn, ev.token, rotator, versions)
    elif ev.step == "setSecret":
        versions.require_pending()
        rotator.set(versions)
        logger.info("setSecret: applied version %s of %s", ev.token, arn)
    elif ev.step == "testSecret":
        versions.require_pending()
        rotator.test(versions)
        logger.info("testSecret: version %s of %s works", ev.token, arn)
    else:
        finish_secret(client, arn, ev.token)


def create_secret(
    client: Any, arn: str, token: str, rotator: Rotator, versions: SecretVersions
) -> None:
    """Store a new AWSPENDING value for ``token`` unless one is there already."""
    if versions.pending is not None:
        logger.info("createSecret: version %s of %s already has a value", token, arn)
        return
    current = versions.current
    value = rotator.new_value(current)
    if current is None:
        logger.info("createSecret: %s has no AWSCURRENT value, bootstrapping", arn)
        rotator.bootstrap(versions, value)
    try:
        client.put_secret_value(
            SecretId=arn, ClientRequestToken=token, SecretString=value, VersionStages=[PENDING]
        )
    except ClientError as exc:
        # A concurrent retry of this same step stored its own value first: keep that one.
        if _error_code(exc) == "ResourceExistsException" and (
            get_secret_string(client, arn, PENDING, token) is not None
        ):
            logger.info("createSecret: version %s of %s was stored concurrently", token, arn)
            return
        raise
    logger.info("createSecret: stored AWSPENDING version %s of %s", token, arn)


def finish_secret(client: Any, arn: str, token: str) -> None:
    """Move AWSCURRENT to ``token``; Secrets Manager moves AWSPREVIOUS to the old current."""
    stages_by_version: dict[str, list[str]] = (
        client.describe_secret(SecretId=arn).get("VersionIdsToStages") or {}
    )
    current = next((v for v, s in stages_by_version.items() if CURRENT in s), None)
    if current == token:
        logger.info("finishSecret: version %s already AWSCURRENT for %s", token, arn)
    else:
        kwargs: dict[str, str] = {
            "SecretId": arn,
            "VersionStage": CURRENT,
            "MoveToVersionId": token,
        }
        if current is not None:
            kwargs["RemoveFromVersionId"] = current
        client.update_secret_version_stage(**kwargs)
        logger.info("finishSecret: AWSCURRENT moved from %s to %s for %s", current, token, arn)
    # The finished version keeps no AWSPENDING: nothing looks like a rotation in progress.
    if PENDING in stages_by_version.get(token, []):
        client.update_secret_version_stage(
            SecretId=arn, VersionStage=PENDING, RemoveFromVersionId=token
        )
        logger.info("finishSecret: removed AWSPENDING from %s of %s", token, arn)
