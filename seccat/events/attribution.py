"""Who and what an audit record is about, in catalog terms: environment, secret, team, service.

Built once per catalog from the very names the generators produce (Secrets Manager names
``<env>/<id>``, IAM role names, Vault mounts, policy and role names), never from patterns
guessed at read time, so an attribution is exactly as precise as the deployment: a name the
catalog does not produce is reported as unknown, not matched to the nearest secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from seccat.catalog.model import Catalog, Secret
from seccat.documents import renewal
from seccat.documents import vault_layout as layout
from seccat.documents.vault_policy import vault_secrets

#: Who acted, as far as the catalog can tell.
ActorKind = str  # "service" | "rotation" | "owner" | "renewal-check" | "aws-service" | "other"

_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]*):([^:]*):secret:(.+)$")
_ASSUMED_ROLE = re.compile(r"^arn:aws[a-z-]*:sts::([0-9]{12}):assumed-role/([^/]+)/")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::([0-9]{12}):role/(?:.*/)?([^/]+)$")
#: Secrets Manager appends '-' and six characters to every secret name in its ARN.
_ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class SecretRef:
    """A catalog secret in one environment."""

    environment: str
    secret: Secret

    @property
    def id(self) -> str:
        return self.secret.id

    @property
    def team(self) -> str:
        return self.secret.owner


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    environment: str | None = None
    service: str | None = None
    team: str | None = None
    #: The secret a rotation function rotates (AWS rotators are one per secret).
    secret: str | None = None


OTHER = Actor("other")


@dataclass
class CatalogIndex:
    """Lookups from deployed names to catalog entities, for one catalog."""

    catalog: Catalog
    #: ``<env>/<id>`` -> secret.
    by_name: dict[str, SecretRef] = field(default_factory=dict)
    #: (account, role name) -> actor.
    roles: dict[tuple[str, str], Actor] = field(default_factory=dict)
    #: Vault policy name -> actor.
    policies: dict[str, Actor] = field(default_factory=dict)
    #: Vault mount -> (environment, "kv" | "database").
    mounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: (environment, database role name) -> secret.
    database_roles: dict[tuple[str, str], SecretRef] = field(default_factory=dict)
    #: (environment, namespace, service account) -> service.
    service_accounts: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def build(cls, catalog: Catalog) -> CatalogIndex:
        index = cls(catalog)
        for env_name, env in catalog.environments.items():
            for secret in catalog.secrets_in(env_name):
                index.by_name[f"{env_name}/{secret.id}"] = SecretRef(env_name, secret)
            index._vault(env_name)
            if env.aws is not None:
                index._aws_roles(env_name, env.aws.account_id)
        return index

    def _aws_roles(self, env_name: str, account: str) -> None:
        """Every role the environment's deployment creates or names, by account and name.

        Built with the component planner, so a role is matched under exactly the name the
        deployment gave it; a catalog the planner refuses simply contributes no roles."""
        from seccat.documents.aws_plan import AwsPlan, PlanError

        env = self.catalog.environments[env_name]
        plan = AwsPlan(self.catalog, env)
        try:
            services = plan.services
            secrets = plan.secrets
        except (PlanError, ValueError):
            return
        for name, service in services.items():
            self.roles[(account, service.role_name)] = Actor("service", env_name, service=name)
        for secret_id, secret_plan in secrets.items():
            if secret_plan.rotator is not None:
                self.roles[(account, secret_plan.rotator.role_name)] = Actor(
                    "rotation", env_name, secret=secret_id, team=secret_plan.secret.owner
                )
        for team_name, team in self.catalog.teams.items():
            if team.owner_role:
                self.roles.setdefault(
                    (account, team.owner_role), Actor("owner", env_name, team=team_name)
                )
        self.roles[(account, renewal.check_function_name(env_name))] = Actor(
            "renewal-check", env_name
        )

    def _vault(self, env_name: str) -> None:
        env = self.catalog.environments[env_name]
        self.mounts[layout.kv_mount(env)] = (env_name, "kv")
        self.mounts[layout.database_mount(env)] = (env_name, "database")
        for secret in vault_secrets(self.catalog, env):
            if secret.store == "vault-database":
                self.database_roles[(env_name, layout.database_role_name(secret.id))] = SecretRef(
                    env_name, secret
                )
            for consumer in secret.consumers_in(env_name):
                self.policies[layout.service_policy_name(env, consumer.service)] = Actor(
                    "service", env_name, service=consumer.service
                )
        for team in self.catalog.teams:
            self.policies[layout.writer_policy_name(env, team)] = Actor(
                "owner", env_name, team=team
            )
            self.policies[layout.rotator_policy_name(env, team)] = Actor(
                "rotation", env_name, team=team
            )
        # The renewal check's token (owner-rotated KV secrets' metadata reads).
        self.policies[layout.renewal_check_policy_name(env)] = Actor("renewal-check", env_name)
        for name in self.catalog.services:
            k8s = self.catalog.service_in(name, env_name).kubernetes
            if k8s is not None:
                self.service_accounts[(env_name, k8s.namespace, k8s.service_account)] = name

    # --- secrets -----------------------------------------------------------------------

    def secret_named(self, name_or_arn: str | None) -> SecretRef | None:
        """A Secrets Manager secret by name, full ARN or partial ARN, when the catalog has it."""
        if not isinstance(name_or_arn, str) or not name_or_arn:
            return None
        match = _SECRET_ARN.match(name_or_arn)
        if match is None:
            return self.by_name.get(name_or_arn)
        name = match.group(3)
        # A full ARN carries the random suffix; a partial ARN (as a caller may pass) does not.
        found = self.by_name.get(_ARN_SUFFIX.sub("", name))
        return found if found is not None else self.by_name.get(name)

    @staticmethod
    def secret_name_of(name_or_arn: str) -> str:
        """The secret's name as written, without ARN and suffix (for unknown secrets)."""
        match = _SECRET_ARN.match(name_or_arn)
        return _ARN_SUFFIX.sub("", match.group(3)) if match else name_or_arn

    def vault_secret(self, path: str) -> tuple[str | None, SecretRef | None, str | None]:
        """(environment, secret, what part) of a Vault request path on a seccat mount.

        ``what`` is ``data``, ``metadata``, ``delete``, ``undelete``, ``destroy`` (KV v2),
        ``static-creds``, ``creds``, ``rotate-role``, ``static-roles``, ``roles`` (database).
        """
        mount, _, rest = path.partition("/")
        owner = self.mounts.get(mount)
        if owner is None:
            return None, None, None
        env_name, kind = owner
        part, _, tail = rest.partition("/")
        if kind == "kv":
            ref = self.by_name.get(f"{env_name}/{tail}")
            if ref is not None and ref.secret.store != "vault-kv":
                ref = None
            return env_name, ref, part or None
        # database-<env>/<part>/<role>[/<lease uuid>]
        role = tail.split("/", 1)[0]
        return env_name, self.database_roles.get((env_name, role)), part or None

    # --- actors ------------------------------------------------------------------------

    def aws_actor(self, arn: str | None) -> Actor:
        """The catalog actor behind an IAM role or assumed-role session ARN."""
        if not isinstance(arn, str):
            return OTHER
        for pattern in (_ASSUMED_ROLE, _ROLE_ARN):
            match = pattern.match(arn)
            if match:
                return self.roles.get((match.group(1), match.group(2)), OTHER)
        return OTHER

    def vault_actor(self, policies: list[str], metadata: dict[str, str] | None) -> Actor:
        """The catalog actor behind a Vault token: its seccat policies, else its login."""
        for name in policies:
            actor = self.policies.get(name)
            if actor is not None:
                return actor
        meta = metadata or {}
        if meta.get("canonical_arn"):
            actor = self.aws_actor(meta["canonical_arn"])
            if actor is not OTHER:
                return actor
        return OTHER

    @cached_property
    def environments(self) -> frozenset[str]:
        return frozenset(self.catalog.environments)
