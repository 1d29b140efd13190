"""Turn schema-valid catalog data into the model.

Runs only after the JSON Schema passed, so shapes are trusted here; defaults that the
schema documents are applied in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seccat.catalog.durations import parse_duration
from seccat.catalog.model import (
    AwsAccount,
    Catalog,
    Consumer,
    Database,
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
    return Catalog(
        version=int(data["version"]),
        teams={n: Team(n, t["contact"]) for n, t in data.get("teams", {}).items()},
        environments={n: _environment(n, e) for n, e in data.get("environments", {}).items()},
        services={n: _service(n, s) for n, s in data.get("services", {}).items()},
        databases={n: _database(n, d) for n, d in (data.get("databases") or {}).items()},
        secrets={i: _secret(i, s, env_names) for i, s in data.get("secrets", {}).items()},
        waivers=tuple(
            Waiver(
                rule=w["rule"],
                target=w["target"],
                reason=w["reason"],
                expires=str(w["expires"]),
                approved_by=w["approved_by"],
            )
            for w in data.get("waivers") or ()
        ),
        source=source,
        positions=positions if positions is not None else {},  # lazy table: no copy
    )


def _environment(name: str, e: Mapping[str, Any]) -> Environment:
    aws = e.get("aws")
    vault = e.get("vault") or {}
    audit = vault.get("audit") or {}
    return Environment(
        name=name,
        aws=AwsAccount(str(aws["account_id"]), aws["region"]) if aws else None,
        protect=bool(e.get("protect", False)),
        detective_controls=bool(e.get("detective_controls", False)),
        vault=VaultSettings(
            kv_mount=vault.get("kv_mount", f"kv-{name}"),
            database_mount=vault.get("database_mount", f"database-{name}"),
            audit_type=audit.get("type", "file"),
            # Per-environment default, so environments sharing one Vault never collide.
            audit_path=audit.get("path", f"{audit.get('type', 'file')}-{name}"),
            audit_file_path=audit.get("file_path", "/var/log/openbao/audit.log"),
        ),
    )


def _service(name: str, s: Mapping[str, Any]) -> Service:
    aws = s.get("aws")
    k8s = s.get("kubernetes")
    trust = None
    if aws and aws.get("trust"):
        t = aws["trust"]
        oidc = t.get("oidc")
        trust = Trust(
            service=t.get("service"),
            role_arn=t.get("role_arn"),
            oidc=OidcTrust(
                provider_arn=oidc["provider_arn"],
                subjects=tuple(oidc["subjects"]),
                audience=oidc.get("audience", "sts.amazonaws.com"),
            )
            if oidc
            else None,
        )
    return Service(
        name=name,
        team=s["team"],
        aws=ServiceAws(trust=trust, role_name=aws.get("role_name")) if aws else None,
        kubernetes=Kubernetes(k8s["namespace"], k8s["service_account"]) if k8s else None,
    )


def _database(name: str, d: Mapping[str, Any]) -> Database:
    vpc = d.get("vpc")
    return Database(
        name=name,
        engine=d.get("engine", "postgresql"),
        host=d["host"],
        port=int(d.get("port", 5432)),
        database=d["database"],
        admin_secret=d.get("admin_secret"),
        vault_username=d.get("vault_username"),
        vpc=Vpc(tuple(vpc["subnet_ids"]), tuple(vpc["security_group_ids"])) if vpc else None,
        ssl_mode=d.get("ssl_mode", "require"),
    )


def _rotation(r: Mapping[str, Any] | None) -> Rotation | None:
    if not r:
        return None
    every = r.get("every")
    window = r.get("window")
    return Rotation(
        every=every,
        every_seconds=parse_duration(every) if every else None,
        schedule=r.get("schedule"),
        window=window,
        window_seconds=parse_duration(window) if window else None,
        strategy=r.get("strategy", "single-user"),
    )


def _secret(secret_id: str, s: Mapping[str, Any], all_envs: tuple[str, ...]) -> Secret:
    envs = tuple(s.get("environments") or all_envs)
    gen = s.get("generate") or {}
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
        rotation=_rotation(s.get("rotation")),
        consumers=tuple(
            Consumer(
                service=c["service"],
                access=c.get("access", "read"),
                environments=tuple(c.get("environments") or envs),
            )
            for c in s.get("consumers") or ()
        ),
        lifecycle=s.get("lifecycle", "active"),
        sunset=str(s["sunset"]) if s.get("sunset") is not None else None,
        replicas=tuple(s.get("replicas") or ()),
        generate=Generate(
            length=int(gen.get("length", 32)),
            exclude_characters=gen.get("exclude_characters", ""),
            exclude_punctuation=bool(gen.get("exclude_punctuation", False)),
            require_each_included_type=bool(gen.get("require_each_included_type", True)),
        ),
        database=DatabaseCredential(
            database=db["database"],
            username=db["username"],
            alternate_username=db.get("alternate_username"),
        )
        if db
        else None,
    )
