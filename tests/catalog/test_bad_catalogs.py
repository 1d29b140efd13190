"""Each bad catalog under tests/fixtures/catalogs yields exactly these located diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogs"
HINT = (
    "the catalog holds metadata only; store values in AWS Secrets Manager or Vault "
    "(see README 'Filling externally issued secrets')"
)
ANCHORS = "write the value out (a catalog refuses anchors and aliases)"

EXPECTED: dict[str, list[str]] = {
    "empty.yaml": ["1:1: error: the file is empty; expected a catalog mapping (YAML)"],
    "comment-only.yaml": ["1:1: error: the file is empty; expected a catalog mapping (YAML)"],
    "not-yaml.yaml": [
        "3:1: error: not valid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence) (YAML)"
    ],
    "latin1.yaml": [
        "3:26: error: invalid UTF-8 byte 0xe9; a catalog must be UTF-8 text (ENCODING)"
    ],
    "binary.yaml": [
        "2:1: error: file contains NUL bytes; a catalog is UTF-8 text, not a binary file (ENCODING)"
    ],
    "two-documents.yaml": [
        "3:1: error: a catalog is a single YAML document; found another one here "
        "(remove the '---' separator and what follows) (YAML)"
    ],
    "tabs.yaml": ["4:1: error: tab character; indent YAML with spaces, not tabs (YAML)"],
    "anchors.yaml": [
        f"3:13: error: teams.payments: anchor '&team' is not allowed; {ANCHORS} (ALIAS)"
    ],
    "alias-bomb.yaml": [f"1:4: error: a: anchor '&a' is not allowed; {ANCHORS} (ALIAS)"],
    "duplicate-key.yaml": [
        "1:1: error: missing required key 'environments' (SCHEMA)",
        "1:1: error: missing required key 'secrets' (SCHEMA)",
        "4:3: error: teams.payments: duplicate key 'payments' (first written at line 3, "
        "column 3); a catalog never keeps the last one (DUPLICATE_KEY)",
    ],
    "non-string-keys.yaml": [
        "2:1: error: key '1' is an integer; keys must be strings (quote it) (KEY)",
        "3:1: error: key 'true' is a boolean; keys must be strings (quote it) (KEY)",
        "4:3: error: a mapping or sequence cannot be a key; keys must be strings (KEY)",
    ],
    "tagged.yaml": [
        "1:1: error: missing required key 'environments' (SCHEMA)",
        "1:1: error: missing required key 'secrets' (SCHEMA)",
        "2:8: error: teams: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not "
        "allowed; a catalog uses plain values only (TAG)",
    ],
    "schema-errors.yaml": [
        "1:10: error: version: unsupported version 2; seccat reads version 1 (SCHEMA)",
        "3:3: error: teams.Payments: 'Payments' is not a valid team name (lowercase letters, "
        "digits and '-', starting with a letter, at most 63) (SCHEMA)",
        "3:23: error: teams.Payments.contact: 'not-an-email' is not an email address (SCHEMA)",
        "5:28: error: environments.prod.aws.account_id: expected a string, got a number "
        '(222222222222) (quote it: "222222222222") (SCHEMA)',
        "5:62: error: environments.prod.protectt: unknown key 'protectt'; did you mean "
        "'protect'? (SCHEMA)",
        "12:21: error: secrets.payments/stripe-api-key.classification: 'secret' is not one of "
        "public, internal, confidential, restricted (SCHEMA)",
        "13:23: error: secrets.payments/stripe-api-key.rotation.every: '40x' is not a duration "
        "(a whole number and a unit: s, m, h, d or w, e.g. 30d or 4h) (SCHEMA)",
        "15:54: error: secrets.payments/stripe-api-key.consumers[0].environments[1]: 'prod' is "
        "listed twice (SCHEMA)",
        "16:3: error: secrets.Bad_Id: 'Bad_Id' is not a valid secret id (1-4 segments of "
        "lowercase letters, digits and '-', joined by '/') (SCHEMA)",
        "16:3: error: secrets.Bad_Id: missing required key 'type' (SCHEMA)",
        "16:3: error: secrets.Bad_Id: missing required key 'store' (SCHEMA)",
        "16:3: error: secrets.Bad_Id: missing required key 'classification' (SCHEMA)",
    ],
    "semantic-errors.yaml": [
        "8:24: error: services.checkout-api.team: unknown team 'payment'; did you mean 'payments'? "
        "(UNKNOWN_REF)",
        "16:25: error: secrets.payments/a.environments[1]: unknown environment 'qa' (known: dev, "
        "prod) (UNKNOWN_REF)",
        "17:28: error: secrets.payments/a.rotation.schedule: set either rotation.every or "
        "rotation.schedule, not both (ROTATION)",
        "19:48: error: secrets.payments/a.consumers[0].environments[0]: environment 'prod' is "
        "not one of the secret's environments (dev, qa) (CONSUMER)",
        "20:19: error: secrets.payments/a.consumers[1].service: unknown service 'billing' "
        "(known: checkout-api, k8s-only) (UNKNOWN_REF)",
        "21:19: error: secrets.payments/a.consumers[2].service: service 'k8s-only' has no aws "
        "identity, so it cannot read an aws-secretsmanager secret (add services.k8s-only.aws) "
        "(CONSUMER)",
        "28:5: error: secrets.payments/b.consumers: a retired secret cannot have consumers "
        "(1 listed); move them to the replacement secret first (LIFECYCLE)",
        "30:3: error: secrets.payments/c: a deprecated secret needs rotation: add rotation: "
        "{every: 30d} or a schedule (ROTATION)",
        "35:5: error: secrets.payments/c.lifecycle: a deprecated secret needs a sunset date "
        "(sunset: YYYY-MM-DD) (LIFECYCLE)",
        "41:5: error: secrets.payments/d.rotation: rotation needs every (e.g. 30d) or schedule "
        "(cron/rate) (ROTATION)",
        "43:36: error: waivers[0].target: waiver target 'payments/zzz' is neither a secret nor "
        "a service (a waiver names exactly one secret id or service name, optionally after its "
        "environment: prod/payments/partner-tls) (UNKNOWN_REF)",
        "43:78: error: waivers[0].expires: '2027-02-30' is not a calendar date (DATE)",
    ],
    "rotation-errors.yaml": [
        "10:105: error: secrets.data/too-often.rotation.every: rotates every 2h at the "
        "shortest; Secrets Manager allows at most every 4h (ROTATION)",
        "12:108: error: secrets.data/too-rare.rotation.schedule: may go 2921d without "
        "rotating; Secrets Manager allows at most 1000d between rotations (ROTATION)",
        "14:108: error: secrets.data/bad-cron.rotation.schedule: exactly one of day-of-month "
        "and day-of-week must be '?' (got '*' and 'SUN') (CRON)",
        "16:108: error: secrets.data/five-fields.rotation.schedule: cron() takes 6 fields: "
        "minutes hours day-of-month month day-of-week year; got 5 (AWS adds a year field: "
        "append ' *') (CRON)",
        "18:108: error: secrets.data/bad-rate.rotation.schedule: write rate(1 day), singular, "
        "for a value of 1 (CRON)",
        "20:117: error: secrets.data/wide-window.rotation.window: window 2d is longer than 24h "
        "(ROTATION)",
        "22:139: error: secrets.data/window-vs-cron.rotation.window: window 6h is not shorter "
        "than the interval (6h); rotations would overlap (ROTATION)",
        "24:120: error: secrets.data/alternating.rotation.strategy: alternating-users applies "
        "to type database only (ROTATION)",
        "26:111: error: secrets.data/static-kv.rotation.strategy: strategy static does not "
        "apply to store vault-kv (use single-user) (ROTATION)",
        "27:3: error: secrets.data/no-login: a type database secret needs database: "
        "{database: <name>, username: <role>} (DATABASE)",
        "35:26: error: secrets.data/vault-db.database.database: database 'wh' has no "
        "vault_username, so Vault cannot manage its logins (DATABASE)",
        "35:40: error: secrets.data/vault-db.database.username: 'pg_reader' is reserved by "
        "PostgreSQL (DATABASE)",
        "37:143: error: secrets.data/deprecated.replicas[0]: replica region eu-west-1 is the "
        "home region of environment 'prod' (REPLICA)",
    ],
    "secret-values.yaml": [
        f"8:18: error: secrets.token.description: this looks like a secret value (an AWS "
        f"access key id); {HINT} (SECRET_VALUE)",
        f"14:5: error: secrets.token.password: key 'password' holds a secret value; {HINT} "
        "(SECRET_VALUE)",
        f"16:18: error: secrets.payments/random.description: this looks like a secret value "
        f"(a random token); {HINT} (SECRET_VALUE)",
        f"22:5: error: secrets.payments/random.private-key: key 'private-key' holds a secret "
        f"value; {HINT} (SECRET_VALUE)",
    ],
}


def test_every_fixture_has_expectations() -> None:
    on_disk = {p.name for p in FIXTURES.glob("*.yaml")} - {"minimal.yaml"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_catalog(name: str) -> None:
    catalog, diagnostics = parse_catalog((FIXTURES / name).read_bytes(), name)
    assert catalog is None
    assert [d.render() for d in diagnostics] == [f"{name}:{line}" for line in EXPECTED[name]]


def test_minimal_catalog_is_valid() -> None:
    catalog, diagnostics = parse_catalog((FIXTURES / "minimal.yaml").read_bytes())
    assert diagnostics == []
    assert catalog is not None
    assert list(catalog.secrets) == ["payments/stripe-api-key"]


def test_secret_values_never_reach_the_messages() -> None:
    raw = (FIXTURES / "secret-values.yaml").read_bytes()
    _, diagnostics = parse_catalog(raw)
    text = "\n".join(d.render() for d in diagnostics)
    for value in ("hunter2", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "MIIEowIBAAKCAQEA"):
        assert value not in text
