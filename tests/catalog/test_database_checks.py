# ruff: noqa: E501 - one catalog entry per line keeps the expected columns readable
"""Per-environment databases (issue 8): which server each environment's logins live on, who
manages each login, and the exact located error for every way a catalog gets it wrong."""

from __future__ import annotations

import sys
from pathlib import Path

from ruamel.yaml import YAML

from seccat.catalog.loader import parse_catalog

ROOT = Path(__file__).resolve().parents[2]

HEAD = """\
version: 1
teams:
  data: {contact: data@example.com, aws: {owner_role: data-owner}}
environments:
  dev: {aws: {account_id: "111111111111", region: eu-west-1}}
  staging: {aws: {account_id: "333333333333", region: eu-west-1}}
  prod: {aws: {account_id: "222222222222", region: eu-west-1}}
services:
  api: {team: data, aws: {trust: {service: lambda.amazonaws.com}}}
"""
AWS = "owner: data, type: database, store: aws-secretsmanager, classification: internal"
STATIC = "owner: data, type: database, store: vault-database, classification: internal, rotation: {every: 30d, strategy: static}"
DYNAMIC = "owner: data, type: database, store: vault-database, classification: internal, rotation: {every: 1d, strategy: dynamic}"


def problems(text: str) -> list[tuple[int, int, str, str]]:
    _, diagnostics = parse_catalog(HEAD + text, "c.yaml")
    return [(d.line, d.column, d.code, d.message) for d in diagnostics]


def at(text: str, marker: str, nth: int = 0) -> tuple[int, int]:
    """Line and column of the ``nth`` ``marker`` after HEAD: expectations point at the text."""
    full = HEAD + text
    offset = len(HEAD) - 1
    for _ in range(nth + 1):
        offset = full.index(marker, offset + 1)
    line = full.count("\n", 0, offset) + 1
    return line, offset - (full.rfind("\n", 0, offset) + 1) + 1


def pos(text: str, marker: str, nth: int = 0) -> str:
    line, column = at(text, marker, nth)
    return f"c.yaml:{line}:{column}"


# -- valid shapes ---------------------------------------------------------------------------

PER_ENV = f"""\
databases:
  db:
    database: app
    vault_username: vault_admin
    admin_secret: data/admin
    environments:
      dev: {{host: db.dev.internal}}
      staging: {{host: db.staging.internal}}
      prod: {{host: db.prod.internal}}
secrets:
  data/admin: {{{AWS}, rotation: {{every: 30d}}, database: {{database: db, username: app_admin}}}}
  data/app: {{{AWS}, rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: app}}}}
  data/etl: {{{STATIC}, database: {{database: db, username: etl}}}}
  data/readers: {{{DYNAMIC}, database: {{database: db, username: readers}}}}
"""


def test_one_server_per_environment_is_valid() -> None:
    assert problems(PER_ENV) == []


def test_one_host_with_a_port_per_environment_is_one_server_each() -> None:
    """Servers are (host, port): three clusters on one machine are three servers."""
    text = PER_ENV.replace("{host: db.dev.internal}", "{host: 127.0.0.1, port: 5433}")
    text = text.replace("{host: db.staging.internal}", "{host: 127.0.0.1, port: 5434}")
    text = text.replace("{host: db.prod.internal}", "{host: 127.0.0.1}")  # default 5432
    assert problems(text) == []


def test_a_shared_server_is_valid_when_one_environment_manages_it() -> None:
    text = f"""\
databases:
  legacy: {{host: legacy.internal, database: app, vault_username: vault_admin, managed_in: prod}}
secrets:
  data/legacy: {{{STATIC}, environments: [prod], database: {{database: legacy, username: legacy_app}}}}
"""
    assert problems(text) == []


def test_a_retired_secret_manages_no_login() -> None:
    """seccat removes a retired secret's rotation: its login is free for someone else."""
    text = f"""\
databases:
  db: {{host: db.internal, database: app, vault_username: vault_admin}}
secrets:
  data/old: {{{AWS}, lifecycle: retired, environments: [dev], database: {{database: db, username: app}}}}
  data/new: {{{STATIC}, environments: [dev], database: {{database: db, username: app}}}}
"""
    assert problems(text) == []


# -- one server, one managing environment ----------------------------------------------------


def test_the_old_single_host_catalog_is_refused_once_naming_every_environment() -> None:
    """Issue 8: one host for every environment gave dev, staging and prod a rotation of the
    same login on the same server; the last rotation wins and the others' logins fail. One
    host written once, one secret: one error."""
    text = f"""\
databases:
  db: {{host: db.internal, database: app, vault_username: vault_admin}}
secrets:
  data/etl: {{{STATIC}, database: {{database: db, username: etl}}}}
"""
    assert problems(text) == [
        (
            *at(text, "db, username: etl"),
            "DATABASE",
            "login 'etl' on db.internal:5432 would be managed in 'dev', 'staging' and 'prod' "
            f"(all by secret 'data/etl'; all use host databases.db.host at {pos(text, 'db.internal')}): "
            "a login belongs to the whole server, so each environment's rotation would change "
            "the others' passwords; give each environment its own server "
            "(databases.db.environments.<env>.host) or declare the one environment that "
            "manages it (databases.db.managed_in)",
        )
    ]


def test_each_listed_environment_on_a_shared_server_is_its_own_error() -> None:
    """A secret listing its environments puts the login there entry by entry: each entry
    after the first is a place to fix (drop it, or give it a server), so each is reported."""
    text = f"""\
databases:
  db: {{host: db.internal, database: app, vault_username: vault_admin}}
secrets:
  data/etl: {{{STATIC}, environments: [dev, staging, prod], database: {{database: db, username: etl}}}}
"""
    assert [(line, col, message.split(" (")[0]) for line, col, _, message in problems(text)] == [
        (
            *at(text, "staging,"),
            "login 'etl' on db.internal:5432 would be managed in 'dev' and in 'staging'",
        ),
        (
            *at(text, "prod]"),
            "login 'etl' on db.internal:5432 would be managed in 'dev' and in 'prod'",
        ),
    ]


def test_one_host_written_per_environment_still_one_server() -> None:
    """Three entries naming one host are one server; the error names where each was written."""
    text = f"""\
databases:
  db:
    database: app
    vault_username: vault_admin
    environments: {{dev: {{host: db.internal}}, staging: {{host: db.internal}}, prod: {{host: db.internal, port: 5432}}}}
secrets:
  data/etl: {{{STATIC}, database: {{database: db, username: etl}}}}
"""
    hosts = ", ".join(
        f"databases.db.environments.{env}.host at {pos(text, 'db.internal', i)} in '{env}'"
        for i, env in enumerate(("dev", "staging", "prod"))
    )
    assert problems(text) == [
        (
            *at(text, "db, username: etl"),
            "DATABASE",
            "login 'etl' on db.internal:5432 would be managed in 'dev', 'staging' and 'prod' "
            f"(all by secret 'data/etl'; hosts {hosts}): a login belongs to the whole server, "
            "so each environment's rotation would change the others' passwords; give each "
            "environment its own server (databases.db.environments.<env>.host) or declare the "
            "one environment that manages it (databases.db.managed_in)",
        )
    ]


def test_two_database_entries_on_one_server_in_two_environments() -> None:
    """Logins are cluster-wide: two catalog databases with one host are one server."""
    text = f"""\
databases:
  app-dev: {{host: pg.internal, database: app_dev, vault_username: vault_admin}}
  app-prod: {{host: pg.internal, database: app_prod, vault_username: vault_admin, environments: {{prod: {{port: 5432}}}}}}
secrets:
  data/dev-app: {{{STATIC}, environments: [dev], database: {{database: app-dev, username: app}}}}
  data/prod-app: {{{STATIC}, environments: [prod], database: {{database: app-prod, username: app}}}}
"""
    assert problems(text) == [
        (
            *at(text, "prod]"),
            "DATABASE",
            "login 'app' on pg.internal:5432 would be managed in 'dev' and in 'prod' (by "
            "secret 'data/dev-app' and secret 'data/prod-app'; hosts databases.app-dev.host at "
            f"{pos(text, 'pg.internal')} and databases.app-prod.host at "
            f"{pos(text, 'pg.internal', 1)}): a login belongs to the whole server, so each "
            "environment's rotation would change the other's password; give each environment "
            "its own server (databases.app-prod.environments.prod.host) or declare the one "
            "environment that manages it (databases.app-dev.managed_in)",
        )
    ]


def test_different_logins_on_one_server_from_two_environments() -> None:
    """Even distinct logins: dev's rotation would hold an admin login on prod's server."""
    text = f"""\
databases:
  db:
    host: db.internal
    database: app
    admin_secret: data/admin
    environments: {{dev: {{admin_secret: data/dev-admin}}}}
secrets:
  data/admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: prod_admin}}}}
  data/dev-admin: {{{AWS}, environments: [dev], rotation: {{every: 30d}}, database: {{database: db, username: dev_admin}}}}
"""
    assert problems(text) == [
        (
            *at(text, "prod]"),
            "DATABASE",
            "server db.internal:5432 would have logins managed in 'dev' and in 'prod' (by "
            "secret 'data/dev-admin' and secret 'data/admin'; both use host databases.db.host "
            f"at {pos(text, 'db.internal')}), so 'prod' could change, create or drop logins "
            "'dev' uses; give each environment its own server (databases.db.environments.prod"
            ".host) or declare the one environment that manages it (databases.db.managed_in)",
        )
    ]


def test_vault_dynamic_roles_on_one_server_from_two_environments() -> None:
    """A dynamic role changes no fixed login, but every environment's Vault connection holds
    the admin login that creates and drops the lease logins: that login is managed twice."""
    text = f"""\
databases:
  wh: {{host: wh.internal, database: wh, vault_username: vault_admin}}
secrets:
  data/readers: {{{DYNAMIC}, environments: [dev, prod], database: {{database: wh, username: readers}}}}
"""
    assert problems(text) == [
        (
            *at(text, "prod]"),
            "DATABASE",
            "login 'vault_admin' on wh.internal:5432 would be managed in 'dev' and in 'prod' "
            "(both by the Vault connection of database 'wh'; both use host databases.wh.host at "
            f"{pos(text, 'wh.internal')}): a login belongs to the whole server, so each "
            "environment's rotation would change the other's password; give each environment "
            "its own server (databases.wh.environments.prod.host) or declare the one "
            "environment that manages it (databases.wh.managed_in)",
        )
    ]


def test_vault_dynamic_roles_with_separate_admin_logins_still_share_a_server() -> None:
    text = f"""\
databases:
  wh: {{host: wh.internal, database: wh, vault_username: vault_prod, environments: {{dev: {{vault_username: vault_dev}}}}}}
secrets:
  data/readers: {{{DYNAMIC}, environments: [dev, prod], database: {{database: wh, username: readers}}}}
"""
    assert [(line, col, code) for line, col, code, _ in problems(text)] == [
        (*at(text, "prod]"), "DATABASE")
    ]
    assert problems(text)[0][3].startswith(
        "server wh.internal:5432 would have logins managed in 'dev' and in 'prod' (both by "
        "the Vault connection of database 'wh'; both use host databases.wh.host at"
    )


# -- managed_in --------------------------------------------------------------------------------

SHARED = """\
databases:
  legacy: {host: legacy.internal, database: app, vault_username: vault_admin, managed_in: prod}
secrets:
"""


def test_managed_in_refuses_each_other_environment_listed() -> None:
    text = SHARED + (
        f"  data/legacy: {{{STATIC}, environments: [dev, staging, prod], "
        "database: {database: legacy, username: legacy_app}}\n"
    )
    shared = (
        "database 'legacy' is shared by several environments and only 'prod' manages its "
        "logins (managed_in: prod), so this secret may not manage one in"
    )
    assert problems(text) == [
        (
            *at(text, "dev,"),
            "DATABASE",
            f"{shared} 'dev': remove 'dev' from its environments, or give 'dev' a database "
            "entry with a server of its own",
        ),
        (
            *at(text, "staging,"),
            "DATABASE",
            f"{shared} 'staging': remove 'staging' from its environments, or give 'staging' a "
            "database entry with a server of its own",
        ),
    ]


def test_managed_in_refuses_a_secret_in_every_environment_by_default() -> None:
    text = SHARED + f"  data/legacy: {{{DYNAMIC}, database: {{database: legacy, username: r}}}}\n"
    assert problems(text) == [
        (
            *at(text, "legacy, username"),
            "DATABASE",
            "database 'legacy' is shared by several environments and only 'prod' manages its "
            "logins (managed_in: prod), but this secret's environments default to all and "
            "include 'dev' and 'staging': set environments: [prod], or give them a database "
            "entry with a server of their own",
        )
    ]


def test_managed_in_environment_needs_a_host_but_the_refused_ones_do_not() -> None:
    text = f"""\
databases:
  legacy: {{database: app, vault_username: vault_admin, managed_in: prod, environments: {{dev: {{host: legacy.internal}}}}}}
secrets:
  data/legacy: {{{STATIC}, environments: [dev, prod], database: {{database: legacy, username: a}}}}
"""
    assert [(line, col, code) for line, col, code, _ in problems(text)] == [
        (*at(text, "dev,"), "DATABASE"),
        (*at(text, "legacy, username"), "DATABASE"),
    ]
    assert problems(text)[1][3] == (
        "database 'legacy' has no host for environment 'prod' (set "
        "databases.legacy.environments.prod.host, or a shared host)"
    )


def test_managed_in_names_an_existing_environment() -> None:
    text = SHARED.replace("managed_in: prod", "managed_in: prd") + (
        f"  data/legacy: {{{STATIC}, environments: [prod], database: {{database: legacy, username: a}}}}\n"
    )
    assert problems(text) == [
        (
            *at(text, "prd"),
            "UNKNOWN_REF",
            "unknown environment 'prd'; did you mean 'prod'?",
        )
    ]


# -- one login, one manager ---------------------------------------------------------------------


def test_two_databases_on_one_server_in_one_environment_share_logins() -> None:
    text = f"""\
databases:
  orders: {{host: pg.internal, database: orders}}
  billing: {{host: pg.internal, database: billing}}
secrets:
  data/orders: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: orders, username: app}}}}
  data/billing: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: billing, username: app}}}}
"""
    assert problems(text) == [
        (
            *at(text, "app}}", 1),
            "DATABASE",
            "login 'app' on pg.internal:5432 (databases 'orders' and 'billing') is already "
            "managed by secret 'data/orders' in 'prod'; two rotations of one login break each "
            "other",
        )
    ]


def test_the_alternating_clone_is_a_managed_login_too() -> None:
    """alternating-users rotates ``username`` and ``username_clone`` (functions/rotation)."""
    text = f"""\
databases:
  db: {{host: db.internal, database: app, admin_secret: data/admin}}
secrets:
  data/admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: admin}}}}
  data/app: {{{AWS}, environments: [prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: app}}}}
  data/other: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: app_clone}}}}
"""
    assert problems(text) == [
        (
            *at(text, "app_clone"),
            "DATABASE",
            "login 'app_clone' on database 'db' is already managed by secret 'data/app' in "
            "'prod'; two rotations of one login break each other",
        )
    ]


def test_vaults_admin_login_is_managed_by_the_vault_connection() -> None:
    text = f"""\
databases:
  db: {{host: db.internal, database: app, vault_username: vault_admin}}
secrets:
  data/etl: {{{STATIC}, environments: [prod], database: {{database: db, username: etl}}}}
  data/vault: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: vault_admin}}}}
"""
    assert problems(text) == [
        (
            *at(text, "vault_admin}}"),
            "DATABASE",
            "login 'vault_admin' on database 'db' is already managed by the Vault connection of "
            "database 'db' in 'prod'; two rotations of one login break each other",
        )
    ]


def test_alternate_username_must_differ_and_the_clone_must_fit() -> None:
    fits = "u" * 57
    text = f"""\
databases:
  db: {{host: db.internal, database: app, admin_secret: data/admin}}
secrets:
  data/admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: admin}}}}
  data/same: {{{AWS}, environments: [prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: x, alternate_username: x}}}}
  data/fits: {{{AWS}, environments: [prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: {fits}}}}}
"""
    assert problems(text) == [
        (
            *at(text, "x}"),
            "DATABASE",
            "the alternating login must differ from username (rotation alternates between the two)",
        )
    ]
    assert problems(text.replace(fits, fits + "u")) == [
        (
            *at(text, "x}"),
            "DATABASE",
            "the alternating login must differ from username (rotation alternates between the two)",
        ),
        (
            *at(text, fits),
            "DATABASE",
            "too long to derive the alternating login (username + '_clone' would pass "
            "PostgreSQL's 63 characters); at most 57 characters or set alternate_username",
        ),
    ]


# -- admin secrets per environment -----------------------------------------------------------


def test_a_per_environment_admin_secret_must_exist_in_that_environment() -> None:
    text = f"""\
databases:
  db:
    database: app
    environments:
      dev: {{host: db.dev.internal, admin_secret: data/prod-admin}}
      prod: {{host: db.prod.internal, admin_secret: data/prod-admin}}
secrets:
  data/prod-admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: admin}}}}
"""
    assert problems(text) == [
        (
            *at(text, "data/prod-admin}"),
            "DATABASE",
            "admin_secret 'data/prod-admin' does not exist in environment 'dev' (its "
            "environments: prod): add 'dev' to its environments or name an admin secret of "
            "'dev' (databases.<name>.environments.dev.admin_secret)",
        )
    ]


def test_the_shared_admin_secret_must_exist_where_a_rotation_reads_it() -> None:
    text = f"""\
databases:
  db:
    database: app
    admin_secret: data/admin
    environments: {{dev: {{host: db.dev.internal}}, prod: {{host: db.prod.internal}}}}
secrets:
  data/admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: admin}}}}
  data/app: {{{AWS}, environments: [dev, prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: app}}}}
"""
    assert problems(text) == [
        (
            *at(text, "db, username: app}"),
            "DATABASE",
            "this login is rotated in 'dev' with admin_secret 'data/admin', which does not "
            "exist there (its environments: prod); add 'dev' to them or limit this secret's "
            "environments",
        )
    ]


def test_an_own_admin_secret_missing_in_its_environment_is_reported_once() -> None:
    """Where it is written, not again at every secret whose rotation would read it."""
    text = f"""\
databases:
  db:
    database: app
    environments:
      dev: {{host: db.dev.internal, admin_secret: data/admin}}
      prod: {{host: db.prod.internal, admin_secret: data/admin}}
secrets:
  data/admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: db, username: admin}}}}
  data/app: {{{AWS}, environments: [dev, prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: app}}}}
"""
    assert [(line, col, code) for line, col, code, _ in problems(text)] == [
        (*at(text, "data/admin}"), "DATABASE")
    ]


def test_a_shared_admin_secret_that_is_no_admin_is_reported_once_where_it_is_named() -> None:
    """Not a database login (or one of another database), and not in 'dev' either: one
    mistake, one error at databases.db.admin_secret; the secrets whose rotation would read
    it are not blamed again for its environments."""
    text = f"""\
databases:
  db: {{database: app, admin_secret: data/kv, environments: {{dev: {{host: db.dev.internal}}, prod: {{host: db.prod.internal}}}}}}
  other: {{database: other, host: other.internal}}
secrets:
  data/kv: {{owner: data, type: password, store: vault-kv, classification: internal, environments: [prod], rotation: {{every: 30d}}}}
  data/other-admin: {{{AWS}, environments: [prod], rotation: {{every: 30d}}, database: {{database: other, username: other_admin}}}}
  data/app: {{{AWS}, environments: [dev, prod], rotation: {{every: 7d, strategy: alternating-users}}, database: {{database: db, username: app}}}}
"""
    assert problems(text) == [
        (
            *at(text, "data/kv,"),
            "DATABASE",
            "admin_secret 'data/kv' must be an aws-secretsmanager secret of type database (it "
            "is vault-kv, type password)",
        )
    ]
    other = text.replace("admin_secret: data/kv", "admin_secret: data/other-admin")
    assert problems(other) == [
        (
            *at(other, "data/other-admin,"),
            "DATABASE",
            "admin_secret 'data/other-admin' holds a login for database 'other', not 'db'",
        )
    ]
    # negative control: a real admin of 'db' that is missing in 'dev' is still reported
    fixed = other.replace("database: other, username: other_admin", "database: db, username: adm")
    assert [(line, col, code) for line, col, code, _ in problems(fixed)] == [
        (*at(fixed, "db, username: app}"), "DATABASE")
    ]


def test_one_missing_shared_host_is_one_error_naming_every_environment() -> None:
    text = f"""\
databases:
  db: {{database: app, vault_username: vault_admin}}
secrets:
  data/etl: {{{STATIC}, database: {{database: db, username: etl}}}}
"""
    assert problems(text) == [
        (
            *at(text, "db, username"),
            "DATABASE",
            "database 'db' has no host for environments 'dev', 'staging' and 'prod' (give "
            "each a server of its own: databases.db.environments.<env>.host)",
        )
    ]


def test_one_unusable_shared_tls_mode_is_one_error_naming_every_environment() -> None:
    text = f"""\
databases:
  db: {{database: app, ssl_mode: prefer, environments: {{dev: {{host: db.dev.internal}}, prod: {{host: db.prod.internal}}}}}}
secrets:
  data/app: {{{AWS}, environments: [dev, prod], rotation: {{every: 30d}}, database: {{database: db, username: app}}}}
  data/etl: {{{AWS}, environments: [prod, dev], rotation: {{every: 30d}}, database: {{database: db, username: etl}}}}
"""
    assert problems(text) == [
        (
            *at(text, "prefer"),
            "DATABASE",
            "ssl_mode prefer is not one the rotation function supports in 'dev' and 'prod' "
            "(disable, require, verify-full); it has aws-secretsmanager logins in each",
        )
    ]
    # each environment's own mode is its own mistake, reported where it is written
    own = text.replace("{host: db.dev.internal}", "{host: db.dev.internal, ssl_mode: allow}")
    assert [(line, col, message.split(" (")[0]) for line, col, _, message in problems(own)] == [
        (*at(own, "prefer"), "ssl_mode prefer is not one the rotation function supports in 'prod'"),
        (*at(own, "allow"), "ssl_mode allow is not one the rotation function supports in 'dev'"),
    ]


# -- the example and benchmark catalogs ---------------------------------------------------------


def test_the_example_catalog_gives_every_environment_its_own_servers() -> None:
    catalog, diagnostics = parse_catalog((ROOT / "catalog.yaml").read_text(), "catalog.yaml")
    assert diagnostics == [] and catalog is not None
    servers = {
        (name, env): (catalog.database_in(name, env).host, catalog.database_in(name, env).port)
        for name in catalog.databases
        for env in catalog.environments
    }
    assert len(set(servers.values())) == len(servers) == 6


def test_the_benchmark_catalog_gives_every_environment_its_own_servers() -> None:
    """benchmarks/catalog_gen.py: the issue found 0/20 dev logins working with one host."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from catalog_gen import generate

    text = generate(100)
    _, diagnostics = parse_catalog(text, "bench.yaml")
    assert [d.render() for d in diagnostics if d.code == "DATABASE"] == []
    databases = YAML(typ="safe").load(text)["databases"]
    assert len(databases) == 20
    for db in databases.values():
        assert "host" not in db
        hosts = {env: own["host"] for env, own in db["environments"].items()}
        assert set(hosts) == {"dev", "prod"} and hosts["dev"] != hosts["prod"]


def test_issue_8_regression_catalog_yaml_with_one_host_per_database() -> None:
    """catalog.yaml as the issue found it: orders-db and warehouse-db each had one host for
    dev, staging and prod. One error per server, at the secret that puts the login there,
    naming every environment and where the host was written."""
    from servers.catalogs import single_host

    old = {
        "orders-db": "orders-db.internal.example.com",
        "warehouse-db": "warehouse.internal.example.com",
    }
    text = single_host(lambda name: (old[name], 5432))
    _, diagnostics = parse_catalog(text, "catalog.yaml")

    def where(marker: str) -> tuple[int, int]:
        offset = text.index(marker)
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    def expected(secret: str, login: str, db: str) -> tuple[int, int, str, str]:
        line, column = where(f"{{database: {db}, username: {login}}}")
        host_line, host_column = where(f"host: {old[db]}")
        return (
            line,
            column + len("{database: "),
            f"secrets.{secret}.database.database",
            f"login '{login}' on {old[db]}:5432 would be managed in 'dev', 'staging' and "
            f"'prod' (all by secret '{secret}'; all use host databases.{db}.host at "
            f"catalog.yaml:{host_line}:{host_column + len('host: ')}): a login belongs to the "
            "whole server, so each environment's rotation would change the others' passwords; "
            f"give each environment its own server (databases.{db}.environments.<env>.host) "
            f"or declare the one environment that manages it (databases.{db}.managed_in)",
        )

    assert [(d.line, d.column, d.path, d.message) for d in diagnostics] == [
        expected("payments/orders-db-admin", "orders_admin", "orders-db"),
        expected("data/warehouse-etl", "etl_loader", "warehouse-db"),
    ]
    assert {d.code for d in diagnostics} == {"DATABASE"}


def test_rotation_functions_need_a_tls_mode_they_implement() -> None:
    """pg8000 in the rotation function knows disable, require and verify-full only."""
    text = f"""\
databases:
  db: {{database: app, ssl_mode: verify-ca, environments: {{dev: {{host: db.dev.internal, ssl_mode: require}}, prod: {{host: db.prod.internal}}}}}}
  wh: {{host: wh.internal, database: wh, ssl_mode: prefer, vault_username: vault_admin}}
secrets:
  data/app: {{{AWS}, environments: [dev, prod], rotation: {{every: 30d}}, database: {{database: db, username: app}}}}
  data/etl: {{{STATIC}, environments: [prod], database: {{database: wh, username: etl}}}}
"""
    assert problems(text) == [
        (
            *at(text, "verify-ca"),
            "DATABASE",
            "ssl_mode verify-ca is not one the rotation function supports in 'prod' (disable, "
            "require, verify-full); it has aws-secretsmanager logins there",
        )
    ]


def test_issue_8_regression_benchmark_catalog_with_one_host_per_team_database() -> None:
    """The benchmark catalog as the issue found it (0/20 dev logins worked): each team's
    database had one host for dev and prod. One error per team database."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from catalog_gen import generate

    text = generate(100)
    for team in range(20):
        t = f"team-{team:03d}"
        text = text.replace(
            f"environments: {{dev: {{host: {t}-db.dev.example.com}}, "
            f"prod: {{host: {t}-db.prod.example.com}}}}",
            f"host: {t}-db.internal.example.com",
        )
    _, diagnostics = parse_catalog(text, "bench.yaml")

    def where(marker: str, skip: int = 0) -> str:
        offset = text.index(marker) + skip
        line = text.count("\n", 0, offset) + 1
        return f"bench.yaml:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"

    def expected(team: int) -> str:
        t, login = f"team-{team:03d}", f"admin_team_{team:03d}"
        secret = where(f"{{database: {t}-db, username: {login}}}", len("{database: "))
        host = where(f"host: {t}-db.internal.example.com", len("host: "))
        return (
            f"{secret}: error: secrets.{t}/db-admin.database.database: login '{login}' on "
            f"{t}-db.internal.example.com:5432 would be managed in 'dev' and in 'prod' (both by "
            f"secret '{t}/db-admin'; both use host databases.{t}-db.host at {host}): a login "
            "belongs to the whole server, so each environment's rotation would change the "
            f"other's password; give each environment its own server (databases.{t}-db."
            "environments.prod.host) or declare the one environment that manages it "
            f"(databases.{t}-db.managed_in) (DATABASE)"
        )

    assert [d.render() for d in diagnostics] == [expected(team) for team in range(20)]


def test_the_documented_single_host_error_is_what_validate_prints() -> None:
    """docs/catalog.md quotes the issue 8 catalog's error; it must stay the real one."""
    from servers.catalogs import single_host

    old = {
        "orders-db": "orders-db.internal.example.com",
        "warehouse-db": "warehouse.internal.example.com",
    }
    _, diagnostics = parse_catalog(single_host(lambda name: (old[name], 5432)), "catalog.yaml")
    rendered = [d.render() for d in diagnostics]
    documented = [
        line.strip()
        for line in (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8").splitlines()
        if "would be managed in" in line and line.strip().startswith("catalog.yaml:")
    ]
    assert len(documented) == 1 and documented[0] in rendered
