"""Who reads what, and who rotates what, in one environment: decided once, from the model.

Pure (no Pulumi import), so catalog validation can ask it which roles and functions an
environment will have (seccat.documents.name_registry) without loading the SDK.

The components only wire resources; this is where the catalog's relations (consumers,
rotation kinds, superuser secrets) become plain names and ARNs, so secret policies can
name every reader before any role exists and everything is known at preview time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter
from typing import Literal

from seccat.catalog.memo import per_catalog
from seccat.catalog.model import (
    CLASSIFICATION_RANK,
    Catalog,
    Database,
    Environment,
    Secret,
    Service,
)
from seccat.documents.iam import role_arn
from seccat.documents.names import (
    aws_secret_name,
    require,
    rotation_function_name,
    rotation_log_group_name,
    secret_arn_pattern,
    service_role_name,
)

STORE = "aws-secretsmanager"
#: Sort key: a secret's id (attrgetter, not a lambda: it runs for every secret).
_BY_ID = attrgetter("id")

RotatorKind = Literal["generated", "postgres"]

#: Secrets Manager's ``rate()`` takes whole hours or days; ``automatically_after_days`` whole
#: days. Bounds (4 h .. 1000 d) are enforced by catalog validation.
_DAY = 86400
_HOUR = 3600


def service_role(service: Service, env: str) -> str:
    """The name of the IAM role a service has in ``env``: the catalog's ``role_name`` (a role
    seccat creates under that name, or an existing one), else ``seccat-<env>-<service>``."""
    aws = service.in_env(env).aws
    if aws is not None and aws.role_name:
        return require(aws.role_name, "iam_role_name")
    return service_role_name(env, service.name)


class PlanError(ValueError):
    """The catalog asks for something this environment cannot build (a located message)."""


@dataclass(frozen=True)
class RotationRules:
    """``SecretRotation.rotation_rules``: one of days or expression, plus the window."""

    automatically_after_days: int | None = None
    schedule_expression: str | None = None
    duration: str | None = None

    def as_args(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if v is not None}


def rotation_rules(secret: Secret) -> RotationRules:
    rotation = secret.rotation
    if rotation is None:
        raise PlanError(f"secret {secret.id} has no rotation")
    duration = None
    if rotation.window_seconds is not None:
        if rotation.window_seconds % _HOUR:
            raise PlanError(f"secret {secret.id}: rotation window must be whole hours")
        duration = f"{rotation.window_seconds // _HOUR}h"
    if rotation.schedule is not None:
        return RotationRules(schedule_expression=rotation.schedule, duration=duration)
    seconds = rotation.every_seconds
    if seconds is None:
        raise PlanError(f"secret {secret.id}: rotation needs every or schedule")
    if seconds % _DAY == 0:
        return RotationRules(automatically_after_days=seconds // _DAY, duration=duration)
    if seconds % _HOUR == 0:
        return RotationRules(
            schedule_expression=f"rate({seconds // _HOUR} hours)", duration=duration
        )
    raise PlanError(f"secret {secret.id}: rotation every {rotation.every} is not whole hours")


@dataclass(frozen=True)
class RotatorPlan:
    """The Lambda that rotates exactly one secret (its settings live in environment
    variables, so one function per secret is also one role scoped to one secret)."""

    kind: RotatorKind
    function_name: str
    role_name: str
    role_arn: str
    log_group_name: str
    log_group_arn: str
    rules: RotationRules
    database: Database | None = None
    #: Catalog id of the superuser secret the rotator may read (PostgreSQL only).
    master_secret: str | None = None

    @property
    def bootstraps(self) -> bool:
        """Whether the first rotation can create the first value on its own. A PostgreSQL
        login without a superuser secret (typically the superuser itself) cannot: nobody
        could set its password, so its owner seeds the current login once and rotation
        takes over on schedule (functions/README.md, "First value")."""
        return self.kind == "generated" or self.master_secret is not None


@dataclass(frozen=True)
class SecretPlan:
    secret: Secret
    name: str
    arn_pattern: str
    rotator: RotatorPlan | None
    #: Role ARNs allowed to read the value: consumers, its rotator, rotators using it as
    #: their superuser secret.
    readers: tuple[str, ...]
    #: The owning team's owner role in this environment's account: the only identity besides
    #: rotation (and declared writers) that may change the value, and the only one that may
    #: change the secret, its policy, tags, rotation or replicas.
    owner_role_arn: str
    #: Role ARNs of consumers with ``access: write`` (never an existing role).
    writers: tuple[str, ...] = ()

    @property
    def managed_rotation(self) -> bool:
        return self.rotator is not None


@dataclass(frozen=True)
class ServicePlan:
    service: Service
    #: Role name: created by seccat, or the catalog's existing ``aws.role_name``.
    role_name: str
    role_arn: str
    create_role: bool
    reads: tuple[str, ...]  # secret ids
    writes: tuple[str, ...]
    #: The most sensitive classification the role can reach (AWS or Vault), for its tags.
    classification: str = "internal"


def aws_plan(catalog: Catalog, env: Environment) -> AwsPlan:
    """The environment's AwsPlan, made once per catalog object: its secret plans cost half a
    second at 10,000 secrets, and the stack plan, the program and every `--all-stacks`
    worker (forked after the parent planned) read the same one."""
    if catalog.environments.get(env.name) is not env:  # an environment of another catalog
        return AwsPlan(catalog, env)
    return per_catalog(catalog, ("aws plan", env.name), lambda: AwsPlan(catalog, env))


@dataclass(frozen=True)
class AwsPlan:
    catalog: Catalog
    env: Environment

    @property
    def account_id(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.account_id

    @property
    def region(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.region

    @cached_property
    def aws_secrets(self) -> list[Secret]:
        return sorted(
            (s for s in self.catalog.secrets_in(self.env.name) if s.store == STORE),
            key=_BY_ID,
        )

    def arn_pattern(self, secret_id: str) -> str:
        return secret_arn_pattern(self.region, self.account_id, self.env.name, secret_id)

    @cached_property
    def _aws_secrets_by_id(self) -> dict[str, Secret]:
        return {s.id: s for s in self.aws_secrets}

    def replica_regions(self, secret_ids: Iterable[str]) -> list[str]:
        """The regions other than the primary where these secrets have replicas."""
        by_id = self._aws_secrets_by_id
        return sorted({r for i in secret_ids for r in by_id[i].replicas} - {self.region})

    def arn_patterns_everywhere(self, secret_id: str) -> list[str]:
        """The secret's ARN pattern in its primary region, then in each replica region: a
        consumer reads the copy in the region it runs in."""
        return [
            secret_arn_pattern(r, self.account_id, self.env.name, secret_id)
            for r in [self.region, *self.replica_regions([secret_id])]
        ]

    @cached_property
    def services(self) -> dict[str, ServicePlan]:
        """Every service with an AWS identity that consumes anything here (AWS or Vault):
        Vault's AWS auth binds the same role, so it exists even without AWS secrets."""
        env = self.env.name
        reads: dict[str, set[str]] = {}
        writes: dict[str, set[str]] = {}
        consumers: dict[str, str] = {}
        rank = CLASSIFICATION_RANK
        for secret in self.catalog.secrets_in(env):
            for c in secret.consumers:
                if env not in c.environments:  # Secret.consumers_in, without a tuple each
                    continue
                known = consumers.get(c.service)
                if known is None or rank[secret.classification] > rank[known]:
                    consumers[c.service] = secret.classification
                if secret.store != STORE:
                    continue
                reads.setdefault(c.service, set()).add(secret.id)
                if c.access == "write":
                    writes.setdefault(c.service, set()).add(secret.id)
        plans: dict[str, ServicePlan] = {}
        for name in sorted(consumers):
            service = self.catalog.service_in(name, env)
            aws = service.aws
            if aws is None or (aws.trust is None and aws.role_name is None):
                if name in reads:
                    raise PlanError(
                        f"service {name} consumes AWS secrets in {env} but has no aws.trust "
                        "or aws.role_name in the catalog"
                    )
                continue
            role_name = service_role(service, env)
            plans[name] = ServicePlan(
                service=service,
                role_name=role_name,
                role_arn=role_arn(self.account_id, role_name),
                create_role=not aws.existing,
                reads=tuple(sorted(reads.get(name, ()))),
                # An existing role only ever gets the read policy (validation refuses write).
                writes=() if aws.existing else tuple(sorted(writes.get(name, ()))),
                classification=consumers[name],
            )
        return plans

    def _rotator(self, secret: Secret) -> RotatorPlan | None:
        if not secret.generated or secret.rotation is None or secret.lifecycle == "retired":
            return None
        env = self.env.name
        function_name = rotation_function_name(env, secret.id)
        log_group = rotation_log_group_name(env, secret.id)
        database = None
        master = None
        kind: RotatorKind = "generated"
        if secret.type == "database":
            kind = "postgres"
            if secret.database is None:
                raise PlanError(f"secret {secret.id} is a database secret without database:")
            database = self._database(secret.database.database)
            if database.admin_secret and database.admin_secret != secret.id:
                admin = self.catalog.secrets.get(database.admin_secret)
                if admin is None or admin.store != STORE or env not in admin.environments:
                    raise PlanError(
                        f"database {database.name}: admin_secret {database.admin_secret} must be "
                        f"an aws-secretsmanager secret in {env} to rotate {secret.id}"
                    )
                master = admin.id
            if secret.rotation.strategy == "alternating-users" and master is None:
                raise PlanError(
                    f"secret {secret.id}: alternating-users needs the database's admin_secret"
                )
        return RotatorPlan(
            kind=kind,
            function_name=function_name,
            role_name=function_name,
            role_arn=role_arn(self.account_id, function_name),
            log_group_name=log_group,
            log_group_arn=f"arn:aws:logs:{self.region}:{self.account_id}:log-group:"
            + require(log_group, "aws_name"),
            rules=rotation_rules(secret),
            database=database,
            master_secret=master,
        )

    def _database(self, name: str) -> Database:
        """The database as this environment reaches it, made once per database (not once
        per login: a per-environment connection is a dataclasses.replace)."""
        known = self._databases.get(name)
        if known is None:
            known = self._databases[name] = self.catalog.database_in(name, self.env.name)
        return known

    @cached_property
    def _databases(self) -> dict[str, Database]:
        return {}

    def owner_role_arn(self, secret: Secret) -> str:
        """The owning team's owner role, resolved in this environment's account."""
        team = self.catalog.teams.get(secret.owner)
        if team is None or team.owner_role is None:
            raise PlanError(
                f"secret {secret.id}: team {secret.owner} names no owner role "
                "(teams.<team>.aws.owner_role), so nobody could manage it"
            )
        return role_arn(self.account_id, require(team.owner_role, "iam_role_name"))

    @cached_property
    def secrets(self) -> dict[str, SecretPlan]:
        rotators = {s.id: self._rotator(s) for s in self.aws_secrets}
        readers: dict[str, set[str]] = {s.id: set() for s in self.aws_secrets}
        writers: dict[str, set[str]] = {s.id: set() for s in self.aws_secrets}
        for plan in self.services.values():
            for secret_id in plan.reads:
                readers[secret_id].add(plan.role_arn)
            for secret_id in plan.writes:
                writers[secret_id].add(plan.role_arn)
        for secret_id, rotator in rotators.items():
            if rotator is None:
                continue
            readers[secret_id].add(rotator.role_arn)
            if rotator.master_secret:
                readers[rotator.master_secret].add(rotator.role_arn)
        owners: dict[str, str] = {}  # a team's owner role ARN, made once per team

        def owner_role_arn(secret: Secret) -> str:
            arn = owners.get(secret.owner)
            if arn is None:
                arn = owners[secret.owner] = self.owner_role_arn(secret)
            return arn

        return {
            s.id: SecretPlan(
                secret=s,
                name=aws_secret_name(self.env.name, s.id),
                arn_pattern=self.arn_pattern(s.id),
                rotator=rotators[s.id],
                readers=tuple(sorted(readers[s.id])),
                owner_role_arn=owner_role_arn(s),
                writers=tuple(sorted(writers[s.id])),
            )
            for s in self.aws_secrets
        }

    def build_order(self) -> list[SecretPlan]:
        """Superuser secrets first: their ARN configures the rotators that depend on them.

        (Sorted by whether a secret is a superuser secret, then by id.)"""
        return list(self._build_order)

    @cached_property
    def _build_order(self) -> tuple[SecretPlan, ...]:
        masters = {p.rotator.master_secret for p in self.secrets.values() if p.rotator}
        # ``secrets`` is in id order (``aws_secrets`` is), so a stable partition is the sort
        # by (not a superuser secret, id), without a key tuple per secret.
        plans = self.secrets.values()
        return (
            *(p for p in plans if p.secret.id in masters),
            *(p for p in plans if p.secret.id not in masters),
        )
