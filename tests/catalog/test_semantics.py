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


# rotation.by: owner (issue 11): values a vendor, bank or CA issues, renewed by their owner.
OWNED = f"{S}{{{BASE}, store: aws-secretsmanager, "
CASES += [
    (OWNED + "type: generic, rotation: {every: 30d, by: owner, remind: 7d}}\n", []),
    (OWNED + "type: certificate, rotation: {every: 90d, by: owner}}\n", []),
    (
        OWNED + "type: certificate, rotation: {every: 90d}}\n",
        [
            (
                "rotation",
                "ROTATION",
                "seccat cannot issue a certificate value: its owner renews it, so add by: owner "
                "to rotation (seccat then reminds the team before it is due and alarms when it "
                "is overdue)",
            )
        ],
    ),
    (
        OWNED + "type: generic, rotation: {every: 90d, by: seccat}}\n",
        [
            (
                "rotation",
                "ROTATION",
                "seccat cannot issue a generic value: its owner renews it, so add by: owner to "
                "rotation (seccat then reminds the team before it is due and alarms when it is "
                "overdue)",
            )
        ],
    ),
    (
        OWNED + "type: password, rotation: {every: 90d, by: owner}}\n",
        [
            (
                "owner}",
                "ROTATION",
                "seccat generates password values itself, so they are rotated by seccat; a "
                "value a vendor, bank or CA issues (a vendor's API key, say) is type generic or "
                "certificate, renewed by: owner",
            )
        ],
    ),
    (
        # a vendor's key is generic: api-key is a key seccat generates
        OWNED + "type: api-key, rotation: {every: 30d, by: owner, remind: 7d}}\n",
        [
            (
                "owner,",
                "ROTATION",
                "seccat generates api-key values itself, so they are rotated by seccat; a value "
                "a vendor, bank or CA issues (a vendor's API key, say) is type generic or "
                "certificate, renewed by: owner",
            )
        ],
    ),
    (
        OWNED + "type: certificate, rotation: {schedule: 'cron(0 4 ? * SUN *)', by: owner}}\n",
        [
            (
                "schedule",
                "ROTATION",
                "an owner-rotated secret is renewed every interval from its last renewal: use "
                "rotation.every (e.g. 90d), not a schedule",
            )
        ],
    ),
    (
        OWNED
        + "type: generic, rotation: {every: 30d, by: owner, window: 2h}, generate: {length: 40}}\n",
        [
            (
                "window",
                "ROTATION",
                "rotation.window configures seccat's rotation function; an owner-rotated secret "
                "has none (remove it)",
            ),
            (
                "generate",
                "ROTATION",
                "nothing generates an owner-rotated secret's value: its issuer does (remove "
                "generate)",
            ),
        ],
    ),
    (
        OWNED + "type: generic, rotation: {every: 12h, by: owner}}\n",
        [
            (
                "12h",
                "ROTATION",
                "renewal every 12h is shorter than a day; the renewal check runs every few hours "
                "and people renew on working days (at least 1d)",
            )
        ],
    ),
    (
        OWNED + "type: generic, rotation: {every: 30d, by: owner, remind: 5w}}\n",
        [
            (
                "5w",
                "ROTATION",
                "remind 5w is not shorter than the renewal interval (30d); the reminder would "
                "fire as soon as the secret is renewed",
            )
        ],
    ),
    (
        OWNED + "type: api-key, rotation: {every: 30d, remind: 7d}}\n",
        [
            (
                "remind",
                "ROTATION",
                "remind applies to rotation.by: owner only; seccat's own rotation needs no "
                "reminder",
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


def test_runbook_url_needs_a_secret_placeholder() -> None:
    text = HEAD + "runbooks: {url: 'https://git.example.com/ops/runbooks/{environment}.md'}\n"
    _, diagnostics = parse_catalog(text)
    assert [(d.line, d.code, d.message) for d in diagnostics] == [
        (
            text.count("\n"),
            "RUNBOOK",
            "the runbook URL needs {secret} where each runbook's name goes (one runbook per "
            "secret)",
        )
    ]


def test_owner_rotation_model_defaults() -> None:
    """``remind`` defaults to 14 days, or half the interval when that is shorter."""
    extra = (
        f"{S}{{{BASE}, store: aws-secretsmanager, type: certificate, rotation: {{every: 90d, by: owner}}}}\n"
        f"  data/t:\n    {{{BASE}, store: vault-kv, type: generic, rotation: {{every: 10d, by: owner}}}}\n"
        f"  data/u:\n    {{{BASE}, store: vault-kv, type: generic, rotation: {{every: 30d, by: owner, remind: 3d}}}}\n"
        f"  data/v:\n    {{{BASE}, store: vault-kv, type: api-key, rotation: {{every: 30d}}}}\n"
    )
    catalog, diagnostics = parse_catalog(HEAD + extra)
    assert diagnostics == [] and catalog is not None
    day = 86400
    got = {
        sid: (s.rotation.by, s.rotation.remind_seconds, s.owner_rotated, s.generated)
        for sid, s in catalog.secrets.items()
        if sid != "data/admin" and s.rotation is not None
    }
    assert got == {
        "data/s": ("owner", 14 * day, True, False),
        "data/t": ("owner", 5 * day, True, False),
        "data/u": ("owner", 3 * day, True, False),
        "data/v": ("seccat", None, False, True),
    }
