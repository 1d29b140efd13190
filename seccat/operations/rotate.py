"""`seccat rotate`: rotate now, in order, and prove each rotation happened.

The plan (``plan_rotation``, pure): the selected secrets (one secret, a service's blast
radius read off the generated policies, or a team's secrets) in waves, superuser secrets
before the logins whose rotation functions log in with them. Each secret gets the action
its store allows:

* ``aws-rotate``: Secrets Manager ``RotateSecret`` with the generated function, then wait
  until AWSCURRENT is on the new version (the function moves it in ``finishSecret``, which
  Secrets Manager calls only after ``testSecret`` succeeded; the function's log confirms the
  test step);
* ``kv-rotate``: what the KV rotator Lambda does, done here through hvac: a new generated
  version written with check-and-set by the rotator's own code
  (functions/vault_kv/rotator.py), with the operator's Vault token. Not by invoking the
  Lambda: it logs in to Vault through AWS IAM auth, and in an incident the AWS side may be
  what is compromised or unreachable; this way a Vault-only rotation needs only Vault, and
  the value never leaves this process (it is neither printed nor returned);
* ``vault-rotate-role``: ``<mount>/rotate-role/<role>`` for a database static role, checked
  by ``last_vault_rotation`` advancing;
* ``vault-revoke-leases``: a dynamic role has no long-lived password; every login it issued
  is revoked (``sys/leases/revoke-prefix``), consumers get fresh ones on their next read;
* ``manual``: externally issued secrets (certificates, vendor keys): only their issuer can
  make a new value. Listed, never executed, and the run exits 1 until they are done.

Idempotent and resumable with ``--incident ID``: a Secrets Manager secret rotated in the
incident carries the tag ``seccat:incident=ID`` and a rerun skips it; the request token is
derived from the incident and the current version, so a rerun after an interruption joins
the rotation it started instead of starting another. Vault items record the incident as KV
metadata at ``<kv mount>/metadata/_seccat/incidents/<ID>/<item>`` (custom metadata only,
no value).
"""

from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from seccat.catalog.model import GENERATED_TYPES
from seccat.documents.names import slug
from seccat.operations.blast_radius import blast_radius, team_secrets
from seccat.operations.clients import AwsConnection, VaultConnection
from seccat.operations.errors import OperationError, aws_failure, error_code
from seccat.operations.rotation_log import attempts, read_log_group
from seccat.operations.targets import INCIDENT_KEY, EnvironmentTargets, SecretTarget

Action = Literal["aws-rotate", "kv-rotate", "vault-rotate-role", "vault-revoke-leases", "manual"]
Status = Literal["rotated", "revoked", "skipped", "failed", "manual", "not-run"]

_INCIDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TOKEN_NAMESPACE = uuid.UUID("8a0c3f64-3c1b-4a8e-9d6e-5b7f2f1e4c21")


def check_incident(incident: str | None) -> str | None:
    if incident is not None and not _INCIDENT.fullmatch(incident):
        raise OperationError(
            f"--incident {incident!r}: use letters, digits, '.', '_' and '-' (64 at most), "
            "as in INC-2041"
        )
    return incident


@dataclass(frozen=True)
class Step:
    target: SecretTarget = field(repr=False)
    action: Action
    wave: int
    why: str
    #: Catalog ids of the secrets in this plan that must rotate first.
    after: tuple[str, ...] = ()

    @property
    def secret(self) -> str:
        return self.target.id

    @property
    def environment(self) -> str:
        return self.target.environment

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "secret": self.secret,
            "store": self.target.store,
            "action": self.action,
            "wave": self.wave,
            "after": list(self.after),
            "why": self.why,
        }


@dataclass
class Plan:
    environment: str
    selection: str
    steps: list[Step] = field(default_factory=list)
    #: Where Vault items record the incident they were rotated in (the env's KV mount).
    marker_mount: str | None = None

    def waves(self) -> list[list[Step]]:
        out: dict[int, list[Step]] = {}
        for step in self.steps:
            if step.action != "manual":
                out.setdefault(step.wave, []).append(step)
        return [out[k] for k in sorted(out)]

    @property
    def manual(self) -> list[Step]:
        return [s for s in self.steps if s.action == "manual"]


def _action(target: SecretTarget) -> tuple[Action, str] | None:
    secret = target.secret
    if secret.lifecycle == "retired":
        return None
    if target.aws is not None:
        if target.aws.managed_rotation:
            return "aws-rotate", f"RotateSecret with {target.aws.rotation_function}"
        return "manual", (
            f"issued outside seccat ({secret.type}): get a new value from its issuer, then "
            f"store it as the owner role: aws secretsmanager put-secret-value --secret-id "
            f"{target.aws.name} --secret-string file://new-value"
        )
    v = target.vault
    if v is None:
        return None
    if v.kind == "kv":
        if secret.type in GENERATED_TYPES and secret.rotation is not None:
            return "kv-rotate", f"new generated version of {v.mount}/{v.name} with check-and-set"
        return "manual", (
            f"issued outside seccat ({secret.type}): get a new value from its issuer, then "
            f"write it with check-and-set: bao kv put -cas=<current version> "
            f"-mount={v.mount} {v.name} value=@new-value"
        )
    if v.kind == "static":
        return "vault-rotate-role", f"{v.mount}/rotate-role/{v.name}"
    return "vault-revoke-leases", (
        f"revoke every login issued by {v.mount}/creds/{v.name}; consumers read new ones"
    )


def select(
    targets: EnvironmentTargets,
    *,
    secret: str | None = None,
    service: str | None = None,
    team: str | None = None,
) -> tuple[list[str], str]:
    """Catalog ids to rotate here and how the selection reads in reports."""
    chosen = [x for x in (secret, service, team) if x]
    if len(chosen) != 1:
        raise OperationError("name exactly one of SECRET, --service S or --team T")
    catalog = targets.catalog
    if secret:
        if secret not in catalog.secrets:
            raise OperationError(f"secret {secret!r} is not in {catalog.source}")
        return ([secret] if secret in targets.secrets else []), f"secret {secret}"
    if service:
        if service not in catalog.services:
            raise OperationError(f"service {service!r} is not in {catalog.source}")
        return blast_radius(targets, service), f"everything service {service} can read"
    assert team is not None
    if team not in catalog.teams:
        raise OperationError(f"team {team!r} is not in {catalog.source}")
    return team_secrets(targets, team), f"every secret of team {team}"


def plan_rotation(
    targets: EnvironmentTargets,
    *,
    secret: str | None = None,
    service: str | None = None,
    team: str | None = None,
) -> Plan:
    ids, selection = select(targets, secret=secret, service=service, team=team)
    chosen = set(ids)
    from seccat.documents import vault_layout as layout

    plan = Plan(targets.name, selection, marker_mount=layout.kv_mount(targets.environment))
    waves: dict[str, int] = {}

    def wave_of(secret_id: str, seen: frozenset[str] = frozenset()) -> int:
        if secret_id in waves:
            return waves[secret_id]
        target = targets.secrets[secret_id]
        master = target.aws.master_secret if target.aws else None
        level = 0
        if master and master in chosen and master not in seen:
            level = wave_of(master, seen | {secret_id}) + 1
        waves[secret_id] = level
        return level

    for secret_id in sorted(ids, key=lambda s: (wave_of(s), s)):
        target = targets.secrets[secret_id]
        decided = _action(target)
        if decided is None:
            continue
        action, why = decided
        master = target.aws.master_secret if target.aws else None
        after = (master,) if master and master in chosen else ()
        if after:
            why += f"; after {master}, the superuser its function logs in with"
        plan.steps.append(Step(target, action, wave_of(secret_id) + 1, why, after))
    return plan


# -- execution --------------------------------------------------------------------------------


@dataclass
class Outcome:
    step: Step
    status: Status
    detail: str
    before: str | None = None
    after: str | None = None
    #: How the result was proven (the test step's log line, the version moving...).
    proof: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            **self.step.to_json(),
            "status": self.status,
            "detail": self.detail,
            "before": self.before,
            "after": self.after,
            "proof": self.proof,
            "seconds": round(self.seconds, 1),
        }


class StepFailed(Exception):
    """One step could not complete; the message says why (never a value)."""


@dataclass
class Rotator:
    aws: AwsConnection | None
    vault: VaultConnection | None
    incident: str | None = None
    timeout: float = 900.0
    poll: float = 2.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _marker_mount: str | None = field(default=None, repr=False)

    def run(
        self, plan: Plan, concurrency: int = 4, on_done: Callable[[Outcome], None] | None = None
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        failed: set[str] = set()
        self._marker_mount = plan.marker_mount
        for wave in plan.waves():
            ready = [s for s in wave if not set(s.after) & failed]
            for step in wave:
                if step not in ready:
                    blocked = Outcome(
                        step,
                        "not-run",
                        f"not attempted: {', '.join(sorted(set(step.after) & failed))} did not "
                        "rotate",
                    )
                    outcomes.append(blocked)
                    failed.add(step.secret)
            with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
                for outcome in pool.map(self.execute, ready):
                    outcomes.append(outcome)
                    if outcome.status in ("failed", "not-run"):
                        failed.add(outcome.step.secret)
                    if on_done is not None:
                        on_done(outcome)
        for step in plan.manual:
            outcomes.append(Outcome(step, "manual", step.why))
        return outcomes

    def execute(self, step: Step) -> Outcome:
        start = self.clock()
        handler = {
            "aws-rotate": self._aws,
            "kv-rotate": self._kv,
            "vault-rotate-role": self._static,
            "vault-revoke-leases": self._dynamic,
        }[step.action]
        try:
            outcome = handler(step)
        except StepFailed as exc:
            outcome = Outcome(step, "failed", str(exc))
        outcome.seconds = self.clock() - start
        return outcome

    # -- AWS ---------------------------------------------------------------------------

    def _sm(self) -> Any:
        if self.aws is None:
            raise StepFailed("no AWS connection")
        return self.aws.client("secretsmanager")

    def _call(self, step: Step, doing: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            owner = step.target.aws.owner_role_arn if step.target.aws else None
            raise StepFailed(aws_failure(exc, doing, owner_role_arn=owner)) from None
        except BotoCoreError as exc:
            raise StepFailed(f"{doing}: {exc}") from None

    def _aws(self, step: Step) -> Outcome:
        t = step.target.aws
        assert t is not None
        sm = self._sm()
        described = self._call(step, "DescribeSecret", sm.describe_secret, SecretId=t.name)
        arn = described["ARN"]
        tags = {x["Key"]: x["Value"] for x in described.get("Tags") or []}
        if self.incident and tags.get(INCIDENT_KEY) == self.incident:
            return Outcome(step, "skipped", f"already rotated in incident {self.incident}")
        if not described.get("RotationEnabled") or (
            described.get("RotationLambdaARN") != t.rotation_function_arn
        ):
            raise StepFailed(
                "rotation is not enabled with the generated function "
                f"{t.rotation_function} (live: {described.get('RotationLambdaARN') or 'none'}, "
                f"enabled: {bool(described.get('RotationEnabled'))}): run seccat verify"
            )
        stages: dict[str, list[str]] = described.get("VersionIdsToStages") or {}
        current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
        in_flight = [v for v, s in stages.items() if "AWSPENDING" in s and "AWSCURRENT" not in s]
        token = (
            str(uuid.uuid5(_TOKEN_NAMESPACE, f"{self.incident}/{arn}/{current}"))
            if self.incident
            else str(uuid.uuid4())
        )
        started = datetime.now(UTC)
        if in_flight and in_flight != [token]:
            raise StepFailed(
                f"a rotation is already in flight (AWSPENDING on version {in_flight[0]}): let "
                "it finish or fail, then run this again"
            )
        if in_flight:
            # joining the rotation this incident started: its log begins when the version was
            # created, before this run
            started = self._version_created(step, sm, arn, token) or started
        else:
            self._call(
                step,
                "RotateSecret",
                sm.rotate_secret,
                SecretId=arn,
                ClientRequestToken=token,
            )
        return self._await_rotation(step, sm, arn, current, token, started)

    def _version_created(self, step: Step, sm: Any, arn: str, version: str) -> datetime | None:
        """When ``version`` of the secret was created (ListSecretVersionIds), if listed."""
        kwargs: dict[str, Any] = {"SecretId": arn, "IncludeDeprecated": True}
        while True:
            page = self._call(step, "ListSecretVersionIds", sm.list_secret_version_ids, **kwargs)
            for listed in page.get("Versions") or []:
                if listed.get("VersionId") == version and listed.get("CreatedDate"):
                    # a minute's slack for the clocks of Secrets Manager and Lambda's logs
                    return listed["CreatedDate"].astimezone(UTC) - timedelta(minutes=1)
            if not page.get("NextToken"):
                return None
            kwargs["NextToken"] = page["NextToken"]

    def _await_rotation(
        self, step: Step, sm: Any, arn: str, before: str | None, token: str, started: datetime
    ) -> Outcome:
        t = step.target.aws
        assert t is not None
        deadline = self.clock() + self.timeout
        while True:
            described = self._call(step, "DescribeSecret", sm.describe_secret, SecretId=arn)
            stages = described.get("VersionIdsToStages") or {}
            mine = stages.get(token) or []
            attempt = self._attempt(t.log_group, token, started)
            if "AWSCURRENT" in mine:
                break
            if attempt is not None and attempt.failed:
                raise StepFailed(
                    f"the rotation function failed on version {token}: {attempt.error} "
                    f"(log group {t.log_group}); AWSCURRENT stays on {before}"
                )
            if not mine and self.clock() - (deadline - self.timeout) > 30:
                raise StepFailed(
                    f"version {token} lost its AWSPENDING label before becoming AWSCURRENT"
                )
            if self.clock() >= deadline:
                raise StepFailed(
                    f"not finished after {int(self.timeout)} s (AWSPENDING on {token}); see "
                    f"the log group {t.log_group}"
                )
            self.sleep(self.poll)
        proof = "AWSCURRENT moved (finishSecret runs only after testSecret passed)"
        if attempt is not None and attempt.tested:
            proof = "testSecret passed (function log), AWSCURRENT moved"
        if self.incident:
            self._call(
                step,
                "TagResource",
                sm.tag_resource,
                SecretId=arn,
                Tags=[{"Key": INCIDENT_KEY, "Value": self.incident}],
            )
        return Outcome(step, "rotated", f"AWSCURRENT on {token}", before, token, proof)

    def _attempt(self, group: str | None, token: str, since: datetime) -> Any:
        if group is None or self.aws is None:
            return None
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            events = read_log_group(self.aws.client("logs"), group, since)
        except (ClientError, BotoCoreError) as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            return None  # the log is evidence, not a gate: AWSCURRENT decides
        return next((a for a in attempts(events) if a.token == token), None)

    # -- Vault -------------------------------------------------------------------------

    def _client(self) -> Any:
        if self.vault is None:
            raise StepFailed("no Vault connection")
        return self.vault.client

    def _vault_call(self, doing: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import hvac.exceptions
        import requests

        try:
            return fn(*args, **kwargs)
        except hvac.exceptions.Forbidden:
            raise StepFailed(
                f"{doing}: Vault refused (permission denied): the token needs the "
                "capabilities listed in docs/operations.md#permissions"
            ) from None
        except hvac.exceptions.VaultError as exc:
            raise StepFailed(f"{doing}: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            raise StepFailed(f"{doing}: {type(exc).__name__}") from None

    def _marker_path(self, step: Step) -> tuple[str, str] | None:
        if not self.incident or not self._marker_mount:
            return None
        return self._marker_mount, f"_seccat/incidents/{self.incident}/{slug(step.secret)}"

    def _marked(self, step: Step) -> bool:
        import hvac.exceptions

        where = self._marker_path(step)
        if where is None:
            return False
        try:
            self._client().secrets.kv.v2.read_secret_metadata(path=where[1], mount_point=where[0])
        except hvac.exceptions.InvalidPath:
            return False
        except hvac.exceptions.VaultError:
            return False
        return True

    def _mark(self, step: Step, outcome: Outcome) -> None:
        where = self._marker_path(step)
        if where is None:
            return
        self._vault_call(
            "recording the incident",
            self._client().secrets.kv.v2.update_metadata,
            path=where[1],
            mount_point=where[0],
            custom_metadata={
                "secret": step.secret,
                "action": step.action,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "after": outcome.after or "",
            },
        )

    def _kv(self, step: Step) -> Outcome:
        v = step.target.vault
        assert v is not None
        if self._marked(step):
            return Outcome(step, "skipped", f"already rotated in incident {self.incident}")
        rotator, spec_type = _kv_rotator()
        g = step.target.secret.generate
        spec = spec_type(
            length=g.length,
            exclude_characters=g.exclude_characters,
            exclude_punctuation=g.exclude_punctuation,
            require_each_included_type=g.require_each_included_type,
        )
        client = self._client()
        before = self._vault_call(
            "reading the version", rotator.current_version, client, v.mount, v.name
        )
        try:
            written = rotator.rotate(client, v.mount, v.name, spec)
        except rotator.KvRotationError as exc:
            raise StepFailed(str(exc)) from None
        except Exception as exc:  # hvac errors from inside the rotator
            raise StepFailed(f"writing the new version: {type(exc).__name__}") from None
        after = self._vault_call(
            "reading the version", rotator.current_version, client, v.mount, v.name
        )
        if after <= before or after != written.version:
            raise StepFailed(f"the version did not advance (before {before}, now {after})")
        outcome = Outcome(
            step,
            "rotated",
            f"version {before} -> {after}",
            str(before),
            str(after),
            "the KV version advanced (check-and-set write)",
        )
        self._mark(step, outcome)
        return outcome

    def _static(self, step: Step) -> Outcome:
        v = step.target.vault
        assert v is not None
        if self._marked(step):
            return Outcome(step, "skipped", f"already rotated in incident {self.incident}")
        client = self._client()
        role = self._vault_call("reading the static role", client.read, v.config_path)
        if not role:
            raise StepFailed(f"{v.config_path} does not exist: run seccat verify")
        before = role["data"].get("last_vault_rotation")
        refused: StepFailed | None = None
        try:
            self._vault_call(
                "rotate-role", client.adapter.post, f"/v1/{v.mount}/rotate-role/{v.name}"
            )
        except StepFailed as exc:
            # Vault re-queues the role after changing the password; when its own periodic
            # check re-queued it meanwhile, the call fails ("duplicate item") although the
            # rotation happened. last_vault_rotation decides.
            refused = exc
        role = self._vault_call("reading the static role", client.read, v.config_path)
        after = (role or {}).get("data", {}).get("last_vault_rotation")
        if not after or after == before:
            raise refused or StepFailed(f"last_vault_rotation did not advance (still {before})")
        outcome = Outcome(
            step,
            "rotated",
            f"last_vault_rotation {after}",
            before,
            after,
            "Vault changed the password in the database (last_vault_rotation advanced)",
        )
        self._mark(step, outcome)
        return outcome

    def _leases(self, prefix: str) -> list[str]:
        import hvac.exceptions

        try:
            listed = self._client().adapter.list(f"/v1/sys/leases/lookup/{prefix}/")
        except hvac.exceptions.InvalidPath:
            return []
        return list(((listed or {}).get("data") or {}).get("keys") or [])

    def _dynamic(self, step: Step) -> Outcome:
        v = step.target.vault
        assert v is not None
        if self._marked(step):
            return Outcome(step, "skipped", f"already revoked in incident {self.incident}")
        prefix = f"{v.mount}/creds/{v.name}"
        before = self._vault_call("listing leases", self._leases, prefix)
        self._vault_call(
            "revoke-prefix", self._client().adapter.put, f"/v1/sys/leases/revoke-prefix/{prefix}"
        )
        left = self._vault_call("listing leases", self._leases, prefix)
        if left:
            raise StepFailed(f"{len(left)} lease(s) of {prefix} are still active")
        outcome = Outcome(
            step,
            "revoked",
            f"{len(before)} lease(s) revoked",
            str(len(before)),
            "0",
            "no lease of the role is left",
        )
        self._mark(step, outcome)
        return outcome


_KV_LOCK = threading.Lock()


def _kv_rotator() -> tuple[Any, Any]:
    """The KV rotator's library (functions/vault_kv/rotator.py) and its GenerateSpec: the
    very code the Lambda runs. ``functions/`` is the Lambda import root (functions/README.md)."""
    with _KV_LOCK:
        from seccat.datafiles import FUNCTIONS

        if str(FUNCTIONS) not in sys.path:
            if not (FUNCTIONS / "vault_kv" / "rotator.py").is_file():
                raise StepFailed(
                    f"KV rotation runs the rotator's code from {FUNCTIONS}, which is missing: "
                    "run seccat from the repository"
                )
            sys.path.append(str(FUNCTIONS))
        from rotation.generator import GenerateSpec
        from vault_kv import rotator

    return rotator, GenerateSpec
