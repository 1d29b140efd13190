"""The validated catalog as immutable values.

Everything downstream (components, document generators, rules, reports) reads only these
types, never raw YAML, so a catalog that reached this point is known to be well formed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

SecretType = Literal["api-key", "password", "database", "certificate", "generic"]
Store = Literal["aws-secretsmanager", "vault-kv", "vault-database"]
Classification = Literal["public", "internal", "confidential", "restricted"]
Lifecycle = Literal["active", "deprecated", "retired"]
Strategy = Literal["single-user", "alternating-users", "static", "dynamic"]
Access = Literal["read", "write"]

#: Types whose value seccat generates; the others are issued by someone else and filled by
#: their owner.
GENERATED_TYPES: frozenset[str] = frozenset({"api-key", "password", "database"})

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


@dataclass(frozen=True)
class AwsAccount:
    account_id: str
    region: str


@dataclass(frozen=True)
class VaultSettings:
    """Where an environment's secrets live in Vault/OpenBao."""

    kv_mount: str
    database_mount: str
    audit_type: str = "file"
    audit_path: str = "file"
    audit_file_path: str = "/var/log/openbao/audit.log"


@dataclass(frozen=True)
class Environment:
    name: str
    aws: AwsAccount | None
    protect: bool
    detective_controls: bool
    vault: VaultSettings


@dataclass(frozen=True)
class OidcTrust:
    provider_arn: str
    subjects: tuple[str, ...]
    audience: str = "sts.amazonaws.com"


@dataclass(frozen=True)
class Trust:
    """Who may assume a service's role: exactly one of the three is set."""

    service: str | None = None
    role_arn: str | None = None
    oidc: OidcTrust | None = None


@dataclass(frozen=True)
class ServiceAws:
    trust: Trust | None
    role_name: str | None = None  # attach to an existing role instead of creating one


@dataclass(frozen=True)
class Kubernetes:
    namespace: str
    service_account: str


@dataclass(frozen=True)
class Service:
    name: str
    team: str
    aws: ServiceAws | None
    kubernetes: Kubernetes | None


@dataclass(frozen=True)
class Vpc:
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class Database:
    """A database server whose credentials seccat rotates. Never holds a password."""

    name: str
    engine: Literal["postgresql"]
    host: str
    port: int
    database: str
    #: Catalog id of the secret holding admin credentials (AWS rotation, alternating users).
    admin_secret: str | None
    #: Admin username Vault connects as; its password comes from Pulumi secret config.
    vault_username: str | None
    vpc: Vpc | None
    ssl_mode: str = "require"


@dataclass(frozen=True)
class Rotation:
    """Exactly one of ``every`` and ``schedule`` is set (validation guarantees it)."""

    every: str | None = None
    every_seconds: int | None = None
    schedule: str | None = None
    window: str | None = None
    window_seconds: int | None = None
    strategy: Strategy = "single-user"


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
    #: Usernames used by the alternating-users strategy; defaults to ``username`` + _a/_b.
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

    @property
    def generated(self) -> bool:
        return self.type in GENERATED_TYPES

    def consumers_in(self, env: str) -> tuple[Consumer, ...]:
        return tuple(c for c in self.consumers if env in c.environments)


@dataclass(frozen=True)
class Waiver:
    rule: str
    target: str
    reason: str
    expires: str
    approved_by: str


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
