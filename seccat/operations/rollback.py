"""`seccat rollback`: make the previous value current again, where that is safe.

``plan_rollback`` reads the live state and says exactly what would happen, or why it must
not; ``apply_rollback`` does it and checks the result. By store:

* Secrets Manager: move AWSCURRENT back to the AWSPREVIOUS version with
  ``UpdateSecretVersionStage`` (Secrets Manager then labels the replaced version
  AWSPREVIOUS). Refused while a rotation is in flight (AWSPENDING on a version that is not
  AWSCURRENT): moving labels under a running rotation races its finishSecret. Refused for a
  single-user database login: its rotation changed the password in the database, so the
  previous value no longer logs in. An alternating-users login rolls back safely: the
  previous login keeps its password until the next rotation.
* Vault KV: the previous readable version's data written again as a new version with
  check-and-set (functions/vault_kv/rotator.py ``rollback``): history stays append-only.
* Vault database static and dynamic roles cannot roll back; the plan says why and what to do.

Values are read only for the KV check that the restored version equals the one chosen,
compared in memory and never shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from seccat.operations.clients import AwsConnection, VaultConnection
from seccat.operations.errors import OperationError, aws_failure
from seccat.operations.targets import SecretTarget

Kind = Literal["aws", "kv", "static", "dynamic"]


@dataclass
class RollbackPlan:
    target: SecretTarget = field(repr=False)
    kind: Kind
    possible: bool
    #: What will happen, or why it cannot and what to do instead.
    explanation: str
    current: str | None = None
    previous: str | None = None
    caller: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.target.environment,
            "secret": self.target.id,
            "kind": self.kind,
            "possible": self.possible,
            "explanation": self.explanation,
            "current": self.current,
            "previous": self.previous,
            "caller": self.caller,
        }


@dataclass
class RollbackResult:
    plan: RollbackPlan
    done: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {**self.plan.to_json(), "done": self.done, "detail": self.detail}


def _aws_call(plan_or_target: SecretTarget, doing: str, fn: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    owner = plan_or_target.aws.owner_role_arn if plan_or_target.aws else None
    try:
        return fn(**kwargs)
    except ClientError as exc:
        raise OperationError(aws_failure(exc, doing, owner_role_arn=owner), 1) from None
    except BotoCoreError as exc:
        raise OperationError(f"{doing}: {exc}", 1) from None


def _created(sm: Any, target: SecretTarget, arn: str) -> dict[str, datetime]:
    listed = _aws_call(target, "ListSecretVersionIds", sm.list_secret_version_ids, SecretId=arn)
    return {
        v["VersionId"]: v["CreatedDate"] for v in listed.get("Versions") or [] if "CreatedDate" in v
    }


def plan_rollback(
    target: SecretTarget, aws: AwsConnection | None, vault: VaultConnection | None
) -> RollbackPlan:
    """What a rollback of ``target`` would do now (reads only)."""
    if target.aws is not None:
        if aws is None:
            raise OperationError("rolling back a Secrets Manager secret needs AWS credentials")
        return _plan_aws(target, aws)
    v = target.vault
    if v is None:
        raise OperationError(f"{target.label} is in no store seccat manages")
    if v.kind == "static":
        return RollbackPlan(
            target,
            "static",
            False,
            f"{v.mount}/static-roles/{v.name} cannot roll back: Vault keeps no previous "
            "password, and after rotate-role the database accepts only the new one. Consumers "
            f"that fail must re-read {v.read_path}; if the rotation itself broke something, "
            f"rotate again: seccat rotate {target.id} --stack {target.environment}",
        )
    if v.kind == "dynamic":
        return RollbackPlan(
            target,
            "dynamic",
            False,
            f"{v.mount}/roles/{v.name} issues a new login for every lease, so there is "
            f"nothing to roll back: consumers read {v.read_path} again; a bad login is "
            f"revoked with seccat rotate {target.id} --stack {target.environment} (revokes "
            "every lease of the role)",
        )
    if vault is None:
        raise OperationError("rolling back a Vault KV secret needs VAULT_ADDR and a token")
    return _plan_kv(target, vault)


def _plan_aws(target: SecretTarget, aws: AwsConnection) -> RollbackPlan:
    t = target.aws
    assert t is not None
    sm = aws.client("secretsmanager")
    described = _aws_call(target, "DescribeSecret", sm.describe_secret, SecretId=t.name)
    stages: dict[str, list[str]] = described.get("VersionIdsToStages") or {}
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    previous = next((v for v, s in stages.items() if "AWSPREVIOUS" in s), None)
    in_flight = [v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s]
    plan = RollbackPlan(target, "aws", False, "", current, previous, aws.caller_arn)
    secret = target.secret
    if in_flight:
        plan.explanation = (
            f"a rotation of {t.name} is in flight (AWSPENDING on version {in_flight[0]}): "
            "moving AWSCURRENT now would race its finishSecret. Wait until it finishes or "
            "fails (seccat status), then roll back"
        )
        return plan
    strategy = secret.rotation.strategy if secret.rotation else None
    if secret.type == "database" and t.managed_rotation and strategy == "single-user":
        plan.explanation = (
            f"{t.name} is a single-user database login: its rotation changed the password in "
            "the database, so the previous value no longer logs in and rolling back would "
            "break every consumer. Rotate again instead: "
            f"seccat rotate {target.id} --stack {target.environment}"
        )
        return plan
    if previous is None or current is None:
        plan.explanation = f"{t.name} has no AWSPREVIOUS version to go back to"
        return plan
    created = _created(sm, target, described["ARN"])

    def when(version: str) -> str:
        stamp = created.get(version)
        return f" (created {stamp.isoformat(timespec='seconds')})" if stamp else ""

    note = ""
    if secret.type == "database" and strategy == "alternating-users":
        note = "; the previous login keeps its password until the next rotation, so it works"
    plan.possible = True
    plan.explanation = (
        f"move AWSCURRENT of {t.name} from version {current}{when(current)} back to the "
        f"AWSPREVIOUS version {previous}{when(previous)}; Secrets Manager then labels "
        f"{current} AWSPREVIOUS{note}. Acting as {aws.caller_arn}"
    )
    return plan


def _kv_versions(client: Any, mount: str, name: str) -> tuple[int, int | None]:
    from seccat.operations.rotate import _kv_rotator

    rotator, _ = _kv_rotator()
    metadata = client.secrets.kv.v2.read_secret_metadata(path=name, mount_point=mount)["data"]
    current = int(metadata.get("current_version") or 0)
    versions = metadata.get("versions") or {}
    for n in range(current - 1, 0, -1):
        info = versions.get(str(n))
        if info and not info.get("destroyed") and not rotator._deleted(info.get("deletion_time")):
            return current, n
    return current, None


def _plan_kv(target: SecretTarget, vault: VaultConnection) -> RollbackPlan:
    import hvac.exceptions

    v = target.vault
    assert v is not None
    try:
        current, previous = _kv_versions(vault.client, v.mount, v.name)
    except hvac.exceptions.InvalidPath:
        raise OperationError(f"{v.mount}/{v.name} does not exist", 1) from None
    except hvac.exceptions.Forbidden:
        raise OperationError(
            f"Vault refused to read {v.config_path}: see docs/operations.md#permissions", 1
        ) from None
    plan = RollbackPlan(
        target, "kv", False, "", str(current), str(previous) if previous else None, vault.display
    )
    if previous is None:
        plan.explanation = f"{v.mount}/{v.name} has no earlier readable version"
        return plan
    plan.possible = True
    plan.explanation = (
        f"write the data of version {previous} of {v.mount}/{v.name} as version "
        f"{current + 1}, with check-and-set on version {current} (history stays append-only)"
    )
    return plan


def apply_rollback(
    plan: RollbackPlan, aws: AwsConnection | None, vault: VaultConnection | None
) -> RollbackResult:
    if not plan.possible:
        return RollbackResult(plan, False, plan.explanation)
    if plan.kind == "aws":
        assert aws is not None
        return _apply_aws(plan, aws)
    assert vault is not None
    return _apply_kv(plan, vault)


def _apply_aws(plan: RollbackPlan, aws: AwsConnection) -> RollbackResult:
    t = plan.target.aws
    assert t is not None
    sm = aws.client("secretsmanager")
    _aws_call(
        plan.target,
        "UpdateSecretVersionStage",
        sm.update_secret_version_stage,
        SecretId=t.name,
        VersionStage="AWSCURRENT",
        MoveToVersionId=plan.previous,
        RemoveFromVersionId=plan.current,
    )
    stages = (
        _aws_call(plan.target, "DescribeSecret", sm.describe_secret, SecretId=t.name).get(
            "VersionIdsToStages"
        )
        or {}
    )
    now = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    if now != plan.previous:
        return RollbackResult(plan, False, f"AWSCURRENT is on {now}, not {plan.previous}")
    return RollbackResult(plan, True, f"AWSCURRENT is back on {plan.previous}")


def _digest(data: Any) -> str:
    return hashlib.sha256(repr(sorted((data or {}).items())).encode()).hexdigest()


def _apply_kv(plan: RollbackPlan, vault: VaultConnection) -> RollbackResult:
    from seccat.operations.rotate import _kv_rotator

    v = plan.target.vault
    assert v is not None and plan.previous is not None and plan.current is not None
    import hvac.exceptions
    import requests

    rotator, _ = _kv_rotator()
    client = vault.client
    kv = client.secrets.kv.v2

    def data(version: int) -> Any:
        return kv.read_secret_version(
            path=v.name, version=version, mount_point=v.mount, raise_on_deleted_version=True
        )["data"]["data"]

    # A token that may read the versions but not write them (the plan only reads), or a
    # server that went away: a failed rollback with the reason, never a traceback. The
    # reason is the exception's type: hvac's message can quote the request.
    try:
        written = rotator.rollback(client, v.mount, v.name, to_version=int(plan.previous))
        same = _digest(data(written.version)) == _digest(data(int(plan.previous)))
    except rotator.KvRotationError as exc:
        return RollbackResult(plan, False, str(exc))
    except hvac.exceptions.Forbidden:
        return RollbackResult(
            plan,
            False,
            f"Vault refused to read or write {v.mount}/{v.name}: the token needs update on its "
            "data path (docs/operations.md#permissions)",
        )
    except (hvac.exceptions.VaultError, requests.RequestException) as exc:
        return RollbackResult(plan, False, f"Vault at {vault.address}: {type(exc).__name__}")
    if written.replaced_version != int(plan.current) or not same:
        return RollbackResult(plan, False, f"version {written.version} is not the restored data")
    return RollbackResult(
        plan,
        True,
        f"version {written.version} holds the data of version {plan.previous} (check-and-set on "
        f"{plan.current})",
    )
