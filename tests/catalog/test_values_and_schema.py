"""Secret-value detection, the schema itself, and the example catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Position
from seccat.catalog.schema import catalog_schema, schema_path
from seccat.catalog.values import known_format, looks_random, shannon_bits

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "fixtures" / "catalogs" / "minimal.yaml").read_text()


@pytest.mark.parametrize(
    "text",
    [
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq81Lm",  # 36 chars of base64
        "a3f9c2e8b1d4f7a6c5e2b9d8f1a4c7e3b6d9f2a5",  # 40 hex
        "key: Zx9Qm2Lp7Rt4Vw8Ny3Kb6Hd",
    ],
)
def test_random_tokens_are_found(text: str) -> None:
    assert looks_random(text)


def test_example_descriptions_and_ordinary_words_pass() -> None:
    catalog = load_catalog(ROOT / "catalog.yaml")
    for secret in catalog.secrets.values():
        assert not looks_random(secret.description), secret.description
    for text in (
        "internationalization-and-localization",
        "checkout-api-version2-production-eu-west-1",
        "Rotated by the orders-db-admin superuser every 7 days",
        "arn:aws:iam::222222222222:role/reporting-runner",
        "0123456789abcdef",  # short hex
    ):
        assert not looks_random(text), text


def test_prose_about_credentials_is_not_a_credential() -> None:
    for text in (
        "Bind password for the corporate directory",
        "token: rotated weekly by the vendor",
        "see https://example.com/docs for the secret layout",
        "the api_key is issued by Stripe",
    ):
        assert known_format(text) is None, text


def test_entropy() -> None:
    assert shannon_bits("aaaa") == 0
    assert shannon_bits("abcd") == 2


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key id"),
        ("ASIAY34FZKBOKMUTVV7A", "an AWS access key id"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "a PEM private key block"),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "a PEM private key block"),
        ("-----BEGIN CERTIFICATE-----", "a PEM block"),
        ("ghp_" + "a1B2" * 9, "a GitHub token"),
        ("xoxb-1234567890-abcdef", "a Slack token"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "a Stripe key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig", "a JSON Web Token"),
        ("postgres://app:s3cr3t@db.internal/app", "a URL with a password"),
        ("the password: hunter2", "an inline credential (name: value)"),
        ("API_KEY='abc123def'", "an inline credential (name: value)"),
    ],
)
def test_known_formats(text: str, name: str) -> None:
    assert known_format(f"see {text} here") == name


def test_value_keys_count_only_as_keys() -> None:
    """`type: password` is a value; a secret named `token` is an id; `password:` is a key."""
    text = MINIMAL.replace("type: api-key", "type: password").replace(
        "payments/stripe-api-key", "token"
    )
    catalog, diagnostics = parse_catalog(text)
    assert diagnostics == [] and catalog is not None
    text = MINIMAL.replace("    owner: payments\n", "    owner: payments\n    Secret-String: x\n")
    _, diagnostics = parse_catalog(text)
    assert [(d.line, d.column, d.code, d.path) for d in diagnostics] == [
        (14, 5, "SECRET_VALUE", "secrets.payments/stripe-api-key.Secret-String")
    ]


def test_suspicious_values_are_not_echoed_by_schema_errors() -> None:
    text = MINIMAL.replace("ecs-tasks.amazonaws.com", "wJalrXUtnFEMIK7MDENGbPxRfiCYzq81Lm")
    _, diagnostics = parse_catalog(text)
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:9:28: error: services.checkout-api.aws.trust.service: a 34-character "
        "value (not shown) is not an AWS service principal (SCHEMA)"
    ]


def test_schema_is_valid_draft_2020_12_and_printed_verbatim() -> None:
    schema = catalog_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema_path() == ROOT / "schema" / "catalog.schema.json"
    assert json.loads(schema_path().read_text()) == schema


def test_every_object_in_the_schema_refuses_unknown_keys() -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                assert node.get("additionalProperties") is False, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(catalog_schema(), "#")


def test_every_string_has_an_alphabet_or_is_free_text() -> None:
    """Strings reach IAM JSON, Vault HCL and SQL: each is a pattern, an enum or free text."""

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string":
                assert "pattern" in node, where
                if node.get("title") == "free text":
                    assert node["pattern"].startswith("^(?:[^\\u0000-\\u001f\\u007f-\\u009f")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(catalog_schema(), "#")


def test_example_catalog_is_valid_with_positions() -> None:
    catalog = load_catalog(ROOT / "catalog.yaml")
    assert len(catalog.secrets) >= 12
    assert catalog.position(("secrets", "payments/stripe-api-key")) == Position(101, 3)
    assert catalog.position(("secrets", "payments/stripe-api-key", "rotation", "every")) == (
        Position(109, 16)
    )
    assert catalog.position(("services", "etl-runner", "nope")) == Position(40, 3)
    orders = catalog.secrets["payments/orders-db-app"]
    assert orders.rotation is not None and orders.rotation.every_seconds == 7 * 86400
    assert orders.consumers[0].environments == ("dev", "staging", "prod")


def test_load_catalog_raises_with_every_diagnostic(tmp_path: Path) -> None:
    bad = tmp_path / "c.yaml"
    bad.write_text(
        MINIMAL.replace("every: 30d", "every: 40x").replace("team: payments", "team: nobody")
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad)
    assert [d.render() for d in caught.value.diagnostics] == [
        f"{bad}:8:11: error: services.checkout-api.team: unknown team 'nobody' "
        "(known: payments) (UNKNOWN_REF)",
        f"{bad}:17:23: error: secrets.payments/stripe-api-key.rotation.every: '40x' is not a "
        "duration (a whole number and a unit: s, m, h, d or w, e.g. 30d or 4h) (SCHEMA)",
    ]
    assert str(caught.value).splitlines()[1].endswith("e.g. 30d or 4h) (SCHEMA)")


def test_empty_optional_sections_are_allowed() -> None:
    text = MINIMAL.replace("secrets:", "databases:\nwaivers:\nsecrets:")
    catalog, diagnostics = parse_catalog(text)
    assert diagnostics == [] and catalog is not None and catalog.databases == {}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("region: eu-west-1", "region: eu-west", "'eu-west' is not an AWS region (like eu-west-1)"),
        (
            "{contact: payments-oncall@example.com,",
            "{contact: x@y.z, extra: 1,",
            "unknown key 'extra'",
        ),
        (
            "ecs-tasks.amazonaws.com}}",
            "ecs-tasks.amazonaws.com, role_arn: 'arn:aws:iam::222222222222:role/x'}}",
            "set exactly one of service, role_arn, oidc",
        ),
        (
            "type: api-key",
            "type: apikey",
            "'apikey' is not one of api-key, password, database, certificate, generic; "
            "did you mean 'api-key'?",
        ),
        (
            "every: 30d, window: 2h",
            "every: 30d, window: 2h, every2: 1d",
            "unknown key 'every2'; did you mean 'every'?",
        ),
        ("payments/stripe-api-key:", "a/b/c/d/e:", "'a/b/c/d/e' is not a valid secret id"),
        ("payments/stripe-api-key:", f"{'a' * 129}:", "is longer than 128 characters"),
        ("checkout-api:\n", 'checkout-api":\n', None),
        (
            "service: checkout-api, access: read",
            "service: checkout-api, access: admin",
            "'admin' is not one of read, write",
        ),
        (
            "every: 30d, window: 2h",
            "every: 30d, window: 2h, strategy: 1",
            "1 is not one of single-user",
        ),
    ],
)
def test_schema_messages(old: str, new: str, expected: str | None) -> None:
    text = MINIMAL.replace(old, new, 1)
    _, diagnostics = parse_catalog(text)
    assert diagnostics, text
    if expected is not None:
        assert any(expected in d.message for d in diagnostics), [d.render() for d in diagnostics]
    assert all("\n" not in d.render() for d in diagnostics)


def test_trailing_newlines_never_pass_an_alphabet() -> None:
    """Python's ``$`` matches before a final newline; the schema's must not (ECMA-262)."""
    text = (
        MINIMAL.replace(
            "{contact: payments-oncall@example.com,", '{contact: "payments-oncall@example.com\\n",'
        )
        .replace("description: Stripe restricted key used by checkout", 'description: "Stripe\\n"')
        .replace("checkout-api:", '"checkout-api\\n":', 1)
    )
    catalog, diagnostics = parse_catalog(text)
    assert catalog is None
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:3:23: error: teams.payments.contact: 'payments-oncall@example.com\\n' is "
        "not an email address (SCHEMA)",
        "catalog.yaml:7:3: error: services.checkout-api\\n: 'checkout-api\\n' is not a valid "
        "service name (lowercase letters, digits and '-', starting with a letter, at most 63) "
        "(SCHEMA)",
        "catalog.yaml:12:18: error: secrets.payments/stripe-api-key.description: contains a line "
        "break or another control character; write it on one line (a block scalar needs '>-' "
        "or '|-' to drop the final newline) (SCHEMA)",
    ]


def test_a_mapping_under_a_value_key_is_a_typo_not_a_value() -> None:
    _, diagnostics = parse_catalog(MINIMAL.replace("secrets:", "secret:"))
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:1:1: error: missing required key 'secrets' (SCHEMA)",
        "catalog.yaml:10:1: error: secret: unknown key 'secret'; did you mean 'secrets'? (SCHEMA)",
    ]
