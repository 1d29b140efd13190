"""Which Pulumi stack holds which part of an environment: one stack, or micro-stacks.

Pure (no Pulumi import): `seccat stacks`, the program under the Pulumi CLI and the offline
engine all ask this one function, so they can never disagree about where a resource lives.

An environment in *split* mode has

- a platform stack ``<env>``: what every team shares (KMS keys, the alarm topic, the Lambda
  layers, replica keys, the rotation-failure rule, the dashboard, the AWS Config rules, the
  Vault audit device, mounts, database connections and auth backends) and the consuming
  services' IAM roles, because every secret's resource policy names them and AWS refuses a
  policy naming a role that does not exist yet;
- one stack per owner team, ``<env>.<team>``: the team's secrets with their rotation,
  policies and alarms, the team's Vault policies and KV rotator, and its services' access
  (consumer policies, Vault policies and auth roles).

A team whose stack would exceed the budget is split by the low bits of a hash of each secret
id (service name): ``<env>.<team>`` keeps bucket 0, ``<env>.<team>.<b>`` holds bucket b. A
secret never moves unless its team's bucket count doubles, and then only to ``b + 2**k``
(extendible hashing); adding a secret below that point moves nothing. A catalog ``shard:``
label pins a secret to ``<env>.<team>.<label>``. A database secret rotated with its
database's admin secret stays in that secret's stack, because its rotation function is
configured with the admin secret's ARN, which AWS makes up when it creates the secret.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from seccat.catalog.memo import per_catalog
from seccat.catalog.model import Catalog, Environment, Secret, StackSettings
from seccat.documents.aws_plan import STORE, AwsPlan, aws_plan
from seccat.documents.monitoring import FUNCTION_METRICS, config_rules
from seccat.documents.renewal import watched_secrets
from seccat.documents.vault_policy import (
    consuming_services,
    owner_rotated_kv_secrets,
    rotated_kv_secrets,
    rotator_teams,
    vault_secrets,
    writer_teams,
)
from seccat.stacks.names import environment_of

Kind = Literal["single", "platform", "shard"]
#: The most hash buckets one team is split into (2**MAX_DEPTH).
MAX_DEPTH = 10
#: Resources per rotation function: role, role policy, log group, function, permission,
#: rotation schedule and two metric alarms.
_ROTATOR = 8
#: Per team KV rotator: role, log group, logs policy, function, two alarms, Vault auth role,
#: scheduler role and its policy.
_KV_ROTATOR = 9


class PlanError(ValueError):
    """The catalog cannot be split as asked (a stack name used twice)."""


@dataclass(frozen=True)
class StackSpec:
    """One Pulumi stack of an environment and what it builds."""

    name: str
    environment: str
    kind: Kind
    team: str | None = None
    #: Catalog secret ids whose per-secret resources this stack holds.
    secrets: frozenset[str] = frozenset()
    #: Services whose access (consumer policy, Vault policy and auth roles) it holds.
    services: frozenset[str] = frozenset()
    #: Teams whose team-wide resources (Vault writer/rotator policies, KV rotator) it holds.
    teams: frozenset[str] = frozenset()
    #: Estimated custom resources (what the budget counts).
    resources: int = 0
    #: A part of a single stack run in a worker process (seccat.stacks.partition): it
    #: builds the shared resources and, of the rest, only its own secrets, services and
    #: teams, with the single stack's names, URNs and parents.
    part: bool = False

    @property
    def platform(self) -> bool:
        """Whether this stack builds the environment's shared resources."""
        return self.kind in ("single", "platform")

    def holds_secret(self, secret_id: str) -> bool:
        return (self.kind == "single" and not self.part) or secret_id in self.secrets

    def holds_service(self, service: str) -> bool:
        return (self.kind == "single" and not self.part) or service in self.services

    def holds_team(self, team: str) -> bool:
        return (self.kind == "single" and not self.part) or team in self.teams

    @property
    def platform_stack(self) -> str:
        """The stack whose outputs a shard reads (``<env>``)."""
        return self.environment

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "environment": self.environment,
            "kind": self.kind,
            "team": self.team,
            "resources": self.resources,
            "secrets": sorted(self.secrets),
            "services": sorted(self.services),
            "needs": [self.platform_stack] if self.kind == "shard" else [],
        }


@dataclass(frozen=True)
class EnvironmentPlan:
    environment: str
    mode: Literal["single", "split"]
    budget: int
    stacks: tuple[StackSpec, ...]

    @property
    def resources(self) -> int:
        return sum(s.resources for s in self.stacks)

    def stack(self, name: str) -> StackSpec:
        for spec in self.stacks:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def stack_of_secret(self, secret_id: str) -> str:
        for spec in self.stacks:
            if spec.kind != "platform" and spec.holds_secret(secret_id):
                return spec.name
        raise KeyError(secret_id)

    def stack_of_service(self, service: str) -> str | None:
        for spec in self.stacks:
            if spec.kind != "platform" and spec.holds_service(service):
                return spec.name
        return None


def bucket_hash(key: str) -> int:
    """The stable hash the buckets use: the same on every machine and Python version."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")


@dataclass
class _Counts:
    """Estimated custom resources per unit of one environment (what the budget counts)."""

    catalog: Catalog
    env: Environment

    @cached_property
    def aws(self) -> AwsPlan:
        return aws_plan(self.catalog, self.env)

    @cached_property
    def vault(self) -> tuple[Secret, ...]:
        return vault_secrets(self.catalog, self.env)

    @cached_property
    def kv_rotated(self) -> frozenset[str]:
        return frozenset(s.id for s in rotated_kv_secrets(self.catalog, self.env))

    @cached_property
    def vault_consumers(self) -> frozenset[str]:
        return frozenset(consuming_services(self.catalog, self.env)) if self.vault else frozenset()

    @cached_property
    def k8s_backend(self) -> bool:
        env = self.env.name
        return any(
            self.catalog.service_in(s, env).kubernetes is not None for s in self.vault_consumers
        )

    @cached_property
    def watched(self) -> frozenset[str]:
        """Owner-rotated secrets: each has a renewal schedule and two alarms of its own."""
        return frozenset(s.id for s in watched_secrets(self.catalog, self.env))

    def secret(self, secret: Secret) -> int:
        watch = 3 if secret.id in self.watched else 0  # schedule, reminder, overdue alarm
        if secret.store == STORE:
            plan = self.aws.secrets[secret.id]
            return 2 + (_ROTATOR if plan.rotator is not None else 0) + watch
        if secret.store == "vault-kv":
            return 1 + (1 if secret.id in self.kv_rotated else 0) + watch
        return 0 if secret.lifecycle == "retired" else 1

    def service(self, name: str) -> int:
        count = 0
        plan = self.aws.services.get(name)
        if plan is not None and plan.reads:
            count += 1  # the consumer policy (the role is the platform's)
        if name in self.vault_consumers:
            count += 1  # the Vault policy
            service = self.catalog.service_in(name, self.env.name)
            if service.aws is not None and (service.aws.trust or service.aws.role_name):
                count += 1
            if service.kubernetes is not None and self.k8s_backend:
                count += 1
        return count

    def team(self, team: str) -> int:
        count = 0
        if self.vault:
            count += team in writer_teams(self.catalog, self.env)
            if team in rotator_teams(self.catalog, self.env):
                count += 1 + _KV_ROTATOR
        return count

    def services(self) -> dict[str, str]:
        """Services with something of their own in a team stack -> their team."""
        names = set(self.aws.services) | set(self.vault_consumers)
        return {n: self.catalog.services[n].team for n in sorted(names) if self.service(n)}

    def platform(self) -> int:
        """Shared resources, counted by the platform builders' own rules."""
        count = 4  # key, alias, topic, topic policy
        secrets = self.catalog.secrets_in(self.env.name)
        teams = {s.owner for s in secrets} | {
            self.catalog.services[c.service].team
            for s in secrets
            for c in s.consumers_in(self.env.name)
        }
        count += len(teams)  # one alarm subscription per team
        count += sum(1 for p in self.aws.services.values() if p.create_role)
        regions = {r for s in self.aws.aws_secrets for r in s.replicas}
        count += 3 * len(regions)  # provider, key, alias per replica region
        watched = watched_secrets(self.catalog, self.env)
        if watched:
            # the renewal check: role, role policy, log group, function and its alarms,
            # schedule group, scheduler role, invoke policy; per owning team a reminder
            # topic, its policy and subscription; watching Vault KV secrets, its dependency
            # layer (each secret's schedule and alarms count with the secret: self.secret)
            count += 7 + len(FUNCTION_METRICS)
            count += 3 * len({s.owner for s in watched})
            count += any(s.store == "vault-kv" for s in watched)
        if self.aws.aws_secrets:
            count += 2  # rotation failure rule and its target
            count += 4  # lineage: log group, its resource policy, the event rule, its target
            if watched or any(p.rotator for p in self.aws.secrets.values()):
                count += 1  # dashboard
            if any(p.rotator and p.rotator.kind == "postgres" for p in self.aws.secrets.values()):
                count += 1  # the dependency layer
            if self.env.detective_controls:
                classes = [s.classification for s in self.aws.aws_secrets]
                count += len(list(config_rules(self.env.name, classes)))
        if self.vault:
            count += 2 + (self.env.aws is not None)  # audit, AWS auth backend, its client
            count += self.k8s_backend
            count += 2 if any(s.store == "vault-kv" for s in self.vault) else 0
            dbs = {
                s.database.database
                for s in self.vault
                if s.store == "vault-database" and s.lifecycle != "retired" and s.database
            }
            count += 1 + len(dbs) if any(s.store == "vault-database" for s in self.vault) else 0
            count += 2 if self.kv_rotated else 0
            # the renewal check's Vault policy and AWS auth role
            count += 2 if owner_rotated_kv_secrets(self.catalog, self.env) else 0
        return count


def plan_environment(catalog: Catalog, environment: str) -> EnvironmentPlan:
    """The stacks of ``environment``, by the catalog's ``stacks:`` settings (made once per
    catalog object and environment: about half a second at 10,000 secrets, which
    `--all-stacks` spends once in the parent instead of once per forked worker)."""
    return per_catalog(
        catalog, ("stack plan", environment), lambda: make_environment_plan(catalog, environment)
    )


def make_environment_plan(
    catalog: Catalog, environment: str, settings: StackSettings | None = None
) -> EnvironmentPlan:
    """``plan_environment`` without the memo: the plan computed afresh, by ``settings``
    instead of the catalog's when given (seccat.stacks.partition cuts a single stack
    along the split plan's lines)."""
    env = catalog.environments[environment]
    settings = settings or catalog.stacks
    counts = _Counts(catalog, env)
    secrets = sorted(catalog.secrets_in(environment), key=lambda s: s.id)
    per_secret = {s.id: counts.secret(s) for s in secrets}
    services = counts.services()
    per_service = {n: counts.service(n) for n in services}
    teams = sorted({s.owner for s in secrets} | set(services.values()))
    per_team = {t: counts.team(t) for t in teams}
    platform = counts.platform()
    total = platform + sum(per_secret.values()) + sum(per_service.values()) + sum(per_team.values())
    split = settings.mode == "split" or (settings.mode == "auto" and total > settings.budget)
    if not split:
        single = StackSpec(
            name=environment,
            environment=environment,
            kind="single",
            secrets=frozenset(per_secret),
            services=frozenset(services),
            teams=frozenset(teams),
            resources=total,
        )
        return EnvironmentPlan(environment, "single", settings.budget, (single,))

    # Each secret's placement key: its own id, or the admin secret its rotator reads.
    anchor = {s.id: s.id for s in secrets}
    owner = {s.id: s.owner for s in secrets}
    for plan in counts.aws.secrets.values():
        if plan.rotator is not None and plan.rotator.master_secret:
            anchor[plan.secret.id] = plan.rotator.master_secret
    labels = {s.id: catalog.secrets[anchor[s.id]].shard for s in secrets}

    stacks: list[StackSpec] = [
        StackSpec(name=environment, environment=environment, kind="platform", resources=platform)
    ]
    for team in teams:
        hashed = [s.id for s in secrets if owner[anchor[s.id]] == team and not labels[s.id]]
        team_services = [n for n, t in services.items() if t == team]
        units: list[tuple[str, str, int]] = [("secret", i, per_secret[i]) for i in hashed]
        units += [("service", n, per_service[n]) for n in team_services]
        depth = _depth(units, anchor, per_team[team], settings.budget)
        buckets: dict[int, tuple[set[str], set[str], int]] = {}
        for kind, key, size in units:
            b = bucket_hash(anchor.get(key, key) if kind == "secret" else key) % (1 << depth)
            sec, svc, n = buckets.get(b, (set(), set(), 0))
            (sec if kind == "secret" else svc).add(key)
            buckets[b] = (sec, svc, n + size)
        sec, svc, n = buckets.get(0, (set(), set(), 0))
        buckets[0] = (sec, svc, n + per_team[team])
        for b, (sec, svc, n) in sorted(buckets.items()):
            if b == 0 and not sec and not svc and not per_team[team]:
                continue
            stacks.append(
                StackSpec(
                    name=f"{environment}.{team}" + (f".{b}" if b else ""),
                    environment=environment,
                    kind="shard",
                    team=team,
                    secrets=frozenset(sec),
                    services=frozenset(svc),
                    teams=frozenset({team}) if b == 0 else frozenset(),
                    resources=n,
                )
            )
        pinned: dict[str, list[str]] = {}
        for secret_id, label in labels.items():
            if label and owner[anchor[secret_id]] == team:
                pinned.setdefault(label, []).append(secret_id)
        for label, ids in sorted(pinned.items()):
            stacks.append(
                StackSpec(
                    name=f"{environment}.{team}.{label}",
                    environment=environment,
                    kind="shard",
                    team=team,
                    secrets=frozenset(ids),
                    resources=sum(per_secret[i] for i in ids),
                )
            )
    repeated = [n for n, c in Counter(s.name for s in stacks).items() if c > 1]
    if repeated:
        raise PlanError(f"stack {repeated[0]} would be planned twice in {environment}")
    return EnvironmentPlan(environment, "split", settings.budget, tuple(stacks))


def _depth(
    units: Iterable[tuple[str, str, int]], anchor: Mapping[str, str], team_wide: int, budget: int
) -> int:
    """The fewest hash bits that keep every bucket of a team within the budget.

    A group that cannot be split (an admin secret and the secrets rotated with it) weighs
    at most half the budget here, so a group bigger than the budget shares its stack with
    at most half a budget of others instead of splitting the team a thousand ways."""
    groups: Counter[int] = Counter()
    for kind, k, size in units:
        groups[bucket_hash(anchor.get(k, k) if kind == "secret" else k)] += size
    weights = [(h, min(size, max(1, budget // 2))) for h, size in groups.items()]
    for depth in range(MAX_DEPTH + 1):
        sizes: Counter[int] = Counter()
        for h, size in weights:
            sizes[h % (1 << depth)] += size
        sizes[0] += team_wide
        if max(sizes.values(), default=0) <= budget:
            return depth
    return MAX_DEPTH


@dataclass(frozen=True)
class CatalogPlan:
    environments: tuple[EnvironmentPlan, ...] = field(default_factory=tuple)

    @property
    def stacks(self) -> tuple[StackSpec, ...]:
        return tuple(s for e in self.environments for s in e.stacks)

    def spec(self, name: str) -> StackSpec:
        for env in self.environments:
            if env.environment == environment_of(name):
                return env.stack(name)
        raise KeyError(name)


def plan_catalog(catalog: Catalog, environments: Iterable[str] | None = None) -> CatalogPlan:
    names = list(environments) if environments is not None else list(catalog.environments)
    return CatalogPlan(tuple(plan_environment(catalog, e) for e in names))


def stack_spec(catalog: Catalog, stack: str) -> StackSpec:
    """The plan of one stack by name; ``KeyError`` when the catalog plans no such stack."""
    environment = environment_of(stack)
    if environment not in catalog.environments:
        raise KeyError(stack)
    return plan_environment(catalog, environment).stack(stack)
