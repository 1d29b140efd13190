"""Synthetic catalogs of any size, shaped like catalog.yaml (every store and type).

``n_secrets`` counts everything, including one database superuser secret per team.
Identities are isolated per environment as validation requires: each environment has its
own account, and services alternate between an ECS task role (a different principal in each
account), a per-environment runner role of the environment's own account, and a GitHub OIDC
trust on the environment's own provider for workflows of the same GitHub environment.
"""

from __future__ import annotations

from pathlib import Path

_KINDS = [
    # (type, store, classification, rotation)
    ("api-key", "aws-secretsmanager", "restricted", "{every: 30d, window: 2h}"),
    ("password", "aws-secretsmanager", "confidential", "{every: 90d, window: 4h}"),
    ("generic", "aws-secretsmanager", "internal", "{every: 180d, by: owner}"),
    ("database", "aws-secretsmanager", "restricted", "{every: 7d, strategy: alternating-users}"),
    ("certificate", "aws-secretsmanager", "confidential", "{every: 90d, by: owner}"),
    ("api-key", "vault-kv", "restricted", "{every: 30d}"),
    ("generic", "vault-kv", "confidential", "{every: 90d, by: owner}"),
    ("database", "vault-database", "confidential", "{every: 30d, strategy: static}"),
    ("database", "vault-database", "confidential", "{every: 1d, strategy: dynamic}"),
]


#: (environment, account) of every generated catalog.
ENVIRONMENTS = (("dev", "111111111111"), ("prod", "222222222222"))
GITHUB = "token.actions.githubusercontent.com"


def _identity(team: str, s: int) -> str:
    """The service's aws identity in flow YAML: shared, or one block per environment."""
    kind = s % 3
    if kind == 0:
        return "aws: {trust: {service: ecs-tasks.amazonaws.com}}"
    blocks = []
    for env, account in ENVIRONMENTS:
        if kind == 1:
            trust = f'{{role_arn: "arn:aws:iam::{account}:role/{team}-runner"}}'
        else:
            provider = f"arn:aws:iam::{account}:oidc-provider/{GITHUB}"
            subject = f"repo:example/{team}-svc-{s:02d}:environment:{env}"
            trust = f'{{oidc: {{provider_arn: "{provider}", subjects: ["{subject}"]}}}}'
        blocks.append(f"{env}: {{aws: {{trust: {trust}}}}}")
    return f"environments: {{{', '.join(blocks)}}}"


def generate(
    n_secrets: int, n_teams: int = 20, services_per_team: int = 10, stacks: str | None = None
) -> str:
    """``stacks``: the catalog's ``stacks:`` key (``"{mode: split}"``), absent when None."""
    teams = [f"team-{t:03d}" for t in range(n_teams)]
    lines = [
        "# yaml-language-server: $schema=../schema/catalog.schema.json",
        "version: 1",
        *([f"stacks: {stacks}"] if stacks is not None else []),
        "teams:",
        *[f"  {t}: {{contact: {t}@example.com, aws: {{owner_role: {t}-owner}}}}" for t in teams],
        "environments:",
        *[
            f'  {env}: {{aws: {{account_id: "{account}", region: eu-west-1}}, '
            f"protect: {'true' if env == 'prod' else 'false'}}}"
            for env, account in ENVIRONMENTS
        ],
        "services:",
    ]
    services = []
    for t in teams:
        for s in range(services_per_team):
            name = f"{t}-svc-{s:02d}"
            services.append((t, name))
            lines.append(
                f"  {name}: {{team: {t}, {_identity(t, s)}, "
                f"kubernetes: {{namespace: {t}, service_account: svc-{s:02d}}}}}"
            )
    lines += ["databases:"]
    for t in teams:
        # one server per environment: a dev rotation never touches a prod login
        hosts = ", ".join(f"{e}: {{host: {t}-db.{e}.example.com}}" for e in ("dev", "prod"))
        lines.append(
            f"  {t}-db: {{engine: postgresql, port: 5432, database: app, "
            f"vault_username: vault_admin, admin_secret: {t}/db-admin, environments: {{{hosts}}}}}"
        )
    lines += ["secrets:"]
    # one superuser login per team database: the alternating-users rotations clone from it
    for t in teams:
        lines += [
            f"  {t}/db-admin:",
            "    description: Database superuser used by rotation functions",
            f"    owner: {t}",
            "    type: database",
            "    store: aws-secretsmanager",
            "    classification: restricted",
            '    rotation: {schedule: "cron(0 4 ? * SUN *)", window: 3h}',
            f"    database: {{database: {t}-db, username: admin_{t.replace('-', '_')}}}",
            "    consumers: []",
        ]
    for i in range(n_secrets - len(teams)):
        team, _ = services[(i * 7) % len(services)]
        kind, store, classification, rotation = _KINDS[i % len(_KINDS)]
        consumers = [services[(i * 7 + k) % len(services)][1] for k in range(1 + i % 3)]
        sid = f"{team}/secret-{i:05d}"
        lines += [
            f"  {sid}:",
            f"    description: Synthetic secret number {i}",
            f"    owner: {team}",
            f"    type: {kind}",
            f"    store: {store}",
            f"    classification: {classification}",
            f"    rotation: {rotation}",
        ]
        if kind == "database":
            lines.append(f"    database: {{database: {team}-db, username: user_{i:05d}}}")
        lines.append("    consumers:")
        lines += [f"      - {{service: {c}, access: read}}" for c in dict.fromkeys(consumers)]
    lines.append("waivers: []")
    return "\n".join(lines) + "\n"


def write(n_secrets: int, folder: Path, stacks: str | None = None) -> Path:
    """The catalog of ``n_secrets`` in ``folder``; with ``stacks`` (the ``stacks:`` key, e.g.
    ``"{mode: split}"``) a second file, ``catalog-<n>-stacks.yaml``, for ``--all-stacks``."""
    suffix = "" if stacks is None else "-stacks"
    path = folder / f"catalog-{n_secrets}{suffix}.yaml"
    path.write_text(generate(n_secrets, stacks=stacks), encoding="utf-8")
    return path
