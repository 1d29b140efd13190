"""What the live environment should hold, read off the offline preview.

The preview is the program `pulumi up` runs, recorded under the mock monitor: the same
documents, names and settings. ``build_targets`` indexes it per catalog secret (where each
one lives in Secrets Manager or Vault, its rotation function, its superuser secret, who
consumes it) so every operations command, and anything that must attribute a live name or
path back to the catalog (events, lineage), asks one place.

API (stable; other commands build on it)::

    targets = build_targets(catalog, "prod", preview)
    targets.secrets["payments/orders-db-app"].aws.name   # "prod/payments/orders-db-app"
    targets.by_aws_name("prod/payments/orders-db-app")   # -> SecretTarget
    targets.by_vault_path("kv-prod/data/identity/jwt-signing-key")
    targets.expected(SECRET_TYPE)                        # recorded resources of a type
    targets.position(("secrets", "payments/orders-db-app", "rotation"))  # catalog line

``select_environments`` turns ``--stack``/``--all-stacks`` into environment names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from seccat.catalog.model import Catalog, Environment, Position, Secret
from seccat.documents import vault_layout as layout
from seccat.documents.iam import role_arn
from seccat.engine.preview import Preview
from seccat.engine.recording import RecordedResource
from seccat.operations.errors import OperationError

SECRET_TYPE = "aws:secretsmanager/secret:Secret"
SECRET_POLICY_TYPE = "aws:secretsmanager/secretPolicy:SecretPolicy"
ROTATION_TYPE = "aws:secretsmanager/secretRotation:SecretRotation"
FUNCTION_TYPE = "aws:lambda/function:Function"
ROLE_TYPE = "aws:iam/role:Role"
ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy"
KMS_KEY_TYPE = "aws:kms/key:Key"
KMS_ALIAS_TYPE = "aws:kms/alias:Alias"

#: The tag (AWS) and custom-metadata key (Vault KV) an owner-rotated certificate's renewal
#: writes: its notAfter as ISO 8601 UTC (``2027-03-31T23:59:59Z``). `seccat status` reads it,
#: never the value.
NOT_AFTER_KEY = "seccat:not-after"
#: The tag `seccat rotate --incident ID` puts on a Secrets Manager secret it rotated.
INCIDENT_KEY = "seccat:incident"

VaultKind = Literal["kv", "static", "dynamic"]


@dataclass(frozen=True)
class AwsSecretTarget:
    """Where one catalog secret lives in Secrets Manager and what rotates it."""

    name: str
    region: str
    account_id: str
    #: The owning team's owner role: the identity allowed to rotate, roll back and tag.
    owner_role_arn: str | None
    #: Lambda rotation function (generated types only) and where it logs.
    rotation_function: str | None = None
    rotation_function_arn: str | None = None
    log_group: str | None = None
    #: Catalog id of the superuser secret its rotation function logs in with.
    master_secret: str | None = None
    replicas: tuple[str, ...] = ()

    @property
    def managed_rotation(self) -> bool:
        return self.rotation_function is not None


@dataclass(frozen=True)
class VaultSecretTarget:
    """Where one catalog secret lives in Vault/OpenBao."""

    kind: VaultKind
    mount: str
    #: KV: the secret's path inside the mount (its catalog id); database: the role name.
    name: str

    @property
    def read_path(self) -> str:
        """What a consumer reads: ``<kv>/data/<id>``, ``<db>/static-creds|creds/<role>``."""
        if self.kind == "kv":
            return f"{self.mount}/data/{self.name}"
        return f"{self.mount}/{'static-creds' if self.kind == 'static' else 'creds'}/{self.name}"

    @property
    def config_path(self) -> str:
        """Where its configuration lives: KV metadata or the database role."""
        if self.kind == "kv":
            return f"{self.mount}/metadata/{self.name}"
        return f"{self.mount}/{'static-roles' if self.kind == 'static' else 'roles'}/{self.name}"


@dataclass(frozen=True)
class SecretTarget:
    """One catalog secret in one environment."""

    id: str
    environment: str
    secret: Secret = field(repr=False)
    team: str
    #: Services that consume it here (any access), sorted.
    consumers: tuple[str, ...]
    aws: AwsSecretTarget | None = None
    vault: VaultSecretTarget | None = None

    @property
    def store(self) -> str:
        return self.secret.store

    @property
    def label(self) -> str:
        """``prod/payments/orders-db-app``: how reports name it."""
        return f"{self.environment}/{self.id}"


@dataclass
class EnvironmentTargets:
    catalog: Catalog = field(repr=False)
    environment: Environment
    preview: Preview = field(repr=False)
    secrets: dict[str, SecretTarget] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.environment.name

    def expected(self, type_token: str) -> list[RecordedResource]:
        """The custom resources of one type the program declares here, in preview order."""
        return [r for r in self.preview.resources if r.custom and r.type == type_token]

    def by_aws_name(self, name: str) -> SecretTarget | None:
        for target in self.secrets.values():
            if target.aws is not None and target.aws.name == name:
                return target
        return None

    def by_aws_arn(self, arn: str) -> SecretTarget | None:
        """The secret an ARN (with AWS's random suffix) names, in this environment."""
        parts = arn.split(":", 6)
        if len(parts) < 7 or parts[2] != "secretsmanager" or parts[5] != "secret":
            return None
        if parts[4] != (self.environment.aws.account_id if self.environment.aws else None):
            return None
        return self.by_aws_name(parts[6][:-7])

    def by_vault_path(self, path: str) -> SecretTarget | None:
        """The secret a Vault API path belongs to (data, metadata, creds, roles)."""
        path = path.strip("/").removeprefix("v1/")
        for target in self.secrets.values():
            v = target.vault
            if v is not None and path in (v.read_path, v.config_path):
                return target
        return None

    def position(self, path: tuple[str, ...]) -> Position:
        return self.catalog.position(path)

    def best_path(self, *candidates: tuple[str, ...]) -> tuple[str, ...]:
        """The first candidate written in the catalog (most specific first), else the last
        one, which ``position`` resolves to its closest written parent."""
        for path in candidates:
            if path in self.catalog.positions:
                return path
        return candidates[-1]

    def line_of(self, path: tuple[str, ...]) -> str:
        p = self.position(path)
        return f"{self.catalog.source}:{p.line}:{p.column}"


def select_environments(catalog: Catalog, stack: str | None, all_stacks: bool) -> list[str]:
    """``--stack ENV`` or ``--all-stacks`` (every catalog environment, in catalog order)."""
    if all_stacks and stack:
        raise OperationError("give either --stack or --all-stacks, not both")
    if all_stacks:
        return list(catalog.environments)
    if not stack:
        raise OperationError("name the environment with --stack ENV (or --all-stacks)")
    if stack not in catalog.environments:
        known = ", ".join(sorted(catalog.environments)) or "none"
        raise OperationError(
            f"stack {stack!r} names no environment in {catalog.source} (known: {known})"
        )
    return [stack]


def build_targets(catalog: Catalog, env_name: str, preview: Preview) -> EnvironmentTargets:
    """Index ``preview`` (the program run for ``env_name``) per catalog secret."""
    env = catalog.environments[env_name]
    targets = EnvironmentTargets(catalog, env, preview)
    by_ref: dict[tuple[str, str], list[RecordedResource]] = {}
    for r in preview.resources:
        if r.custom and r.catalog_ref and len(r.catalog_ref) >= 2:
            by_ref.setdefault((r.catalog_ref[0], r.catalog_ref[1]), []).append(r)
    aws_names: dict[str, str] = {}
    for r in preview.resources:
        if r.type == SECRET_TYPE and r.catalog_ref and r.catalog_ref[0] == "secrets":
            aws_names[str(r.inputs.get("name"))] = r.catalog_ref[1]
    for secret in sorted(catalog.secrets_in(env_name), key=lambda s: s.id):
        resources = by_ref.get(("secrets", secret.id), [])
        consumers = tuple(sorted({c.service for c in secret.consumers_in(env_name)}))
        targets.secrets[secret.id] = SecretTarget(
            id=secret.id,
            environment=env_name,
            secret=secret,
            team=secret.owner,
            consumers=consumers,
            aws=_aws_target(catalog, env, secret, resources, aws_names),
            vault=_vault_target(env, secret),
        )
    return targets


def _one(resources: Iterable[RecordedResource], type_token: str) -> RecordedResource | None:
    found = [r for r in resources if r.type == type_token]
    return found[0] if len(found) == 1 else None


def _aws_target(
    catalog: Catalog,
    env: Environment,
    secret: Secret,
    resources: list[RecordedResource],
    aws_names: dict[str, str],
) -> AwsSecretTarget | None:
    if secret.store != "aws-secretsmanager" or env.aws is None:
        return None
    recorded = _one(resources, SECRET_TYPE)
    if recorded is None:
        return None
    team = catalog.teams.get(secret.owner)
    owner = role_arn(env.aws.account_id, team.owner_role) if team and team.owner_role else None
    function = _one(resources, FUNCTION_TYPE)
    name = master = log_group = function_arn = None
    if function is not None:
        name = str(function.inputs.get("name"))
        function_arn = f"arn:aws:lambda:{env.aws.region}:{env.aws.account_id}:function:{name}"
        logging_config = function.inputs.get("loggingConfig") or {}
        log_group = logging_config.get("logGroup") if isinstance(logging_config, dict) else None
        variables = (function.inputs.get("environment") or {}).get("variables") or {}
        master_arn = variables.get("SECCAT_DB_MASTER_SECRET_ARN")
        if isinstance(master_arn, str) and ":secret:" in master_arn:
            master = aws_names.get(master_arn.split(":secret:", 1)[1][:-7])
    replicas = tuple(
        str(r.get("region")) for r in recorded.inputs.get("replicas") or [] if isinstance(r, dict)
    )
    return AwsSecretTarget(
        name=str(recorded.inputs.get("name")),
        region=env.aws.region,
        account_id=env.aws.account_id,
        owner_role_arn=owner,
        rotation_function=name,
        rotation_function_arn=function_arn,
        log_group=str(log_group) if log_group else None,
        master_secret=master,
        replicas=replicas,
    )


def _vault_target(env: Environment, secret: Secret) -> VaultSecretTarget | None:
    if secret.store == "vault-kv":
        return VaultSecretTarget("kv", layout.kv_mount(env), secret.id)
    if secret.store == "vault-database":
        kind: VaultKind = "static" if layout.database_strategy(secret) == "static" else "dynamic"
        return VaultSecretTarget(
            kind, layout.database_mount(env), layout.database_role_name(secret.id)
        )
    return None
