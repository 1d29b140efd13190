"""Which server each environment's database logins live on.

A catalog database names one logical database; each environment reaches it through its own
connection (``databases.<name>.environments.<env>``), falling back to the shared settings.
"""

from __future__ import annotations

from typing import Any

from seccat.catalog.reporting import Report
from seccat.catalog.yamlsource import RawPath

#: Connection settings an environment may set for itself.
CONNECTION_KEYS = ("host", "port", "ssl_mode", "admin_secret", "vault_username", "vpc")


def connection(db: dict[str, Any], env: str) -> dict[str, Any]:
    """The raw connection settings ``env`` uses: its own, else the shared ones."""
    own = (db.get("environments") or {}).get(env) or {}
    return {k: own[k] if k in own else db.get(k) for k in CONNECTION_KEYS}


def setting_path(path: RawPath, db: dict[str, Any], env: str, key: str) -> RawPath:
    """Where ``key`` of ``env``'s connection was written (its own block, else the shared)."""
    own = (db.get("environments") or {}).get(env) or {}
    return (*path, "environments", env, key) if key in own else (*path, key)


def check_databases(report: Report, view: dict[str, Any]) -> None:
    databases, envs, secrets = view["databases"], view["environments"], view["secrets"]
    for name, db in databases.items():
        if db is None:
            continue
        path: RawPath = ("databases", name)
        for env in db.get("environments") or {}:
            report.reference_key((*path, "environments", env), "environment", env, envs)
        if "managed_in" in db:
            report.reference((*path, "managed_in"), "environment", db["managed_in"], envs)
        admins = [((*path, "admin_secret"), db["admin_secret"])] if "admin_secret" in db else []
        for env, own in (db.get("environments") or {}).items():
            if "admin_secret" in own:
                admins.append(((*path, "environments", env, "admin_secret"), own["admin_secret"]))
        for where, admin in admins:
            _check_admin_secret(report, where, name, admin, secrets)


def _check_admin_secret(
    report: Report, where: RawPath, db_name: str, admin: str, secrets: dict[str, Any]
) -> None:
    if not report.reference(where, "secret", admin, secrets):
        return
    target = secrets[admin]
    if target is None:  # the admin secret has schema errors of its own
        return
    if target["store"] != "aws-secretsmanager" or target["type"] != "database":
        report.at_value(
            where,
            f"admin_secret '{admin}' must be an aws-secretsmanager secret of type database "
            f"(it is {target['store']}, type {target['type']})",
            "DATABASE",
        )
    elif target.get("database", {}).get("database") != db_name:
        report.at_value(
            where,
            f"admin_secret '{admin}' holds a login for database "
            f"'{target.get('database', {}).get('database')}', not '{db_name}'",
            "DATABASE",
        )


def check_login_host(
    report: Report, where: RawPath, db_name: str, db: dict[str, Any], envs: list[str]
) -> None:
    """Every environment a database login exists in must reach the database somewhere."""
    for env in envs:
        if connection(db, env)["host"] is None:
            report.at_value(
                where,
                f"database '{db_name}' has no host for environment '{env}' (set "
                f"databases.{db_name}.environments.{env}.host, or a shared host)",
                "DATABASE",
            )
