"""Validation accepts a generate: block exactly when the rotators can generate from it.

The semantic check (seccat/catalog/generate_checks.py) mirrors the generator the rotation
functions run (functions/rotation/generator.py); these tests tie the two together and
show that the generator's rejection sampling always finds a value for an accepted block.
"""

from __future__ import annotations

import itertools
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rotation import generator, postgres
from rotation.generator import GenerateConfigError, GenerateSpec, generate_value

from seccat.catalog import generate_checks
from seccat.catalog.loader import parse_catalog

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = (ROOT / "tests" / "fixtures" / "catalogs" / "minimal.yaml").read_text()
PRINTABLE = "".join(chr(c) for c in range(0x21, 0x7F))


def test_the_check_uses_the_generators_classes_and_exclusions() -> None:
    assert generate_checks.CLASSES == generator._CLASSES
    assert generate_checks.URL_UNSAFE == postgres.URL_UNSAFE


def _catalog(generate: str, kind: str = "api-key") -> str:
    text = MINIMAL.replace("type: api-key", f"type: {kind}").replace(
        "    rotation: {every: 30d, window: 2h}\n",
        f"    rotation: {{every: 30d, window: 2h}}\n    generate: {generate}\n",
    )
    if kind == "database":
        text = text.replace(
            "secrets:\n",
            "databases:\n  orders-db: {host: db.example.com, database: orders}\nsecrets:\n",
        ).replace(
            "    generate:", "    database: {database: orders-db, username: app}\n    generate:"
        )
    return text


def test_a_block_that_excludes_every_character_is_refused_where_it_was_written() -> None:
    everything = string.ascii_letters + string.digits
    _, diagnostics = parse_catalog(
        _catalog(f'{{exclude_punctuation: true, exclude_characters: "{everything}"}}')
    )
    assert [d.render() for d in diagnostics] == [
        "catalog.yaml:18:63: error: secrets.payments/stripe-api-key.generate.exclude_characters: "
        "generate excludes every character; no value can be generated: keep letters or digits "
        "(GENERATE)"
    ]


def test_a_database_login_also_loses_the_characters_the_postgres_rotator_never_uses() -> None:
    """Letters and digits excluded, only punctuation left: fine for an API key, but the
    PostgreSQL rotator drops : / @ " ' \\ as well; what is left must still be non-empty."""
    leave = "".join(c for c in string.punctuation if c not in generate_checks.URL_UNSAFE)
    exclude = string.ascii_letters + string.digits + leave
    escaped = exclude.replace("\\", "\\\\").replace('"', '\\"')
    catalog, diagnostics = parse_catalog(_catalog(f'{{exclude_characters: "{escaped}"}}'))
    assert catalog is not None and diagnostics == []
    _, diagnostics = parse_catalog(
        _catalog(f'{{exclude_characters: "{escaped}"}}', kind="database")
    )
    assert [d.code for d in diagnostics] == ["GENERATE"]
    assert "the characters the PostgreSQL rotator never uses" in diagnostics[0].message


@settings(max_examples=300, deadline=None)
@given(
    exclude=st.sets(st.sampled_from(PRINTABLE)).map(lambda s: "".join(sorted(s))),
    no_punctuation=st.booleans(),
    require_each=st.booleans(),
    length=st.sampled_from([12, 13, 16, 32, 4096]),
    postgres_login=st.booleans(),
)
def test_validation_accepts_exactly_what_the_generator_can_generate(
    exclude: str, no_punctuation: bool, require_each: bool, length: int, postgres_login: bool
) -> None:
    kept = generate_checks.kept_classes(
        exclude + (generate_checks.URL_UNSAFE if postgres_login else ""), no_punctuation
    )
    accepted = bool(kept) and not (require_each and length < len(kept))
    spec_args = (length, exclude, no_punctuation, require_each)
    try:
        spec = GenerateSpec(*spec_args)
        if postgres_login:
            spec = spec.with_excluded(postgres.URL_UNSAFE)
    except GenerateConfigError:
        assert not accepted
        return
    assert accepted
    assert spec.character_classes() == tuple(kept)
    value = generate_value(spec)
    assert spec.accepts(value)


def test_rejection_sampling_cannot_run_out_of_draws() -> None:
    """Every accepted block has length >= 12 (the schema's minimum) and at most 4 classes
    of 1 to 32 characters. Over every such multiset of class sizes, the chance that one
    draw of 12 holds every class (inclusion-exclusion) is at least 2%, so all of the
    generator's draws failing has probability below 1e-80."""
    worst = 1.0
    for k in range(1, 5):
        masks = [(m, (-1) ** bin(m).count("1")) for m in range(1 << k)]
        for sizes in itertools.combinations_with_replacement(range(1, 33), k):
            total = sum(sizes)
            p = 0.0
            for mask, sign in masks:
                missing = sum(sizes[i] for i in range(k) if mask >> i & 1)
                p += sign * ((total - missing) / total) ** 12
            worst = min(worst, p)
    assert worst > 0.02
    assert (1 - worst) ** generator._MAX_DRAWS < 1e-80
