# ruff: noqa: E501 - one catalog entry per line keeps the expected columns readable
"""Semantic checks one by one: each case is a small catalog and its exact diagnostics."""

from __future__ import annotations

import pytest

from seccat.catalog.loader import parse_catalog

HEAD = """\
version: 1
teams:
  data: {contact: data@example.com, aws: {owner_role: data-owner}}
environments:
  prod: {aws: {account_id: "222222222222", region: eu-west-1}}
  lab: {aws: {account_id: "444444444444", region: eu-west-1}}
services:
  api: {team: data, aws: {trust: {service: lambda.amazonaws.com}}}
  pod: {team: data, kubernetes: {namespace: data, service_account: pod}}
  bare: {team: data}
databases:
  db: {host: db.internal, database: app, vault_username: vault_admin, admin_secret: data/admin}
  other: {host: other.internal, database: other}
secrets:
  data/admin:
    {owner: data, type: database, store: aws-secretsmanager, classification: restricted, environments: [prod], rotation: {every: 30d}, database: {database: db, username: app_admin}}
"""
S = "  data/s:\n    "
BASE = "owner: data, classification: internal, environments: [prod]"


def problems(extra: str) -> list[tuple[int, int, str, str]]:
    _, diagnostics = parse_catalog(HEAD + extra)
    return [(d.line, d.column, d.code, d.message) for d in diagnostics]


def test_head_is_valid() -> None:
    assert problems("") == []


def at(extra: str, marker: str) -> tuple[int, int]:
    """Line and column of ``marker`` in the catalog: expectations point at the text itself."""
    text = HEAD + extra
    offset = text.index(marker, len(HEAD))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


ENV_ALL = "owner: data, classification: internal"
CASES = [
    (
        f"{S}{{{BASE}, type: api-key, store: vault-database, rotation: {{every: 1d, strategy: dynamic}}}}\n",
        [("vault-database", "STORE", "store vault-database holds type database only")],
    ),
    (
        f"{S}{{{BASE}, type: database, store: vault-kv, rotation: {{every: 30d}}, database: {{database: db, username: x}}}}\n",
        [
            (
                "vault-kv",
                "STORE",
                "a database login is rotated by aws-secretsmanager or vault-database, not vault-kv",
            )
        ],
    ),
    (
        f"{S}{{{BASE}, type: api-key, store: vault-kv, rotation: {{every: 30d}}, replicas: [us-east-1]}}\n",
        [("replicas", "REPLICA", "only aws-secretsmanager secrets replicate")],
    ),
    (
        f"{S}{{{BASE}, type: api-key, store: vault-kv, rotation: {{every: 30d}}, consumers: [{{service: pod}}, {{service: pod }}, {{service: bare}}]}}\n",
        [
            (
                "pod }",
                "CONSUMER",
                "service 'pod' is already a consumer (consumers[0]); list each service once",
            ),
            (
                "bare}",
                "CONSUMER",
                "service 'bare' has neither aws nor kubernetes settings, "
                "so it cannot log in to Vault",
            ),
        ],
    ),
    (
        f"{S}{{{BASE}, type: database, store: vault-database, rotation: {{schedule: 'cron(0 4 ? * SUN *)', strategy: dynamic}}, database: {{database: db, username: r}}}}\n",
        [("'cron", "ROTATION", "dynamic credentials take a lifetime (every), not a schedule")],
    ),
    (
        f"{S}{{{BASE}, type: database, store: vault-database, rotation: {{schedule: 'cron(0 4 L * ? *)', strategy: static}}, database: {{database: db, username: r}}}}\n",
        [
            (
                "'cron",
                "CRON",
                "Vault cannot run this schedule: Vault schedules do not support L, W or #",
            )
        ],
    ),
    (
        f"{S}{{{BASE}, type: database, store: vault-database, rotation: {{every: 30d, window: 1h, strategy: static}}, database: {{database: db, username: r}}}}\n",
        [("1h", "ROTATION", "Vault applies a rotation window to rotation.schedule only")],
    ),
    (
        f"{S}{{{BASE}, type: api-key, store: aws-secretsmanager, rotation: {{every: 30d, window: 90m}}}}\n",
        [("90m", "ROTATION", "Secrets Manager takes the window in whole hours (1h to 24h)")],
    ),
    (
        f"{S}{{{BASE}, type: api-key, store: vault-kv, rotation: {{schedule: 'cron(0 0 1 1 ? 2030)'}}}}\n",
        [("'cron", "ROTATION", "the schedule stops firing; rotation must go on")],
    ),
    (
        f"{S}{{{BASE}, type: database, store: aws-secretsmanager, rotation: {{every: 30d, strategy: alternating-users}}, database: {{database: other, username: u}}}}\n",
        [
            (
                "other,",
                "DATABASE",
                "alternating-users needs an admin login: set databases.other.admin_secret",
            )
        ],
    ),
    (
        f"{S}{{{BASE}, type: database, store: aws-secretsmanager, rotation: {{every: 30d}}, database: {{database: db, username: app_admin}}}}\n",
        [
            (
                "app_admin}",
                "DATABASE",
                "login 'app_admin' on database 'db' is already managed by "
                "secret 'data/admin' in 'prod'; two rotations of one login break each other",
            )
        ],
    ),
    (
        f"{S}{{{BASE}, type: database, store: aws-secretsmanager, rotation: {{every: 30d, strategy: alternating-users}}, database: {{database: db, username: {'u' * 58}}}}}\n",
        [
            (
                "uuuu",
                "DATABASE",
                "too long to derive the alternating login (username + '_clone' would pass "
                "PostgreSQL's 63 characters); at most 57 characters or set alternate_username",
            )
        ],
    ),
    (
        f"{S}{{{BASE}, type: api-key, store: aws-secretsmanager, rotation: {{every: 30d}}, database: {{database: db, username: u}}}}\n",
        [("database: {", "DATABASE", "database: applies to type database only")],
    ),
]


AWS = f"{S}{{{BASE}, type: api-key, store: aws-secretsmanager, rotation: "
CASES += [
    (
        AWS + "{schedule: 'cron(30 4 ? * SUN *)'}}\n",
        [
            (
                "'cron",
                "CRON",
                "Secrets Manager opens rotation windows on the hour: the minutes field must be 0",
            )
        ],
    ),
    (
        AWS + "{schedule: 'cron(0 4 ? * SUN 2027-2030)'}}\n",
        [("'cron", "CRON", "Secrets Manager needs '*' in the year field")],
    ),
    (
        AWS + "{schedule: 'rate(300 minutes)'}}\n",
        [("'rate", "CRON", "Secrets Manager rates are in hours or days")],
    ),
    (
        AWS + "{every: 36h}}\n",
        [
            (
                "36h",
                "ROTATION",
                "Secrets Manager rotates every N hours (under a day) or every N "
                "days; 36h is neither",
            )
        ],
    ),
    (
        AWS + "{schedule: 'cron(0 6,22 ? * SUN *)', window: 3h}}\n",
        [
            (
                "3h",
                "ROTATION",
                "a 3h window opening at 22:00 runs past midnight UTC; Secrets "
                "Manager ends a rotation window within the UTC day",
            )
        ],
    ),
]


@pytest.mark.parametrize(("extra", "expected"), CASES)
def test_semantic_case(extra: str, expected: list[tuple[str, str, str]]) -> None:
    assert problems(extra) == [(*at(extra, m), code, msg) for m, code, msg in expected]


def test_admin_secret_must_be_an_aws_database_secret() -> None:
    text = HEAD.replace("admin_secret: data/admin", "admin_secret: data/s") + (
        f"{S}{{{BASE}, type: api-key, store: aws-secretsmanager, rotation: {{every: 30d}}}}\n"
    )
    _, diagnostics = parse_catalog(text)
    assert [(d.line, d.column, d.code, d.message) for d in diagnostics] == [
        (
            12,
            85,
            "DATABASE",
            "admin_secret 'data/s' must be an aws-secretsmanager secret of "
            "type database (it is aws-secretsmanager, type api-key)",
        )
    ]


def test_service_aws_needs_trust_or_role() -> None:
    text = HEAD.replace("bare: {team: data}", "bare: {team: data, aws: {}}")
    assert [(d.line, d.column, d.code) for d in parse_catalog(text)[1]] == [(10, 22, "TRUST")]


def test_entity_with_schema_errors_is_not_checked_twice() -> None:
    """A secret with a schema error gets that error only; its neighbours are still checked."""
    extra = (
        f"{S}{{{BASE}, type: api-key, store: aws-secretsmanager, owner2: x, rotation: {{every: 2h}}}}\n"
        f"  data/t:\n    {{{BASE}, type: api-key, store: aws-secretsmanager, rotation: {{every: 2h}}}}\n"
    )
    assert [(line, code) for line, _, code, _ in problems(extra)] == [
        (18, "SCHEMA"),
        (20, "ROTATION"),
    ]
