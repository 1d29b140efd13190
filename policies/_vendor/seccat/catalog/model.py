"""The validated catalog as immutable values.

Everything downstream (components, document generators, rules, reports) reads only these
types, never raw YAML, so a catalog that reached this point is known to be well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

SecretType = Literal["api-key", "password", "database", "certificate", "generic"]
Store = Literal["aws-secretsmanager", "vault-kv", "vault-database"]
Classification = Literal["public", "internal", "confidential", "restricted"]
Lifecycle = Literal["active", "deprecated", "retired"]
Strategy = Literal["single-user", "alternating-users", "static", "dynamic"]
Access = Literal["read", "write"]
#: Who produces new values: seccat's rotation (a function, the KV rotator, Vault), or the
#: owning team (a vendor, a bank or a CA issues the value; the owner puts it in place).
RotatedBy = Literal["seccat", "owner"]

#: Types whose value seccat can generate; the others are issued by someone else and filled by
#: their owner.
GENERATED_TYPES: frozenset[str] = frozenset({"api-key", "password", "database"})
#: Types only an issuer can renew (a CA's certificate, a vendor's API key is ``generic``):
#: their rotation is always ``by: owner``, and only theirs.
ISSUED_TYPES: frozenset[str] = frozenset({"generic", "certificate"})

#: Order of sensitivity, for "at least as sensitive as" comparisons.
CLASSIFICATION_RANK: Mapping[str, int] = {
    "public": 0,
    "internal": 1,
    "confidential": 2,
    "restricted": 3,
}

#: Longest rotation interval, in days, each classification accepts. 90 d is Security Hub's
#: default for SecretsManager.4 and AWS Config's secretsmanager-secret-periodic-rotation;
#: 30 d for restricted and 180 d for internal are seccat's defaults; public data needs no
#: secrecy, so a yearly refresh suffices. The AWS Config rules the components deploy and the
#: policy rules both read this one table.
MAX_ROTATION_DAYS: Mapping[str, int] = {
    "restricted": 30,
    "confidential": 90,
    "internal": 180,
    "public": 365,
}

Path = tuple[str, ...]


@dataclass(frozen=True)
class Position:
    """1-based line and column in the catalog file."""

    line: int
    column: int


@dataclass(frozen=True)
class Team:
    name: str
    contact: str
    #: Name of the team's owner (break-glass) role in every environment's account: besides a
    #: secret's rotation function, the only identity that may change the team's Secrets
    #: Manager values, resource policies, tags or rotation.
    owner_role: str | None = None


@dataclass(frozen=True)
class AwsAccount:
    account_id: str
    region: str
    #: Other accounts whose principals this environment's roles may trust.
    trusted_accounts: tuple[str, ...] = ()

    def trusts(self, account_id: str) -> bool:
        """Whether a principal of ``account_id`` may be trusted by this environment's roles."""
        return account_id == self.account_id or account_id in self.trusted_accounts


@dataclass(frozen=True)
class VaultSettings:
    """Where an environment's secrets live in Vault/OpenBao."""

    kv_mount: str
    database_mount: str
    audit_type: str = "file"
    audit_path: str = "file"
    audit_file_path: str = "/var/log/openbao/audit.log"
    #: ``iam_server_id_header_value`` of the AWS auth mount (X-Vault-AWS-IAM-Server-ID).
    aws_auth_header: str = "seccat"
    #: The audience every Kubernetes auth role requires.
    kubernetes_audience: str = "vault"


@dataclass(frozen=True)
class Environment:
    name: str
    aws: AwsAccount | None
    protect: bool
    detective_controls: bool
    vault: VaultSettings
    #: Environments that may share principals with this one (declared, never assumed).
    shares_identities_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class OidcTrust:
    provider_arn: str
    subjects: tuple[str, ...]
    audience: str = "sts.amazonaws.com"
    #: Declared: a subject may use a wildcard in its repository part (repo:org/*).
    repository_wildcards: bool = False

    @property
    def provider_account(self) -> str:
        return self.provider_arn.split(":")[4]

    @property
    def provider_host(self) -> str:
        return self.provider_arn.split(":oidc-provider/", 1)[1]


@dataclass(frozen=True)
class Trust:
    """Who may assume a service's role: exactly one of service, role_arn and oidc is set."""

    service: str | None = None
    role_arn: str | None = None
    oidc: OidcTrust | None = None
    #: Why a service principal without documented confused-deputy keys is trusted anyway.
    without_source_keys: str | None = None


@dataclass(frozen=True)
class ServiceAws:
    trust: Trust | None
    #: The role's name: seccat creates it (with ``trust``), or, with ``existing``, attaches
    #: the read policy to a role it does not manage.
    role_name: str | None = None
    existing: bool = False
    #: Why an existing role is used (required with ``existing``).
    reason: str | None = None


@dataclass(frozen=True)
class Kubernetes:
    namespace: str
    service_account: str


@dataclass(frozen=True)
class ServiceIdentity:
    """A service's identity in one environment: replaces the shared ``aws``/``kubernetes``
    (a key left out keeps the shared value)."""

    aws: ServiceAws | None = None
    kubernetes: Kubernetes | None = None


@dataclass(frozen=True)
class Service:
    name: str
    team: str
    aws: ServiceAws | None
    kubernetes: Kubernetes | None
    #: Per-environment identity, by environment name.
    environments: Mapping[str, ServiceIdentity] = field(default_factory=dict)

    def in_env(self, env: str) -> Service:
        """The service as it exists in ``env``: per-environment identity applied."""
        own = self.environments.get(env)
        if own is None:
            return self
        return replace(
            self,
            aws=own.aws if own.aws is not None else self.aws,
            kubernetes=own.kubernetes if own.kubernetes is not None else self.kubernetes,
            environments={},
        )


@dataclass(frozen=True)
class Vpc:
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class DatabaseConnection:
    """Per-environment connection settings; None keeps the database's shared value."""

    host: str | None = None
    port: int | None = None
    ssl_mode: str | None = None
    admin_secret: str | None = None
    vault_username: str | None = None
    vpc: Vpc | None = None


@dataclass(frozen=True)
class Database:
    """A database server whose credentials seccat rotates. Never holds a password.

    ``host`` and the other connection settings are the shared defaults; ``in_env`` gives
    the server one environment really uses (validation guarantees it has a host)."""

    name: str
    engine: Literal["postgresql"]
    host: str | None
    port: int
    database: str
    #: Catalog id of the secret holding admin credentials (AWS rotation, alternating users).
    admin_secret: str | None
    #: Admin username Vault connects as; its password comes from Pulumi secret config.
    vault_username: str | None
    vpc: Vpc | None
    ssl_mode: str = "require"
    environments: Mapping[str, DatabaseConnection] = field(default_factory=dict)
    #: Declared shared server: only this environment manages logins on it.
    managed_in: str | None = None

    def in_env(self, env: str) -> Database:
        """The database as ``env`` reaches it: per-environment connection applied."""
        own = self.environments.get(env)
        if own is None:
            return self
        changes = {k: v for k, v in vars(own).items() if v is not None}
        return replace(self, **changes, environments={})


@dataclass(frozen=True)
class Rotation:
    """Exactly one of ``every`` and ``schedule`` is set (validation guarantees it).

    ``by: owner`` rotations take ``every`` only (the renewal interval) and carry
    ``remind_seconds``: how long before the due date the owning team is reminded."""

    every: str | None = None
    every_seconds: int | None = None
    schedule: str | None = None
    window: str | None = None
    window_seconds: int | None = None
    strategy: Strategy = "single-user"
    by: RotatedBy = "seccat"
    remind: str | None = None
    remind_seconds: int | None = None


@dataclass(frozen=True)
class Generate:
    """How a generated value looks; defaults suit most API keys and passwords."""

    length: int = 32
    exclude_characters: str = ""
    exclude_punctuation: bool = False
    require_each_included_type: bool = True


@dataclass(frozen=True)
class DatabaseCredential:
    """Ties a ``type: database`` secret to a catalog database and role."""

    database: str
    username: str
    #: The second login of the alternating-users strategy; defaults to ``username`` + ``_clone``.
    alternate_username: str | None = None


@dataclass(frozen=True)
class Consumer:
    service: str
    access: Access
    environments: tuple[str, ...]


@dataclass(frozen=True)
class Secret:
    id: str
    description: str
    owner: str
    type: SecretType
    store: Store
    classification: Classification
    compliance: tuple[str, ...]
    environments: tuple[str, ...]
    rotation: Rotation | None
    consumers: tuple[Consumer, ...]
    lifecycle: Lifecycle = "active"
    sunset: str | None = None
    replicas: tuple[str, ...] = ()
    generate: Generate = field(default_factory=Generate)
    database: DatabaseCredential | None = None
    #: The catalog's ``shard:`` label: pins the secret to stack ``<env>.<owner>.<shard>``
    #: when its environment is split (seccat.stacks.plan).
    shard: str | None = None

    @property
    def owner_rotated(self) -> bool:
        """Renewed by its owning team (``rotation.by: owner``): seccat reminds and alarms,
        never writes a value."""
        return self.rotation is not None and self.rotation.by == "owner"

    @property
    def generated(self) -> bool:
        """Whether seccat generates the value (and so runs its rotation)."""
        return self.type in GENERATED_TYPES and not self.owner_rotated

    def consumers_in(self, env: str) -> tuple[Consumer, ...]:
        return tuple(c for c in self.consumers if env in c.environments)


@dataclass(frozen=True)
class Waiver:
    rule: str
    #: Exactly one secret id or service name (an environment-qualified target, resolved).
    target: str
    reason: str
    expires: str
    approved_by: str
    #: Environments the waiver applies in; empty means all. An environment-qualified
    #: target (``prod/payments/partner-tls``) leaves exactly its environment here.
    environments: tuple[str, ...] = ()
    #: The target as the catalog writes it (``prod/payments/partner-tls``), for reports.
    written_target: str = ""

    @property
    def shown_target(self) -> str:
        return self.written_target or self.target


StackMode = Literal["auto", "single", "split"]


@dataclass(frozen=True)
class StackSettings:
    """The catalog's ``stacks:``: one Pulumi stack per environment, or a platform stack plus
    per-team micro-stacks (docs/stacks.md).

    Without the key, one stack: a catalog that grows past the budget never re-plans itself
    into other stacks (its next `pulumi up` would delete what moved); ``mode: auto`` opts
    into splitting above the budget."""

    mode: StackMode = "single"
    #: Most resources one stack should hold; a team above it is split by a hash of the id.
    budget: int = 500


@dataclass(frozen=True, eq=False)
class Catalog:
    """The whole catalog. ``positions`` maps a path (tuple of keys) to where it was written.

    Compared and hashed by identity, so generators can cache per-catalog indexes."""

    version: int
    teams: Mapping[str, Team]
    environments: Mapping[str, Environment]
    services: Mapping[str, Service]
    databases: Mapping[str, Database]
    secrets: Mapping[str, Secret]
    waivers: tuple[Waiver, ...]
    source: str = "catalog.yaml"
    stacks: StackSettings = field(default_factory=StackSettings)
    #: ``runbooks.url``: where rendered runbooks are published ({environment}, {secret}).
    runbook_url: str | None = None
    positions: Mapping[Path, Position] = field(default_factory=dict, repr=False, compare=False)

    def position(self, path: Path) -> Position:
        """The closest recorded position for a path, walking up to its parents."""
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return Position(1, 1)

    def secrets_in(self, env: str) -> list[Secret]:
        return [s for s in self.secrets.values() if env in s.environments]

    def service_in(self, name: str, env: str) -> Service:
        """Service ``name`` with its identity in ``env`` (per-environment settings applied)."""
        return self.services[name].in_env(env)

    def database_in(self, name: str, env: str) -> Database:
        """Database ``name`` as ``env`` reaches it (its own host, port, admin secret...)."""
        return self.databases[name].in_env(env)
