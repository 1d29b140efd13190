"""Secrets Manager (moto, in-process) plus a stand-in for the service's half of RotateSecret.

moto can only run a rotation Lambda through Docker, so ``SecretsManagerService.begin_rotation``
does what Secrets Manager does before it invokes the function: create a value-less version
stub for the new token and move ``AWSPENDING`` onto it. Everything else (GetSecretValue,
PutSecretValue, UpdateSecretVersionStage, DescribeSecret) is moto's real API, and the handlers
under test are the real entry points with their real environment variables.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.secretsmanager.models import secretsmanager_backends

REGION = "eu-west-1"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")

Handler = Callable[[Mapping[str, Any], object], None]


@dataclass
class SecretsManagerService:
    client: Any

    def create(self, name: str, value: str | None = None, *, rotation: bool | None = True) -> str:
        kwargs: dict[str, Any] = {"Name": name}
        if value is not None:
            kwargs["SecretString"] = value
        arn = self.client.create_secret(**kwargs)["ARN"]
        if rotation is not None:  # as after RotateSecret configured (and maybe disabled) it
            secret = self._backend_secret(arn)
            secret.rotation_requested = True
            secret.rotation_enabled = rotation
        return arn

    def _backend_secret(self, arn: str) -> Any:
        return secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION].secrets[arn]

    def begin_rotation(self, arn: str) -> str:
        """Secrets Manager's part of RotateSecret: an AWSPENDING stub for a fresh token."""
        token = str(uuid.uuid4())
        secret = self._backend_secret(arn)
        if secret.versions:  # a secret without versions gets its first one from createSecret
            secret.remove_version_stages_from_old_versions(["AWSPENDING"])
            secret.versions[token] = {
                "createdate": int(time.time()),
                "version_id": token,
                "version_stages": ["AWSPENDING"],
            }
        return token

    def step(self, handler: Handler, arn: str, token: str, step: str) -> None:
        handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None)

    def rotate(self, handler: Handler, arn: str, *, repeat: int = 1) -> str:
        """A whole rotation as Secrets Manager drives it; each step ``repeat`` times."""
        token = self.begin_rotation(arn)
        for step in STEPS:
            for _ in range(repeat):
                self.step(handler, arn, token, step)
        return token

    def stages(self, arn: str) -> dict[str, list[str]]:
        """Version id -> staging labels, only versions that still carry a label."""
        raw = self.client.describe_secret(SecretId=arn).get("VersionIdsToStages", {})
        return {v: sorted(s) for v, s in raw.items() if s}

    def version_with(self, arn: str, stage: str) -> str | None:
        found = [v for v, s in self.stages(arn).items() if stage in s]
        assert len(found) <= 1, f"{stage} on several versions: {found}"
        return found[0] if found else None

    def value(self, arn: str, stage: str = "AWSCURRENT", version_id: str | None = None) -> str:
        kwargs: dict[str, str] = {"SecretId": arn, "VersionStage": stage}
        if version_id:
            kwargs["VersionId"] = version_id
        return self.client.get_secret_value(**kwargs)["SecretString"]

    def all_values(self, arn: str) -> list[str]:
        """Every stored value, labelled or not (for the no-secret-in-logs checks)."""
        return [
            v["secret_string"]
            for v in self._backend_secret(arn).versions.values()
            if "secret_string" in v
        ]

    def roll_back(self, arn: str) -> str:
        """The documented rollback: move AWSCURRENT back to the AWSPREVIOUS version."""
        current = self.version_with(arn, "AWSCURRENT")
        previous = self.version_with(arn, "AWSPREVIOUS")
        assert current and previous
        self.client.update_secret_version_stage(
            SecretId=arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=previous,
            RemoveFromVersionId=current,
        )
        return previous
