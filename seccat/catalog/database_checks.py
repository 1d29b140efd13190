"""Which server each environment's database logins live on, and who manages each login.

A catalog database names one logical database; each environment reaches it through its own
connection (``databases.<name>.environments.<env>``), falling back to the shared settings.

A PostgreSQL login belongs to a whole cluster, not to one database in it, so the checks here
look at servers (effective host and port), across catalog databases:

* a login is *managed* where something seccat deploys changes it or holds admin power over
  it: the rotation function of an ``aws-secretsmanager`` ``type: database`` secret
  (``username``, and for alternating users the second login too), a Vault static role
  (``username``), and the Vault connection every ``vault-database`` secret needs (Vault's
  admin login ``vault_username``: CREATEROLE, ``rotate-root``; dynamic roles create and drop
  a login per lease through it). A retired secret manages nothing (seccat removes its
  rotation).
* one server, one managing environment: logins on a server are managed from at most one
  environment, so a dev rotation can never change, create or drop a login on a server
  another environment uses. A server several environments share is declared with
  ``managed_in: <env>``, and only that environment may then have database secrets on it.
* one login, one manager: within an environment, two secrets (or a secret and a Vault
  connection) managing the same login on the same server would undo each other's rotations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seccat.catalog.reporting import Report
from seccat.catalog.yamlsource import RawPath

#: Connection settings an environment may set for itself.
CONNECTION_KEYS = ("host", "port", "ssl_mode", "admin_secret", "vault_username", "vpc")
DEFAULT_PORT = 5432
#: What the rotation function appends to ``username`` for the alternating login when the
#: catalog sets no ``alternate_username`` (functions/rotation/postgres.py).
CLONE_SUFFIX = "_clone"
#: TLS modes the rotation function implements (functions/rotation/postgres.py, pg8000 has
#: no libpq): the others would pass validation and fail at the first rotation.
ROTATION_SSL_MODES = ("disable", "require", "verify-full")
#: Stores whose ``type: database`` secrets manage a login (vault-kv never holds one).
_MANAGING_STORES = ("aws-secretsmanager", "vault-database")


def connection(db: dict[str, Any], env: str) -> dict[str, Any]:
    """The raw connection settings ``env`` uses: its own, else the shared ones."""
    own = (db.get("environments") or {}).get(env) or {}
    return {k: own[k] if k in own else db.get(k) for k in CONNECTION_KEYS}


def setting_path(path: RawPath, db: dict[str, Any], env: str, key: str) -> RawPath:
    """Where ``key`` of ``env``'s connection was written (its own block, else the shared)."""
    own = (db.get("environments") or {}).get(env) or {}
    return (*path, "environments", env, key) if key in own else (*path, key)


def managing_envs(db: dict[str, Any], envs: list[str]) -> list[str]:
    """The environments of ``envs`` allowed to manage logins of ``db`` (``managed_in``)."""
    owner = db.get("managed_in")
    return [e for e in envs if owner is None or e == owner]


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
        if "admin_secret" in db:
            _check_admin_secret(report, (*path, "admin_secret"), name, db["admin_secret"], secrets)
        for env, own in (db.get("environments") or {}).items():
            if "admin_secret" not in own:
                continue
            where = (*path, "environments", env, "admin_secret")
            if _check_admin_secret(report, where, name, own["admin_secret"], secrets):
                _check_admin_in_env(report, where, own["admin_secret"], env, secrets, envs)


def _check_admin_secret(
    report: Report, where: RawPath, db_name: str, admin: str, secrets: dict[str, Any]
) -> bool:
    """True when ``admin`` is a well-formed admin secret for ``db_name``."""
    if not report.reference(where, "secret", admin, secrets):
        return False
    target = secrets[admin]
    if target is None:  # the admin secret has schema errors of its own
        return False
    problem = admin_fault(admin, target, db_name)
    if problem is not None:
        report.at_value(where, problem, "DATABASE")
        return False
    return True


def admin_fault(admin: str, target: dict[str, Any], db_name: str) -> str | None:
    """Why secret ``admin`` (schema-valid: ``target``) cannot be ``db_name``'s admin login,
    or None. A faulty admin secret is reported once, where it is named; no other check
    reports the same admin secret again (semantics._admin_missing skips it)."""
    if target["store"] != "aws-secretsmanager" or target["type"] != "database":
        return (
            f"admin_secret '{admin}' must be an aws-secretsmanager secret of type database "
            f"(it is {target['store']}, type {target['type']})"
        )
    holds = (target.get("database") or {}).get("database")
    if holds != db_name:
        return f"admin_secret '{admin}' holds a login for database '{holds}', not '{db_name}'"
    return None


def _check_admin_in_env(
    report: Report,
    where: RawPath,
    admin: str,
    env: str,
    secrets: dict[str, Any],
    envs: dict[str, Any],
) -> None:
    """An environment's own admin secret must exist in that environment."""
    if env not in envs:
        return
    admin_envs = secrets[admin].get("environments")
    if admin_envs is None or env in admin_envs:
        return
    report.at_value(
        where,
        f"admin_secret '{admin}' does not exist in environment '{env}' (its environments: "
        f"{', '.join(admin_envs)}): add '{env}' to its environments or name an admin "
        f"secret of '{env}' (databases.<name>.environments.{env}.admin_secret)",
        "DATABASE",
    )


def check_login_host(
    report: Report, where: RawPath, db_name: str, db: dict[str, Any], envs: list[str]
) -> None:
    """Every environment a database login exists in must reach the database somewhere. One
    diagnostic per login, naming every environment without a host (one missing shared host
    is one mistake, however many environments it leaves out)."""
    missing = [env for env in envs if connection(db, env)["host"] is None]
    if len(missing) == 1:
        env = missing[0]
        report.at_value(
            where,
            f"database '{db_name}' has no host for environment '{env}' (set "
            f"databases.{db_name}.environments.{env}.host, or a shared host)",
            "DATABASE",
        )
    elif missing:
        report.at_value(
            where,
            f"database '{db_name}' has no host for environments {_names(missing)} (give "
            f"each a server of its own: databases.{db_name}.environments.<env>.host)",
            "DATABASE",
        )


@dataclass(frozen=True)
class Login:
    """One PostgreSQL login that something an environment deploys manages on one server."""

    env: str
    server: tuple[str, int]
    username: str
    #: Who manages it, for messages: "secret 'a/b'" or "the Vault connection of ...".
    manager: str
    database: str
    #: Where to report a problem with this login, and where its name was written.
    where: RawPath
    name_at: RawPath
    #: Where the host this environment uses was written.
    host_at: RawPath


def check_logins(report: Report, view: dict[str, Any]) -> None:
    """``managed_in``, one managing environment per server, one manager per login, and what
    each environment's rotation functions need of their server."""
    databases, envs, secrets = view["databases"], view["environments"], view["secrets"]
    logins: list[Login] = []
    done: set[tuple[str, str, str]] = set()  # (check, database, environment) done once
    conns: dict[tuple[str, str], dict[str, Any]] = {}
    #: where an unusable ssl_mode was written -> (the mode, environments rotating with it)
    bad_tls: dict[RawPath, tuple[str, list[str]]] = {}
    for secret_id, secret in secrets.items():
        if not _manages_a_login(secret):
            continue
        db_name = secret["database"]["database"]
        db = databases.get(db_name)
        if db is None:
            continue
        path: RawPath = ("secrets", secret_id)
        secret_envs = [e for e in secret.get("environments") or list(envs) if e in envs]
        allowed = managing_envs(db, secret_envs)
        if len(allowed) < len(secret_envs) and db["managed_in"] in envs:
            _report_unmanaged(report, path, secret, db_name, db["managed_in"], secret_envs)
        for env in allowed:
            key = (db_name, env)
            if key not in conns:
                conns[key] = connection(db, env)
            conn = conns[key]
            if conn["host"] is None:  # check_login_host reports it
                continue
            server = (conn["host"], conn["port"] or DEFAULT_PORT)
            where = _env_where(path, secret, env)
            host_at = setting_path(("databases", db_name), db, env, "host")
            manager = f"secret '{secret_id}'"
            for username, name_at in _usernames(path, secret):
                logins.append(
                    Login(env, server, username, manager, db_name, where, name_at, host_at)
                )
            # every vault-database secret needs its environment's Vault connection
            admin, once = conn["vault_username"], ("vault", db_name, env)
            if secret["store"] == "vault-database" and admin is not None and once not in done:
                done.add(once)
                name_at = setting_path(("databases", db_name), db, env, "vault_username")
                vault = f"the Vault connection of database '{db_name}'"
                logins.append(Login(env, server, admin, vault, db_name, where, name_at, host_at))
            mode = conn["ssl_mode"] or "require"
            if secret["store"] == "aws-secretsmanager" and mode not in ROTATION_SSL_MODES:
                at = setting_path(("databases", db_name), db, env, "ssl_mode")
                bad_tls.setdefault(at, (mode, []))
                if env not in bad_tls[at][1]:
                    bad_tls[at][1].append(env)
    _check_servers(report, logins, list(envs))
    _check_one_manager(report, logins)
    _report_rotation_tls(report, bad_tls, list(envs))


def _report_rotation_tls(
    report: Report, bad_tls: dict[RawPath, tuple[str, list[str]]], env_order: list[str]
) -> None:
    """An aws-secretsmanager rotation function needs a TLS mode it implements: one
    diagnostic per ssl_mode written, naming every environment whose rotations would use it.
    (Whether the admin secret it reads exists there is semantics._admin_missing's.)"""
    rank = {env: i for i, env in enumerate(env_order)}
    for at, (mode, used_in) in bad_tls.items():
        ordered = sorted(used_in, key=rank.__getitem__)
        there = "there" if len(ordered) == 1 else "in each"
        report.at_value(
            at,
            f"ssl_mode {mode} is not one the rotation function supports in {_names(ordered)} "
            f"({', '.join(ROTATION_SSL_MODES)}); it has aws-secretsmanager logins {there}",
            "DATABASE",
        )


def _manages_a_login(secret: dict[str, Any] | None) -> bool:
    return (
        secret is not None
        and secret["type"] == "database"
        and secret["store"] in _MANAGING_STORES
        and secret.get("database") is not None
        and secret.get("lifecycle", "active") != "retired"
    )


def _usernames(path: RawPath, secret: dict[str, Any]) -> list[tuple[str, RawPath]]:
    """The logins a secret's rotation changes: a Vault dynamic role changes none (each lease
    is a fresh login; its Vault connection is counted on its own)."""
    login = secret["database"]
    rotation = secret.get("rotation") or {}
    strategy = rotation.get("strategy", "single-user")
    lpath = (*path, "database")
    if strategy == "dynamic":
        return []
    names = [(login["username"], (*lpath, "username"))]
    if strategy == "alternating-users":
        if "alternate_username" in login:
            names.append((login["alternate_username"], (*lpath, "alternate_username")))
        else:
            names.append((login["username"] + CLONE_SUFFIX, (*lpath, "username")))
    return names


def _env_where(path: RawPath, secret: dict[str, Any], env: str) -> RawPath:
    """Where a secret puts a login in ``env``: its environments entry, else its database."""
    listed = secret.get("environments")
    if listed is not None and env in listed:
        return (*path, "environments", str(listed.index(env)))
    return (*path, "database", "database")


def _report_unmanaged(
    report: Report,
    path: RawPath,
    secret: dict[str, Any],
    db_name: str,
    owner: str,
    secret_envs: list[str],
) -> None:
    shared = (
        f"database '{db_name}' is shared by several environments and only '{owner}' manages "
        f"its logins (managed_in: {owner})"
    )
    others = [e for e in secret_envs if e != owner]
    if secret.get("environments") is None:
        report.at_value(
            (*path, "database", "database"),
            f"{shared}, but this secret's environments default to all and include "
            f"{_names(others)}: set environments: [{owner}], or give "
            f"{'them' if len(others) > 1 else 'it'} a database entry with a server of "
            f"{'their' if len(others) > 1 else 'its'} own",
            "DATABASE",
        )
        return
    for env in others:
        report.at_value(
            _env_where(path, secret, env),
            f"{shared}, so this secret may not manage one in '{env}': remove '{env}' from its "
            f"environments, or give '{env}' a database entry with a server of its own",
            "DATABASE",
        )


def _names(envs: list[str]) -> str:
    quoted = [f"'{e}'" for e in envs]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _check_servers(report: Report, logins: list[Login], env_order: list[str]) -> None:
    """At most one environment manages logins on a server. Each environment after the first
    is paired with the first; pairs found at the same place for the same login (one secret in
    every environment of a shared host) are one mistake, reported once naming them all."""
    by_server: dict[tuple[str, int], dict[str, list[Login]]] = {}
    for login in logins:
        by_server.setdefault(login.server, {}).setdefault(login.env, []).append(login)
    rank = {env: i for i, env in enumerate(env_order)}
    for server, per_env in by_server.items():
        if len(per_env) < 2:
            continue
        first_env, *others = sorted(per_env, key=rank.__getitem__)
        first = per_env[first_env]
        # (where, shared login or None) -> the first environment's login, the others' logins
        groups: dict[tuple[RawPath, str | None], tuple[Login, list[Login]]] = {}
        for env in others:
            here = per_env[env]
            shared = {x.username for x in first} & {x.username for x in here}
            name = min(shared) if shared else None
            a = next(x for x in first if name is None or x.username == name)
            b = next(x for x in here if name is None or x.username == name)
            groups.setdefault((b.where, name), (a, []))[1].append(b)
        for (where, name), (a, bs) in groups.items():
            _report_server(report, server, name, a, bs, where)


def _report_server(
    report: Report,
    server: tuple[str, int],
    name: str | None,
    a: Login,
    bs: list[Login],
    where: RawPath,
) -> None:
    """One error: ``a``'s environment and every environment of ``bs`` manage logins on
    ``server`` (the same login ``name``, or different ones when None)."""
    envs = [a.env, *(b.env for b in bs)]
    managed_in = f"'{a.env}' and in '{bs[0].env}'" if len(bs) == 1 else _names(envs)
    sources = _sources(report, [a, *bs])
    if name is not None:
        other = "the other's password" if len(bs) == 1 else "the others' passwords"
        problem = (
            f"login '{name}' on {_server(server)} would be managed in {managed_in} "
            f"({sources}): a login belongs to the whole server, so each environment's "
            f"rotation would change {other}"
        )
    else:
        later = _names([b.env for b in bs])
        problem = (
            f"server {_server(server)} would have logins managed in {managed_in} "
            f"({sources}), so {later} could change, create or drop logins '{a.env}' uses"
        )
    db = bs[0].database  # one place in one secret: one catalog database
    env = bs[0].env if len(bs) == 1 else "<env>"
    report.at_value(
        where,
        f"{problem}; give each environment its own server (databases.{db}.environments."
        f"{env}.host) or declare the one environment that manages it "
        f"(databases.{a.database}.managed_in)",
        "DATABASE",
    )


def _server(server: tuple[str, int]) -> str:
    return f"{server[0]}:{server[1]}"


def _sources(report: Report, logins: list[Login]) -> str:
    """Who manages the login in each environment, and where each host was written."""
    both = "both" if len(logins) == 2 else "all"
    managers = [x.manager for x in logins]
    if len(set(managers)) == 1:
        who = f"{both} by {managers[0]}"
    elif len(logins) == 2:
        who = f"by {managers[0]} and {managers[1]}"
    else:
        who = "by " + ", ".join(f"{x.manager} in '{x.env}'" for x in logins)
    hosts = [x.host_at for x in logins]
    if len(set(hosts)) == 1:
        return f"{who}; {both} use host {_written(report, hosts[0])}"
    if len(logins) == 2:
        return f"{who}; hosts {_written(report, hosts[0])} and {_written(report, hosts[1])}"
    return f"{who}; hosts " + ", ".join(
        f"{_written(report, x.host_at)} in '{x.env}'" for x in logins
    )


def _written(report: Report, path: RawPath) -> str:
    pos = report.src.value_position(path)
    return f"{report.src.render(path)} at {report.src.file}:{pos.line}:{pos.column}"


def _check_one_manager(report: Report, logins: list[Login]) -> None:
    """Within one environment, one login on one server has one manager."""
    first: dict[tuple[str, tuple[str, int], str], Login] = {}
    reported: set[tuple[str, str, str]] = set()
    for login in logins:
        earlier = first.setdefault((login.env, login.server, login.username), login)
        pair = (earlier.manager, login.manager, login.username)
        if earlier.manager == login.manager or pair in reported:
            continue
        reported.add(pair)
        if earlier.database == login.database:
            place = f"database '{login.database}'"
        else:
            databases = f"databases '{earlier.database}' and '{login.database}'"
            place = f"{_server(login.server)} ({databases})"
        report.at_value(
            login.name_at,
            f"login '{login.username}' on {place} is already managed by {earlier.manager} "
            f"in '{login.env}'; two rotations of one login break each other",
            "DATABASE",
        )
