"""Checks the JSON Schema cannot express: references, lifecycles, rotation rules.

Runs on schema-valid data only, so shapes are trusted and every check can be a plain
lookup; the whole pass is linear in the size of the catalog.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

from seccat.catalog import waiver_targets
from seccat.catalog.alphabets import ALPHABETS, matches
from seccat.catalog.database_checks import (
    CLONE_SUFFIX,
    admin_fault,
    check_databases,
    check_login_host,
    check_logins,
    connection,
    managing_envs,
)
from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.durations import parse_duration
from seccat.catalog.generate_checks import check_generate
from seccat.catalog.identity_checks import check_services, identity
from seccat.catalog.model import ISSUED_TYPES
from seccat.catalog.reporting import Report
from seccat.catalog.schedule import DAY, HOUR, Schedule, ScheduleError, parse_schedule
from seccat.catalog.yamlsource import RawPath, Source

#: Secrets Manager refuses rotation more often than every 4 hours or less often than
#: every 1,000 days, and a rotation window (Duration) over 24 hours.
AWS_MIN_INTERVAL = 4 * HOUR
AWS_MAX_INTERVAL = 1000 * DAY
MAX_WINDOW = 24 * HOUR
#: PostgreSQL truncates identifiers at 63 bytes; the alternating login appends "_clone".
PG_MAX_IDENTIFIER = 63

_STRATEGIES_BY_STORE = {
    "aws-secretsmanager": ("single-user", "alternating-users"),
    "vault-kv": ("single-user",),
    "vault-database": ("static", "dynamic"),
}


_SECTIONS = ("teams", "environments", "services", "databases", "secrets")

#: Vault settings whose default is made from the environment's name (build.py), and the
#: alphabet each must still belong to: an environment named 'dev-' would otherwise get
#: the header 'seccat-dev-', which the renderer refuses.
DEFAULT_VAULT_NAMES = {
    "kv_mount": "kv-{env}",
    "database_mount": "database-{env}",
    "aws_auth_header": "seccat-{env}",
    "kubernetes_audience": "vault-{env}",
}
ALPHABET_OF = {
    "kv_mount": "mount",
    "database_mount": "mount",
    "aws_auth_header": "header_value",
    "kubernetes_audience": "k8s_audience",
}


#: A catalog spells its durations with a handful of strings ("30d", "3h"), thousands of times.
_seconds = lru_cache(maxsize=1024)(parse_duration)


class _Memo:
    """What one pass works out once and asks again for every secret: the identity verdict
    of a consumer (service, store, environments) and a database's connection in an
    environment. Plain dicts, kept for one ``semantic_diagnostics`` call only."""

    def __init__(self) -> None:
        self.consumer: dict[tuple[str, str, tuple[str, ...]], str | None] = {}
        self.connection: dict[tuple[str, str], dict[str, Any]] = {}


def semantic_diagnostics(
    data: dict[str, Any],
    src: Source,
    silenced: Callable[[RawPath], bool] = lambda path: False,
    broken: set[RawPath] = frozenset(),  # type: ignore[assignment]
) -> list[Diagnostic]:
    """Every semantic problem in catalog data.

    ``broken`` holds the paths of sections (``("secrets",)``) and entities
    (``("secrets", id)``) with schema errors. Broken entities are not checked but their
    names still count as defined; references into a broken section are not checked.
    """
    report = Report(src, silenced)
    view: dict[str, Any] = {}
    for section in _SECTIONS:
        raw = data.get(section)
        if not isinstance(raw, dict) or (section,) in broken:
            view[section] = {}
            report.unchecked.add(section)
            continue
        view[section] = {
            name: value if isinstance(value, dict) and (section, name) not in broken else None
            for name, value in raw.items()
        }
    waivers = data.get("waivers")
    secrets = view["secrets"]
    runbooks = data.get("runbooks")
    if isinstance(runbooks, dict) and ("runbooks",) not in broken:
        url = runbooks.get("url")
        if isinstance(url, str) and "{secret}" not in url:
            report.at_value(
                ("runbooks", "url"),
                "the runbook URL needs {secret} where each runbook's name goes (one runbook "
                "per secret)",
                "RUNBOOK",
            )

    check_teams(report, view)
    check_environments(report, view)
    check_services(report, view)
    check_databases(report, view)

    memo = _Memo()
    for secret_id, secret in secrets.items():
        if secret is not None:
            _check_secret(report, secret_id, secret, view, memo)
            check_generate(report, ("secrets", secret_id), secret)
    check_logins(report, view)

    if isinstance(waivers, list) and ("waivers",) not in broken:
        for i, waiver in enumerate(waivers):
            path = ("waivers", str(i))
            if path in broken or not isinstance(waiver, dict):
                continue
            _check_date(report, (*path, "expires"), waiver["expires"])
            if not {"secrets", "services"} & report.unchecked:
                _check_waiver_target(report, path, waiver, view)
            for j, env in enumerate(waiver.get("environments") or ()):
                report.reference(
                    (*path, "environments", str(j)), "environment", env, view["environments"]
                )
    return report.out


def _check_waiver_target(
    report: Report, path: RawPath, waiver: dict[str, Any], view: dict[str, Any]
) -> None:
    """A target names one secret or service, plainly or as ``<env>/<id>`` (that environment
    only, so a waiver's ``environments`` must include it when it lists any)."""
    target = waiver["target"]
    names = view["secrets"].keys() | view["services"].keys()
    envs = view["environments"]
    resolved = waiver_targets.resolve(target, names, envs)
    if resolved is None:
        close = waiver_targets.suggestion(target, names, envs)
        hint = f"; did you mean '{close}'?" if close else ""
        report.at_value(
            (*path, "target"),
            f"waiver target '{target}' is neither a secret nor a service{hint} (a waiver "
            "names exactly one secret id or service name, optionally after its environment: "
            "prod/payments/partner-tls)",
            "UNKNOWN_REF",
        )
        return
    listed = waiver.get("environments")
    if resolved.environment is not None and listed and resolved.environment not in listed:
        report.at_value(
            (*path, "target"),
            f"waiver target '{target}' names environment '{resolved.environment}', which "
            f"the waiver's environments ({', '.join(listed)}) leave out; write the target as "
            f"'{resolved.name}' or add {resolved.environment} to environments",
            "WAIVER",
        )


def _check_secret(
    report: Report,
    secret_id: str,
    secret: dict[str, Any],
    data: dict[str, Any],
    memo: _Memo,
) -> None:
    path: RawPath = ("secrets", secret_id)
    teams, envs = data["teams"], data["environments"]
    services = data["services"]
    store, kind = secret["store"], secret["type"]
    lifecycle = secret.get("lifecycle", "active")

    # a name that is defined needs no path built: the common case of every reference below
    if secret["owner"] not in teams:
        report.reference((*path, "owner"), "team", secret["owner"], teams)

    secret_envs = secret.get("environments")
    if secret_envs is None:
        secret_envs = list(envs)
    else:
        for i, env in enumerate(secret_envs):
            if env not in envs:
                report.reference((*path, "environments", str(i)), "environment", env, envs)
    if store == "vault-database" and kind != "database":
        report.at_value((*path, "store"), "store vault-database holds type database only", "STORE")
    if store == "vault-kv" and kind == "database":
        report.at_value(
            (*path, "store"),
            "a database login is rotated by aws-secretsmanager or vault-database, not vault-kv",
            "STORE",
        )

    replicas = secret.get("replicas") or []
    if replicas and store != "aws-secretsmanager":
        report.at_key((*path, "replicas"), "only aws-secretsmanager secrets replicate", "REPLICA")
    # environments that are defined and schema-valid, so their settings can be read
    known_secret_envs = [e for e in secret_envs if envs.get(e) is not None] if replicas else []
    for i, region in enumerate(replicas):
        homes = [e for e in known_secret_envs if (envs[e].get("aws") or {}).get("region") == region]
        if homes:
            report.at_value(
                (*path, "replicas", str(i)),
                f"replica region {region} is the home region of environment '{homes[0]}'",
                "REPLICA",
            )

    consumers = secret.get("consumers") or []
    seen: dict[str, int] = {}
    for i, consumer in enumerate(consumers):
        cpath = (*path, "consumers", str(i))
        name = consumer["service"]
        if name in seen:
            report.at_value(
                (*cpath, "service"),
                f"service '{name}' is already a consumer (consumers[{seen[name]}]); "
                "list each service once",
                "CONSUMER",
            )
        seen.setdefault(name, i)
        service = services.get(name)
        defined = name in services or report.reference(
            (*cpath, "service"), "service", name, services
        )
        if defined and service:
            consumer_envs = consumer.get("environments") or secret_envs
            key = (name, store, tuple(consumer_envs))
            if key in memo.consumer:
                problem = memo.consumer[key]
            else:
                problem = memo.consumer[key] = _consumer_identity_problem(
                    name, service, store, consumer_envs
                )
            if problem is not None:
                report.at_value((*cpath, "service"), problem, "CONSUMER")
            if consumer.get("access") == "write" and store == "aws-secretsmanager":
                for env in consumer_envs:
                    if (identity(service, env, "aws") or {}).get("existing"):
                        report.at_value(
                            (*cpath, "access"),
                            f"service '{name}' uses an existing role in '{env}', which only "
                            "ever gets the read policy (access: read)",
                            "CONSUMER",
                        )
                        break
        for j, env in enumerate(consumer.get("environments") or ()):
            if env in envs:
                if env in secret_envs:
                    continue  # the common case: no path to build
            elif not report.reference((*cpath, "environments", str(j)), "environment", env, envs):
                continue
            if env not in secret_envs:
                report.at_value(
                    (*cpath, "environments", str(j)),
                    f"environment '{env}' is not one of the secret's environments "
                    f"({', '.join(secret_envs)})",
                    "CONSUMER",
                )

    if lifecycle == "retired" and consumers:
        report.at_key(
            (*path, "consumers"),
            f"a retired secret cannot have consumers ({len(consumers)} listed); move them to "
            "the replacement secret first",
            "LIFECYCLE",
        )
    if lifecycle == "deprecated" and "sunset" not in secret:
        report.at_key(
            (*path, "lifecycle"),
            "a deprecated secret needs a sunset date (sunset: YYYY-MM-DD)",
            "LIFECYCLE",
        )
    if "sunset" in secret:
        _check_date(report, (*path, "sunset"), secret["sunset"])

    _check_rotation(report, path, secret, lifecycle)
    _check_database_login(report, path, secret, data, memo)


def _consumer_identity_problem(
    name: str,
    service: dict[str, Any],
    store: str,
    envs: list[str],
) -> str | None:
    """A consumer needs an identity that can reach the store in every environment it reads:
    what is wrong with the first environment where it has none (None when it has them)."""
    for env in envs:
        there = f" in '{env}'" if service.get("environments") else ""
        aws = identity(service, env, "aws")
        if store == "aws-secretsmanager" and aws is None:
            return (
                f"service '{name}' has no aws identity{there}, so it cannot read an "
                f"aws-secretsmanager secret (add services.{name}.aws)"
            )
        if store != "aws-secretsmanager" and not (aws or identity(service, env, "kubernetes")):
            return (
                f"service '{name}' has neither aws nor kubernetes settings{there}, so it cannot "
                "log in to Vault"
            )
    return None


def _check_date(report: Report, path: RawPath, text: str) -> None:
    try:
        date.fromisoformat(text)
    except ValueError:
        report.at_value(path, f"'{text}' is not a calendar date", "DATE")


def _human(seconds: float) -> str:
    if seconds == math.inf:
        return "never again"
    for unit, size in (("d", DAY), ("h", HOUR), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _check_rotation(report: Report, path: RawPath, secret: dict[str, Any], lifecycle: str) -> None:
    rotation = secret.get("rotation")
    store, kind = secret["store"], secret["type"]
    rpath = (*path, "rotation")
    if rotation is None:
        if lifecycle != "retired":
            report.at_key(
                path,
                f"{'an' if lifecycle == 'active' else 'a'} {lifecycle} secret needs rotation: "
                "add rotation: {every: 30d} or a schedule",
                "ROTATION",
            )
        return
    has_every, has_schedule = "every" in rotation, "schedule" in rotation
    if has_every and has_schedule:
        report.at_key(
            (*rpath, "schedule"),
            "set either rotation.every or rotation.schedule, not both",
            "ROTATION",
        )
        return
    if not has_every and not has_schedule:
        report.at_key(rpath, "rotation needs every (e.g. 30d) or schedule (cron/rate)", "ROTATION")
        return
    if rotation.get("by", "seccat") == "owner":
        _check_owner_rotation(report, path, secret)
        return
    if kind in ISSUED_TYPES:
        report.at_key(
            rpath,
            f"seccat cannot issue a {kind} value: its owner renews it, so add by: owner to "
            "rotation (seccat then reminds the team before it is due and alarms when it is "
            "overdue)",
            "ROTATION",
        )
        return
    if "remind" in rotation:
        report.at_key(
            (*rpath, "remind"),
            "remind applies to rotation.by: owner only; seccat's own rotation needs no reminder",
            "ROTATION",
        )

    strategy = rotation.get("strategy", "single-user")
    allowed = _STRATEGIES_BY_STORE[store]
    if strategy not in allowed:
        report.at_value(
            (*rpath, "strategy") if "strategy" in rotation else rpath,
            f"strategy {strategy} does not apply to store {store} (use {' or '.join(allowed)})",
            "ROTATION",
        )
    elif strategy == "alternating-users" and kind != "database":
        report.at_value(
            (*rpath, "strategy"), "alternating-users applies to type database only", "ROTATION"
        )

    schedule = None
    if has_every:
        where = (*rpath, "every")
        shortest = longest = float(_seconds(rotation["every"]))
        if store == "aws-secretsmanager" and (
            shortest % HOUR or (shortest > DAY and shortest % DAY)
        ):
            report.at_value(
                where,
                "Secrets Manager rotates every N hours (under a day) or every N days; "
                f"{rotation['every']} is neither",
                "ROTATION",
            )
    else:
        where = (*rpath, "schedule")
        if strategy == "dynamic":
            report.at_value(
                where, "dynamic credentials take a lifetime (every), not a schedule", "ROTATION"
            )
            return
        try:
            schedule = parse_schedule(rotation["schedule"])
        except ScheduleError as exc:
            report.at_value(where, str(exc), "CRON")
            return
        if store == "vault-database":
            try:
                schedule.to_standard_cron()
            except ScheduleError as exc:
                report.at_value(where, f"Vault cannot run this schedule: {exc}", "CRON")
        elif store == "aws-secretsmanager":
            _check_aws_schedule(report, where, schedule)
        shortest, longest = schedule.shortest_gap_seconds(), schedule.longest_gap_seconds()

    if store == "aws-secretsmanager":
        if shortest < AWS_MIN_INTERVAL:
            report.at_value(
                where,
                f"rotates every {_human(shortest)} at the shortest; Secrets Manager allows at "
                "most every 4h",
                "ROTATION",
            )
        # an unbounded gap comes from a year list, which the CRON check above reports
        if AWS_MAX_INTERVAL < longest < math.inf:
            report.at_value(
                where,
                f"may go {_human(longest)} without rotating; Secrets Manager allows at most "
                "1000d between rotations",
                "ROTATION",
            )
    elif longest == math.inf:
        report.at_value(where, "the schedule stops firing; rotation must go on", "ROTATION")

    if "window" in rotation:
        wpath = (*rpath, "window")
        window = _seconds(rotation["window"])
        if window > MAX_WINDOW:
            report.at_value(wpath, f"window {rotation['window']} is longer than 24h", "ROTATION")
        elif window >= shortest:
            report.at_value(
                wpath,
                f"window {rotation['window']} is not shorter than the interval "
                f"({_human(shortest)}); rotations would overlap",
                "ROTATION",
            )
        elif store == "aws-secretsmanager" and (window % HOUR or window < HOUR):
            report.at_value(
                wpath, "Secrets Manager takes the window in whole hours (1h to 24h)", "ROTATION"
            )
        elif store == "aws-secretsmanager" and schedule is not None and schedule.cron:
            late = [h for h in sorted(schedule.cron.hours) if h * HOUR + window > DAY]
            if late:
                report.at_value(
                    wpath,
                    f"a {rotation['window']} window opening at {late[0]:02d}:00 runs past "
                    "midnight UTC; Secrets Manager ends a rotation window within the UTC day",
                    "ROTATION",
                )
        if strategy == "dynamic":
            report.at_value(wpath, "dynamic credentials have no rotation window", "ROTATION")
        elif store == "vault-database" and has_every:
            report.at_value(
                wpath, "Vault applies a rotation window to rotation.schedule only", "ROTATION"
            )


def _check_owner_rotation(report: Report, path: RawPath, secret: dict[str, Any]) -> None:
    """``by: owner``: the owning team puts a value someone else issued, every interval.

    Nothing of seccat's rotation machinery applies (no function, strategy, window or value
    shape); the renewal interval is an ``every`` the reminder and the overdue alarm count
    from the last renewal (a cron schedule has no "last renewal + interval")."""
    rotation, kind = secret["rotation"], secret["type"]
    rpath = (*path, "rotation")
    if kind not in ISSUED_TYPES:
        report.at_value(
            (*rpath, "by"),
            f"seccat generates {kind} values itself, so they are rotated by seccat; a value "
            "a vendor, bank or CA issues (a vendor's API key, say) is type generic or "
            "certificate, renewed by: owner",
            "ROTATION",
        )
        return
    if "schedule" in rotation:
        report.at_key(
            (*rpath, "schedule"),
            "an owner-rotated secret is renewed every interval from its last renewal: use "
            "rotation.every (e.g. 90d), not a schedule",
            "ROTATION",
        )
        return
    for key in ("strategy", "window"):
        if key in rotation:
            report.at_key(
                (*rpath, key),
                f"rotation.{key} configures seccat's rotation function; an owner-rotated "
                "secret has none (remove it)",
                "ROTATION",
            )
    if "generate" in secret:
        report.at_key(
            (*path, "generate"),
            "nothing generates an owner-rotated secret's value: its issuer does (remove generate)",
            "ROTATION",
        )
    every = _seconds(rotation["every"])
    if every < DAY:
        report.at_value(
            (*rpath, "every"),
            f"renewal every {rotation['every']} is shorter than a day; the renewal check runs "
            "every few hours and people renew on working days (at least 1d)",
            "ROTATION",
        )
        return
    if "remind" in rotation:
        remind = _seconds(rotation["remind"])
        if remind >= every:
            report.at_value(
                (*rpath, "remind"),
                f"remind {rotation['remind']} is not shorter than the renewal interval "
                f"({_human(every)}); the reminder would fire as soon as the secret is renewed",
                "ROTATION",
            )
        elif remind < HOUR:
            report.at_value(
                (*rpath, "remind"),
                "remind at least 1h before the renewal is due, so someone can act on it",
                "ROTATION",
            )


def _check_aws_schedule(report: Report, where: RawPath, schedule: Schedule) -> None:
    """Secrets Manager takes a subset of EventBridge schedules (see the AWS user guide,
    "Rotation schedules"): windows open on the hour, rates are in hours or days, and the
    year is always '*'."""
    if schedule.cron is not None:
        if schedule.cron.minutes != frozenset({0}):
            report.at_value(
                where,
                "Secrets Manager opens rotation windows on the hour: the minutes field must be 0",
                "CRON",
            )
        if schedule.cron.years is not None:
            report.at_value(where, "Secrets Manager needs '*' in the year field", "CRON")
    elif schedule.rate_unit == "minute":
        report.at_value(where, "Secrets Manager rates are in hours or days", "CRON")


def _check_database_login(
    report: Report,
    path: RawPath,
    secret: dict[str, Any],
    data: dict[str, Any],
    memo: _Memo,
) -> None:
    """One secret's login on its own; which server it lands on, and who else manages it
    there, is database_checks.check_logins's."""
    databases, environments = data["databases"], data["environments"]
    login = secret.get("database")
    if secret["type"] != "database":
        if login is not None:
            report.at_key(
                (*path, "database"), "database: applies to type database only", "DATABASE"
            )
        return
    secret_envs = secret.get("environments") or list(environments)
    if login is None:
        report.at_key(
            path,
            "a type database secret needs database: {database: <name>, username: <role>}",
            "DATABASE",
        )
        return
    lpath = (*path, "database")
    name = login["database"]
    db = databases.get(name)
    strategy = (secret.get("rotation") or {}).get("strategy")
    if report.reference((*lpath, "database"), "database", name, databases) and db is not None:
        # environments a shared server refuses are reported by check_logins, once
        envs = managing_envs(db, [e for e in secret_envs if e in environments])
        check_login_host(report, (*lpath, "database"), name, db, envs)
        for env in envs:
            conn = memo.connection.get((name, env))
            if conn is None:
                conn = memo.connection[name, env] = connection(db, env)
            there = f" in '{env}'" if db.get("environments") else ""
            if secret["store"] == "vault-database" and conn["vault_username"] is None:
                report.at_value(
                    (*lpath, "database"),
                    f"database '{name}' has no vault_username{there}, so Vault cannot manage "
                    "its logins",
                    "DATABASE",
                )
                break
            if strategy == "alternating-users" and conn["admin_secret"] is None:
                report.at_value(
                    (*lpath, "database"),
                    f"alternating-users needs an admin login: set databases.{name}.admin_secret"
                    + (f" (none for '{env}')" if there else ""),
                    "DATABASE",
                )
                break
            own = "admin_secret" in ((db.get("environments") or {}).get(env) or {})
            where = (*lpath, "database")
            if _admin_missing(report, where, secret, path[-1], conn, env, data, own):
                break

    names = [("username", login["username"])]
    if "alternate_username" in login:
        names.append(("alternate_username", login["alternate_username"]))
        if login["alternate_username"] == login["username"]:
            report.at_value(
                (*lpath, "alternate_username"),
                "the alternating login must differ from username (rotation alternates "
                "between the two)",
                "DATABASE",
            )
    for field, username in names:
        if username.startswith("pg_") or username in ("postgres", "public"):
            report.at_value((*lpath, field), f"'{username}' is reserved by PostgreSQL", "DATABASE")
    derived = strategy == "alternating-users" and "alternate_username" not in login
    longest = PG_MAX_IDENTIFIER - len(CLONE_SUFFIX)
    if derived and len(login["username"]) > longest:
        report.at_value(
            (*lpath, "username"),
            f"too long to derive the alternating login (username + '{CLONE_SUFFIX}' would pass "
            f"PostgreSQL's {PG_MAX_IDENTIFIER} characters); at most {longest} characters or set "
            "alternate_username",
            "DATABASE",
        )


def _admin_missing(
    report: Report,
    where: RawPath,
    secret: dict[str, Any],
    secret_id: str,
    conn: dict[str, Any],
    env: str,
    data: dict[str, Any],
    own: bool = False,
) -> bool:
    """The Secrets Manager rotation of a database login in ``env`` signs in with the
    database's admin secret of that environment: it must exist there, and alternating
    users need one other than the login itself. Reports and returns True when not. An
    environment's ``own`` admin secret missing there is reported where it is written
    (database_checks.check_databases), not again here."""
    admin = conn["admin_secret"]
    rotated = secret.get("rotation") is not None and secret.get("lifecycle") != "retired"
    if secret["store"] != "aws-secretsmanager" or not rotated or admin is None:
        return False
    strategy = secret["rotation"].get("strategy", "single-user")
    if admin == secret_id:
        if strategy != "alternating-users":
            return False
        report.at_value(
            where,
            f"alternating-users needs an admin login besides this one, but admin_secret of "
            f"database '{secret['database']['database']}' in '{env}' is this secret itself",
            "DATABASE",
        )
        return True
    target = data["secrets"].get(admin)
    if target is None or admin_fault(admin, target, secret["database"]["database"]):
        return False  # unknown, broken or not an admin: reported where admin_secret is written
    admin_envs = target.get("environments") or list(data["environments"])
    if env in admin_envs or own:
        return False
    report.at_value(
        where,
        f"this login is rotated in '{env}' with admin_secret '{admin}', which does not exist "
        f"there (its environments: {', '.join(admin_envs)}); add '{env}' to them or limit "
        "this secret's environments",
        "DATABASE",
    )
    return True


def check_teams(report: Report, view: dict[str, Any]) -> None:
    """A team that owns Secrets Manager secrets names its owner role: besides rotation, the
    only identity the secrets' resource policies let change values, policies or tags."""
    owners_of_aws = {
        s["owner"]
        for s in view["secrets"].values()
        if s is not None and s["store"] == "aws-secretsmanager"
    }
    for name, team in view["teams"].items():
        if team is None or name not in owners_of_aws or "aws" in team:
            continue
        report.at_key(
            ("teams", name),
            f"team '{name}' owns aws-secretsmanager secrets, so it needs an owner role "
            "(teams.<team>.aws.owner_role): nobody else may change their values or policies",
            "OWNER",
        )


def check_environments(report: Report, view: dict[str, Any]) -> None:
    envs = view["environments"]
    for name, env in envs.items():
        if env is None:
            continue
        if env.get("aws") is None:
            report.at_key(
                ("environments", name),
                f"environment '{name}' has no aws account: every environment's platform (its "
                "KMS key, alarm topic and rotation functions) lives in one; add "
                f"environments.{name}.aws with account_id and region",
                "ENVIRONMENT",
            )
        for i, other in enumerate(env.get("shares_identities_with") or ()):
            where = ("environments", name, "shares_identities_with", str(i))
            if other == name:
                report.at_value(where, "an environment always shares with itself", "ENVIRONMENT")
            else:
                report.reference(where, "environment", other, envs)
        vault = env.get("vault") or {}
        for key, default in DEFAULT_VAULT_NAMES.items():
            value = default.format(env=name)
            if key not in vault and not matches(ALPHABET_OF[key], value):
                report.at_key(
                    ("environments", name),
                    f"the default vault.{key} of environment '{name}', '{value}', is not "
                    f"{ALPHABETS[ALPHABET_OF[key]].title}; set vault.{key}",
                    "VAULT",
                )
        audit = vault.get("audit") or {}
        audit_path = f"{audit.get('type', 'file')}-{name}"
        if "path" not in audit and not matches("mount", audit_path):
            report.at_key(
                ("environments", name),
                f"the default vault.audit.path of environment '{name}', '{audit_path}', is not "
                f"{ALPHABETS['mount'].title}; set vault.audit.path",
                "VAULT",
            )
        kv = vault.get("kv_mount", f"kv-{name}")
        db = vault.get("database_mount", f"database-{name}")
        if kv == db:
            where = "database_mount" if "database_mount" in vault else "kv_mount"
            report.at_value(
                ("environments", name, "vault", where),
                f"'{kv}' is both the kv_mount and the database_mount; one path holds one "
                "secrets engine",
                "VAULT",
            )
