"""Turn schema-valid catalog data into the model.

Runs only after the JSON Schema passed, so shapes are trusted here; defaults that the
schema documents are applied in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seccat.catalog import waiver_targets
from seccat.catalog.durations import parse_duration
from seccat.catalog.model import (
    AwsAccount,
    Catalog,
    Consumer,
    Database,
    DatabaseConnection,
    DatabaseCredential,
    Environment,
    Generate,
    Kubernetes,
    OidcTrust,
    Path,
    Position,
    Rotation,
    Secret,
    Service,
    ServiceAws,
    ServiceIdentity,
    StackSettings,
    Team,
    Trust,
    VaultSettings,
    Vpc,
    Waiver,
)


def build_catalog(
    data: Mapping[str, Any],
    positions: Mapping[Path, Position] | None = None,
    source: str = "catalog.yaml",
) -> Catalog:
    env_names = tuple(data.get("environments", {}))
    shared = _Shared()
    return Catalog(
        version=int(data["version"]),
        teams={
            n: Team(n, t["contact"], owner_role=(t.get("aws") or {}).get("owner_role"))
            for n, t in data.get("teams", {}).items()
        },
        environments={n: _environment(n, e) for n, e in data.get("environments", {}).items()},
        services={n: _service(n, s) for n, s in data.get("services", {}).items()},
        databases={n: _database(n, d) for n, d in (data.get("databases") or {}).items()},
        secrets={i: _secret(i, s, env_names, shared) for i, s in data.get("secrets", {}).items()},
        waivers=tuple(_waiver(w, data, env_names) for w in data.get("waivers") or ()),
        source=source,
        stacks=StackSettings(
            mode=(data.get("stacks") or {}).get(
                "mode", "auto" if data.get("stacks") is not None else "single"
            ),
            budget=int((data.get("stacks") or {}).get("budget", 500)),
        ),
        runbook_url=(data.get("runbooks") or {}).get("url"),
        positions=positions if positions is not None else {},  # lazy table: no copy
    )


def _waiver(w: Mapping[str, Any], data: Mapping[str, Any], env_names: tuple[str, ...]) -> Waiver:
    """A waiver with its target resolved: ``prod/payments/partner-tls`` waives
    payments/partner-tls in prod only (validation made sure it names something)."""
    written = w["target"]
    names = data.get("secrets", {}).keys() | (data.get("services") or {}).keys()
    resolved = waiver_targets.resolve(written, names, env_names)
    environments = tuple(w.get("environments") or ())
    target = written
    if resolved is not None and resolved.environment is not None:
        target, environments = resolved.name, (resolved.environment,)
    return Waiver(
        rule=w["rule"],
        target=target,
        reason=w["reason"],
        expires=str(w["expires"]),
        approved_by=w["approved_by"],
        environments=environments,
        written_target=written if target != written else "",
    )


def _environment(name: str, e: Mapping[str, Any]) -> Environment:
    aws = e.get("aws")
    vault = e.get("vault") or {}
    audit = vault.get("audit") or {}
    return Environment(
        name=name,
        aws=AwsAccount(
            str(aws["account_id"]),
            aws["region"],
            trusted_accounts=tuple(aws.get("trusted_accounts") or ()),
        )
        if aws
        else None,
        protect=bool(e.get("protect", False)),
        detective_controls=bool(e.get("detective_controls", False)),
        shares_identities_with=tuple(e.get("shares_identities_with") or ()),
        vault=VaultSettings(
            kv_mount=vault.get("kv_mount", f"kv-{name}"),
            database_mount=vault.get("database_mount", f"database-{name}"),
            audit_type=audit.get("type", "file"),
            # Per-environment default, so environments sharing one Vault never collide.
            audit_path=audit.get("path", f"{audit.get('type', 'file')}-{name}"),
            audit_file_path=audit.get("file_path", "/var/log/openbao/audit.log"),
            # Per-environment defaults: a login signed or a token minted for one
            # environment's Vault is refused by another's.
            aws_auth_header=vault.get("aws_auth_header", f"seccat-{name}"),
            kubernetes_audience=vault.get("kubernetes_audience", f"vault-{name}"),
        ),
    )


def _trust(t: Mapping[str, Any]) -> Trust:
    oidc = t.get("oidc")
    return Trust(
        service=t.get("service"),
        role_arn=t.get("role_arn"),
        oidc=OidcTrust(
            provider_arn=oidc["provider_arn"],
            subjects=tuple(oidc["subjects"]),
            audience=oidc.get("audience", "sts.amazonaws.com"),
            repository_wildcards=bool(oidc.get("repository_wildcards", False)),
        )
        if oidc
        else None,
        without_source_keys=t.get("without_source_keys"),
    )


def _service_aws(aws: Mapping[str, Any] | None) -> ServiceAws | None:
    if not aws:
        return None
    return ServiceAws(
        trust=_trust(aws["trust"]) if aws.get("trust") else None,
        role_name=aws.get("role_name"),
        existing=bool(aws.get("existing", False)),
        reason=aws.get("reason"),
    )


def _kubernetes(k8s: Mapping[str, Any] | None) -> Kubernetes | None:
    return Kubernetes(k8s["namespace"], k8s["service_account"]) if k8s else None


def _service(name: str, s: Mapping[str, Any]) -> Service:
    return Service(
        name=name,
        team=s["team"],
        aws=_service_aws(s.get("aws")),
        kubernetes=_kubernetes(s.get("kubernetes")),
        environments={
            env: ServiceIdentity(
                aws=_service_aws(o.get("aws")), kubernetes=_kubernetes(o.get("kubernetes"))
            )
            for env, o in (s.get("environments") or {}).items()
        },
    )


def _vpc(vpc: Mapping[str, Any] | None) -> Vpc | None:
    return Vpc(tuple(vpc["subnet_ids"]), tuple(vpc["security_group_ids"])) if vpc else None


def _database(name: str, d: Mapping[str, Any]) -> Database:
    return Database(
        name=name,
        engine=d.get("engine", "postgresql"),
        host=d.get("host"),
        port=int(d.get("port", 5432)),
        database=d["database"],
        admin_secret=d.get("admin_secret"),
        vault_username=d.get("vault_username"),
        vpc=_vpc(d.get("vpc")),
        ssl_mode=d.get("ssl_mode", "require"),
        environments={
            env: DatabaseConnection(
                host=c.get("host"),
                port=int(c["port"]) if "port" in c else None,
                ssl_mode=c.get("ssl_mode"),
                admin_secret=c.get("admin_secret"),
                vault_username=c.get("vault_username"),
                vpc=_vpc(c.get("vpc")),
            )
            for env, c in (d.get("environments") or {}).items()
        },
        managed_in=d.get("managed_in"),
    )


#: An owner-rotated secret's reminder goes out this long before it is due, or half the
#: renewal interval before when that is shorter (a 14-day interval is reminded after 7 days).
DEFAULT_REMIND_SECONDS = 14 * 86400


def _rotation(r: Mapping[str, Any] | None) -> Rotation | None:
    if not r:
        return None
    every = r.get("every")
    window = r.get("window")
    every_seconds = parse_duration(every) if every else None
    by = r.get("by", "seccat")
    remind = r.get("remind")
    remind_seconds = None
    if by == "owner":
        if remind:
            remind_seconds = parse_duration(remind)
        elif every_seconds is not None:
            remind_seconds = min(DEFAULT_REMIND_SECONDS, every_seconds // 2)
    return Rotation(
        every=every,
        every_seconds=every_seconds,
        schedule=r.get("schedule"),
        window=window,
        window_seconds=parse_duration(window) if window else None,
        strategy=r.get("strategy", "single-user"),
        by=by,
        remind=remind,
        remind_seconds=remind_seconds,
    )


class _Shared:
    """Parts many secrets have alike (the same rotation, the same consumer, the default
    value shape), built once per catalog: they are frozen values, so sharing one object
    is the same as equal copies, and a 10,000-secret catalog has a few hundred distinct."""

    def __init__(self) -> None:
        self.rotations: dict[tuple[tuple[str, Any], ...], Rotation | None] = {}
        self.consumers: dict[tuple[str, str, tuple[str, ...]], Consumer] = {}
        self.default_generate = Generate()

    def rotation(self, r: Mapping[str, Any] | None) -> Rotation | None:
        if not r:
            return _rotation(r)
        key = tuple(r.items())
        try:
            found = self.rotations.get(key)
        except TypeError:  # an unhashable value: never in a schema-valid catalog
            return _rotation(r)
        if found is None:
            found = self.rotations[key] = _rotation(r)
        return found

    def consumer(self, c: Mapping[str, Any], envs: tuple[str, ...]) -> Consumer:
        service, access = c["service"], c.get("access", "read")
        environments = tuple(c.get("environments") or envs)
        key = (service, access, environments)
        found = self.consumers.get(key)
        if found is None:
            found = self.consumers[key] = Consumer(
                service=service, access=access, environments=environments
            )
        return found


def _generate(gen: Mapping[str, Any]) -> Generate:
    return Generate(
        length=int(gen.get("length", 32)),
        exclude_characters=gen.get("exclude_characters", ""),
        exclude_punctuation=bool(gen.get("exclude_punctuation", False)),
        require_each_included_type=bool(gen.get("require_each_included_type", True)),
    )


def _secret(
    secret_id: str,
    s: Mapping[str, Any],
    all_envs: tuple[str, ...],
    shared: _Shared,
) -> Secret:
    envs = tuple(s.get("environments") or all_envs)
    gen = s.get("generate")
    db = s.get("database")
    return Secret(
        id=secret_id,
        description=s.get("description", ""),
        owner=s["owner"],
        type=s["type"],
        store=s["store"],
        classification=s["classification"],
        compliance=tuple(s.get("compliance") or ()),
        environments=envs,
        rotation=shared.rotation(s.get("rotation")),
        consumers=tuple([shared.consumer(c, envs) for c in s.get("consumers") or ()]),
        lifecycle=s.get("lifecycle", "active"),
        sunset=str(s["sunset"]) if s.get("sunset") is not None else None,
        replicas=tuple(s.get("replicas") or ()),
        generate=_generate(gen) if gen else shared.default_generate,
        database=DatabaseCredential(
            database=db["database"],
            username=db["username"],
            alternate_username=db.get("alternate_username"),
        )
        if db
        else None,
        shard=s.get("shard"),
    )
