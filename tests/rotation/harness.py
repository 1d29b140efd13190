"""Secrets Manager (moto, in-process) plus a stand-in for the service's half of RotateSecret,
with every call of the function under test decided by the secret's generated resource policy.

moto can only run a rotation Lambda through Docker, so ``SecretsManagerService.begin_rotation``
does what Secrets Manager does before it invokes the function: create a value-less version
stub for the new token and move ``AWSPENDING`` onto it. Everything else (GetSecretValue,
PutSecretValue, UpdateSecretVersionStage, DescribeSecret) is moto's real API, and the handlers
under test are the real entry points with their real environment variables.

moto enforces no Secrets Manager resource policy (nor identity-policy conditions), so
``PolicyEnforcer`` does: each secret gets the resource policy seccat generates for it
(``secret_resource_policy``: its own rotation role and any rotator using it as superuser
secret read it, its rotator and the owner role change it), attached to moto with
PutResourcePolicy; each call the handler's SDK client makes is then decided by
tests/iam_evaluator.py from the policy moto holds and the rotation role's generated identity
policy (``rotation_role_policy``), and refused with AccessDeniedException, as AWS would, when
it is not allowed. The function of secret X runs as X's rotation role, and its environment's
``SECCAT_DB_MASTER_SECRET_ARN`` is the superuser relation the plan derives from the catalog,
so policies follow it exactly as ``AwsPlan.secrets`` makes them.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError
from iam_evaluator import Decision, Principal, decide
from moto.core import DEFAULT_ACCOUNT_ID
from moto.secretsmanager.models import secretsmanager_backends

from seccat.documents.iam import rotation_role_policy, secret_resource_policy

REGION = "eu-west-1"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
#: The owning team's owner role: deploys, configures rotation, rolls back.
OWNER = Principal(arn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/payments-secrets-owner")
KMS_ALIAS = "alias/seccat/test"
#: The owner role's identity policy: broad on purpose, the resource policy is what limits.
ALL_SECRETS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}],
}

Handler = Callable[[Mapping[str, Any], object], None]


def arn_pattern(arn: str) -> str:
    """A secret's ARN as seccat's documents name it: the random suffix as ``??????``."""
    return arn[:-6] + "??????"


def rotator_of(arn: str) -> Principal:
    """The rotation role of one secret (one function and one role per secret)."""
    name = arn.split(":secret:", 1)[1][:-7].replace("/", "_")
    return Principal(arn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/seccat-test-rotate-{name}")


def access_denied(operation: str, principal: Principal, action: str, arn: str) -> ClientError:
    return ClientError(
        {
            "Error": {
                "Code": "AccessDeniedException",
                "Message": f"User: {principal.arn} is not authorized to perform: {action} on "
                f"resource: {arn} with an explicit deny in a resource-based policy",
            }
        },
        operation,
    )


@dataclass
class PolicyEnforcer:
    """Decides each call of the function under test (``before-parameter-build``)."""

    client: Any
    #: The secret whose rotation function is running (None outside a rotation step).
    running: str | None = None
    decisions: list[tuple[str, str, str, Decision]] = field(default_factory=list)
    #: Who the function of a secret runs as, and that role's identity policies: the test
    #: roles by default; a test of deployed documents substitutes the preview's.
    principal_of: Callable[[str], Principal] = field(default=lambda arn: rotator_of(arn))
    identity_of: Callable[[str], list[dict[str, Any]]] | None = None

    def resolve(self, secret_id: str) -> str:
        return self.client.describe_secret(SecretId=secret_id)["ARN"]

    def policy_of(self, arn: str) -> dict[str, Any] | None:
        text = self.client.get_resource_policy(SecretId=arn).get("ResourcePolicy")
        return json.loads(text) if text else None

    def identity(self, arn: str) -> list[dict[str, Any]]:
        """The rotation role's generated identity policy, as the component attaches it."""
        master = os.environ.get("SECCAT_DB_MASTER_SECRET_ARN")
        name = arn.split(":secret:", 1)[1][:-7]
        return [
            rotation_role_policy(
                region=REGION,
                account_id=DEFAULT_ACCOUNT_ID,
                kms_alias=KMS_ALIAS,
                secret_arn=arn_pattern(arn),
                log_group_arn=f"arn:aws:logs:{REGION}:{DEFAULT_ACCOUNT_ID}:log-group:"
                f"/seccat/test/rotation/{name}",
                master_arn=arn_pattern(master) if master else None,
            )
        ]

    def authorize(
        self, principal: Principal, action: str, secret_id: str, identity: list[dict[str, Any]]
    ) -> None:
        arn = self.resolve(secret_id)
        decision = decide(principal, action, arn, identity, self.policy_of(arn))
        self.decisions.append((principal.arn or "", action, arn, decision))
        if not decision.allowed:
            raise access_denied(action.split(":", 1)[1], principal, action, arn)

    def before_call(self, model: Any, params: Mapping[str, Any], **_: Any) -> None:
        if self.running is None:
            raise AssertionError(f"{model.name} called outside a rotation step")
        identity = (self.identity_of or self.identity)(self.running)
        self.authorize(
            self.principal_of(self.running),
            f"secretsmanager:{model.name}",
            params["SecretId"],
            identity,
        )


@dataclass
class SecretsManagerService:
    client: Any
    enforcer: PolicyEnforcer
    #: secret ARN -> ARNs of the secrets whose rotators use it as their superuser secret.
    masters: dict[str, set[str]] = field(default_factory=dict)

    def create(self, name: str, value: str | None = None, *, rotation: bool | None = True) -> str:
        kwargs: dict[str, Any] = {"Name": name}
        if value is not None:
            kwargs["SecretString"] = value
        arn = self.client.create_secret(**kwargs)["ARN"]
        self.attach(arn)
        if rotation is not None:  # as after RotateSecret configured (and maybe disabled) it
            # The deploy identity configures rotation (rotate_immediately): the owner role.
            self.enforcer.authorize(OWNER, "secretsmanager:RotateSecret", arn, [ALL_SECRETS])
            secret = self._backend_secret(arn)
            secret.rotation_requested = True
            secret.rotation_enabled = rotation
        return arn

    def generated_policy(self, arn: str) -> dict[str, Any]:
        """What seccat attaches: readers are the secret's rotator and the rotators using it
        as superuser secret; its rotator and the owner role may change it."""
        own = rotator_of(arn).arn
        assert own is not None and OWNER.arn is not None
        readers = [own, *(rotator_of(user).arn or "" for user in self.masters.get(arn, ()))]
        return secret_resource_policy(
            secret_name=arn.split(":secret:", 1)[1][:-7],
            secret_arn=arn_pattern(arn),
            readers=readers,
            owner=OWNER.arn,
            rotator=own,
        )

    def attach(self, arn: str, policy: Mapping[str, Any] | None = None) -> None:
        """PutResourcePolicy, by the owner role (the deploy identity), as Pulumi does."""
        document = self.generated_policy(arn) if policy is None else policy
        if self.enforcer.policy_of(arn) is not None:
            self.enforcer.authorize(OWNER, "secretsmanager:PutResourcePolicy", arn, [ALL_SECRETS])
        self.client.put_resource_policy(SecretId=arn, ResourcePolicy=json.dumps(document))

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
        """One invocation of the function of ``arn``, running as its rotation role."""
        master = os.environ.get("SECCAT_DB_MASTER_SECRET_ARN")
        if master and arn not in self.masters.get(master, set()):
            # The plan makes this rotator a reader of its superuser secret.
            self.masters.setdefault(master, set()).add(arn)
            self.attach(master)
        self.enforcer.running = arn
        try:
            handler({"SecretId": arn, "ClientRequestToken": token, "Step": step}, None)
        finally:
            self.enforcer.running = None

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
        """The documented rollback: move AWSCURRENT back to the AWSPREVIOUS version, as the
        owner role (the only identity besides rotation that may move a stage)."""
        current = self.version_with(arn, "AWSCURRENT")
        previous = self.version_with(arn, "AWSPREVIOUS")
        assert current and previous
        self.enforcer.authorize(
            OWNER, "secretsmanager:UpdateSecretVersionStage", arn, [ALL_SECRETS]
        )
        self.client.update_secret_version_stage(
            SecretId=arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=previous,
            RemoveFromVersionId=current,
        )
        return previous
