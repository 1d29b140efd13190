# ruff: noqa: E501 - one expected diagnostic per line keeps the exact text readable
"""Issue 8, "Validation accepts what the renderer refuses": each value that passed
`seccat validate` and then crashed `preview`, `render` and `check` (or reached a document
it must not), refused by validation with the exact located error.

The renderers keep refusing them too (tests/catalog/test_alphabets.py); the property test
tests/catalog/test_one_alphabet.py looks for more.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "catalog.yaml").read_text()

CASES = [
    pytest.param(
        "kv_mount: kv-prod",
        "kv_mount: kv_prod",
        "catalog.yaml:23:23: error: environments.prod.vault.kv_mount: 'kv_prod' is not a valid Vault mount path (lowercase letters, digits and '-', starting with a letter, at most 63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)",
        id="kv_prod",
    ),
    pytest.param(
        "kv_mount: kv-prod",
        "kv_mount: 1kv",
        "catalog.yaml:23:23: error: environments.prod.vault.kv_mount: '1kv' is not a valid Vault mount path (lowercase letters, digits and '-', starting with a letter, at most 63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)",
        id="1kv",
    ),
    pytest.param(
        "kv_mount: kv-prod",
        "kv_mount: sys",
        "catalog.yaml:23:23: error: environments.prod.vault.kv_mount: 'sys' is not a valid Vault mount path (lowercase letters, digits and '-', starting with a letter, at most 63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)",
        id="sys",
    ),
    pytest.param(
        "database_mount: database-prod",
        "database_mount: database_prod",
        "catalog.yaml:23:48: error: environments.prod.vault.database_mount: 'database_prod' is not a valid Vault mount path (lowercase letters, digits and '-', starting with a letter, at most 63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)",
        id="database_prod",
    ),
    pytest.param(
        "kv_mount: kv-prod",
        "kv_mount: database-prod",
        "catalog.yaml:23:54: error: environments.prod.vault.database_mount: 'database-prod' is both the kv_mount and the database_mount; one path holds one secrets engine (VAULT)",
        id="same",
    ),
    pytest.param(
        'prod:\n    aws: {account_id: "222222222222", region: eu-west-1}',
        'prod:\n    aws: {account_id: "222222222222", region: eu-west-10}',
        "catalog.yaml:20:47: error: environments.prod.aws.region: 'eu-west-10' is not an AWS region (like eu-west-1) (SCHEMA)",
        id="region",
    ),
    pytest.param(
        "audit: {type: file, path: file}",
        "audit: {type: file, path: file_audit}",
        "catalog.yaml:23:89: error: environments.prod.vault.audit.path: 'file_audit' is not a valid Vault mount path (lowercase letters, digits and '-', starting with a letter, at most 63; not sys, auth, cubbyhole, identity, audit) (SCHEMA)",
        id="audit_path",
    ),
    pytest.param(
        "audit: {type: file, path: file}",
        "audit: {type: file, path: file, file_path: /etc/shadow}",
        "catalog.yaml:23:106: error: environments.prod.vault.audit.file_path: '/etc/shadow' is not an audit log file path (a file under /var/log/, /vault/logs/, /openbao/logs/, or stdout) (SCHEMA)",
        id="shadow",
    ),
    pytest.param(
        'subjects: ["repo:example/etl:environment:dev"]',
        'subjects: ["repo:example/etl:environment:dev"]\n              audience: "*"',
        "catalog.yaml:52:25: error: services.etl-runner.environments.dev.aws.trust.oidc.audience: '*' is not a valid OIDC audience (SCHEMA)",
        id="audience",
    ),
    pytest.param(
        "    rotation: {every: 90d, window: 4h}\n",
        '    rotation: {every: 90d, window: 4h}\n    generate: {length: 40, exclude_punctuation: true, exclude_characters: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"}\n',
        "catalog.yaml:147:75: error: secrets.payments/webhook-signing-key.generate.exclude_characters: generate excludes every character; no value can be generated: keep letters or digits (GENERATE)",
        id="generate",
    ),
    pytest.param(
        '  staging:\n    aws: {account_id: "333333333333", region: eu-west-1}\n',
        "  staging:\n",
        "catalog.yaml:16:3: error: environments.staging: environment 'staging' has no aws account: every environment's platform (its KMS key, alarm topic and rotation functions) lives in one; add environments.staging.aws with account_id and region (ENVIRONMENT)",
        id="noaws",
    ),
    # found by the property test (test_one_alphabet.py), like noaws: each made preview fail
    pytest.param(
        "audit: {type: file, path: file}",
        "audit: {type: socket, path: file}",
        "catalog.yaml:23:77: error: environments.prod.vault.audit.type: 'socket' is not one of file, syslog (SCHEMA)",
        id="audit_socket",
    ),
    pytest.param(
        "    compliance: [pci-dss, soc2]\n    rotation:",
        "    compliance: [pci-dss, soc2]\n    environments: [prod]\n    rotation:",
        "catalog.yaml:134:26: error: secrets.payments/orders-db-app.database.database: this login is rotated in 'dev' with admin_secret 'payments/orders-db-admin', which does not exist there (its environments: prod); add 'dev' to them or limit this secret's environments (DATABASE)",
        id="admin_secret_elsewhere",
    ),
    pytest.param(
        'rotation: {schedule: "cron(0 4 ? * SUN *)", window: 3h, strategy: single-user}',
        'rotation: {schedule: "cron(0 4 ? * SUN *)", window: 3h, strategy: alternating-users}',
        "catalog.yaml:122:26: error: secrets.payments/orders-db-admin.database.database: alternating-users needs an admin login besides this one, but admin_secret of database 'orders-db' in 'dev' is this secret itself (DATABASE)",
        id="alternating_self_admin",
    ),
]


@pytest.mark.parametrize(("before", "after", "expected"), CASES)
def test_refused_with_a_located_error(before: str, after: str, expected: str) -> None:
    assert before in EXAMPLE
    catalog, diagnostics = parse_catalog(EXAMPLE.replace(before, after, 1))
    assert catalog is None
    assert [d.render() for d in diagnostics] == [expected]


MINIMAL = (ROOT / "tests" / "fixtures" / "catalogs" / "minimal.yaml").read_text()


def test_defaults_made_from_an_environment_name_must_fit_their_alphabets() -> None:
    """Found by the property test: an environment named 'prod-' got the default AWS auth
    header 'seccat-prod-', which the Vault auth renderer refuses (UnsafeName traceback)."""
    _, diagnostics = parse_catalog(MINIMAL.replace("  prod:", "  prod-:"))
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:5:3: error: environments.prod-: the default vault.aws_auth_header of "
        "environment 'prod-', 'seccat-prod-', is not a valid X-Vault-AWS-IAM-Server-ID value; "
        "set vault.aws_auth_header (VAULT)"
    ]
    explicit = MINIMAL.replace(
        '  prod: {aws: {account_id: "222222222222", region: eu-west-1}, protect: true}',
        '  prod-: {aws: {account_id: "222222222222", region: eu-west-1}, protect: true, '
        "vault: {aws_auth_header: vault.example.com}}",
    )
    catalog, diagnostics = parse_catalog(explicit)
    assert diagnostics == [] and catalog is not None


def test_a_long_environment_name_needs_its_own_mount_paths() -> None:
    name = "p" * 61  # kv-<name>, database-<name> and file-<name> exceed 63 characters
    _, diagnostics = parse_catalog(MINIMAL.replace("  prod:", f"  {name}:"))
    assert [(d.line, d.column, d.code) for d in diagnostics] == [(5, 3, "VAULT")] * 3
    assert [d.message.split(",")[0] for d in diagnostics] == [
        f"the default vault.{key} of environment '{name}'"
        for key in ("kv_mount", "database_mount", "audit.path")
    ]
