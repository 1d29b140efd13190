"""Hints that lead to a valid catalog in one step: each case is the exact diagnostic a user
sees, so a hint that would cause a second error (quoting a number where a unit is missing,
dropping an account id's leading zero) cannot come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog
from seccat.catalog.yamlsource import read_yaml

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "fixtures" / "catalogs" / "minimal.yaml").read_text()
EVERY = "secrets.payments/stripe-api-key.rotation.every"
WINDOW = "secrets.payments/stripe-api-key.rotation.window"
ACCOUNT = "environments.prod.aws.account_id"


def _diagnostics(old: str, new: str) -> list[str]:
    assert old in MINIMAL
    _, diagnostics = parse_catalog(MINIMAL.replace(old, new, 1), "c.yaml")
    return [d.render() for d in diagnostics]


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        (
            "{every: 60, window: 2h}",
            f"c.yaml:17:23: error: {EVERY}: expected a duration, got a number (60); add a "
            "unit: 60d for days, 60h for hours (s, m, h, d or w) (SCHEMA)",
        ),
        (
            '{every: "60", window: 2h}',
            f"c.yaml:17:23: error: {EVERY}: '60' is not a duration; add a unit: 60d for days, "
            "60h for hours (s, m, h, d or w) (SCHEMA)",
        ),
        (
            "{every: 30d, window: 2}",
            f"c.yaml:17:36: error: {WINDOW}: expected a duration, got a number (2); add a "
            "unit: 2d for days, 2h for hours (s, m, h, d or w) (SCHEMA)",
        ),
        (
            "{every: 1.5, window: 2h}",
            f"c.yaml:17:23: error: {EVERY}: expected a duration, got a number (1.5); a duration "
            "is a whole number and a unit: s, m, h, d or w, e.g. 30d or 4h (SCHEMA)",
        ),
        (
            "{every: 40x, window: 2h}",
            f"c.yaml:17:23: error: {EVERY}: '40x' is not a duration (a whole number and a "
            "unit: s, m, h, d or w, e.g. 30d or 4h) (SCHEMA)",
        ),
        (
            "{every: 30 days, window: 2h}",
            f"c.yaml:17:23: error: {EVERY}: '30 days' is not a duration (a whole number and a "
            "unit: s, m, h, d or w, e.g. 30d or 4h) (SCHEMA)",
        ),
    ],
)
def test_duration_hints_name_the_accepted_forms_and_never_say_quote_it(
    rotation: str, expected: str
) -> None:
    assert _diagnostics("{every: 30d, window: 2h}", rotation) == [expected]
    assert "quote it" not in expected


def test_the_hint_for_a_number_leads_to_a_valid_catalog() -> None:
    """Following the hint (60 -> 60d) gives no new error, unlike quoting it did."""
    assert _diagnostics("{every: 30d, window: 2h}", "{every: 60d, window: 2h}") == []


@pytest.mark.parametrize("written", ["044455556666", "0o17", "222222222222", "2.5e11"])
def test_an_unquoted_account_id_is_quoted_as_written(written: str) -> None:
    """YAML reads 044455556666 as the integer 44455556666; the hint quotes the text."""
    got = _diagnostics('account_id: "222222222222"', f"account_id: {written}")
    assert got == [
        f"c.yaml:5:28: error: {ACCOUNT}: expected a string, got a number ({written}) "
        f'(quote it: "{written}") (SCHEMA)'
    ]
    # and the quoted text itself is what validates (for the 12-digit ones)
    if len(written) == 12 and written.isdigit():
        assert _diagnostics('account_id: "222222222222"', f'account_id: "{written}"') == []


def test_account_ids_in_a_list_keep_their_leading_zeros_too() -> None:
    got = _diagnostics(
        "region: eu-west-1}, protect: true}",
        "region: eu-west-1, trusted_accounts: [044455556666]}, protect: true}",
    )
    assert got == [
        "c.yaml:5:82: error: environments.prod.aws.trusted_accounts[0]: expected a string, "
        'got a number (044455556666) (quote it: "044455556666") (SCHEMA)'
    ]


def test_the_reader_keeps_the_written_text_of_typed_scalars_only() -> None:
    src = read_yaml(b"a: 0044\nb: '0044'\nc: [1.50, true, ~, x]\nd: 0x1F\n")
    assert src.data == {"a": 44, "b": "0044", "c": [1.5, True, None, "x"], "d": 31}
    assert src.written == {
        ("a",): "0044",
        ("c", "0"): "1.50",
        ("c", "1"): "true",
        ("c", "2"): "~",
        ("d",): "0x1F",
    }
