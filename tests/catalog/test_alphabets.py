"""The one table of alphabets feeds the schema, the docs and the renderers alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seccat.catalog.alphabets import ALPHABETS, markdown_table, matches, schema_defs
from seccat.catalog.quickcheck import ecma_regex
from seccat.catalog.schema import catalog_schema, schema_path, schema_text
from seccat.documents.names import UnsafeName, require

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_file_is_generated_from_the_table() -> None:
    assert schema_path().read_text(encoding="utf-8") == schema_text(), (
        "schema/catalog.schema.json is stale: run `seccat schema --write`"
    )


def test_every_pattern_in_the_schema_is_an_alphabet() -> None:
    """No string constraint lives outside the table: a pattern anywhere else would let
    validation and the renderers drift apart."""
    defs = schema_defs()
    generated = {json.dumps(d, sort_keys=True) for d in defs.values()}

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "pattern" in node:
                assert json.dumps(node, sort_keys=True) in generated, where
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(catalog_schema(), "#")


def test_docs_show_the_table() -> None:
    text = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    begin = text.index("<!-- alphabets:begin")
    body = text[text.index("\n", begin) + 1 : text.index("<!-- alphabets:end -->")]
    assert body == markdown_table()


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        ("mount", ["kv-prod", "db2"], ["kv_prod", "1kv", "sys", "auth", "Kv", "kv-prod\n"]),
        ("region", ["eu-west-1", "us-gov-west-1"], ["eu-west-10", "eu-west", "EU-west-1"]),
        (
            "audit_file_path",
            ["/var/log/openbao/audit.log", "stdout", "/vault/logs/audit.log"],
            ["/etc/shadow", "/var/log/../etc/shadow", "/var/log/", "file"],
        ),
        ("oidc_audience", ["sts.amazonaws.com"], ["*", "sts.*", ""]),
        ("k8s_name", ["payments", "1abc"], ["-abc", "abc-", "Payments"]),
        ("free_text", ["Stripe key for checkout"], ["a\u202eb", "a\u200bb", "x\U000e0041"]),
        ("waiver_target", ["payments/partner-tls"], ["payments/*", "*", "data/?"]),
    ],
)
def test_validation_and_rendering_draw_the_same_line(
    kind: str, good: list[str], bad: list[str]
) -> None:
    """What the schema pattern accepts, ``matches`` and ``require`` accept; what it refuses,
    they refuse (the negative half is the point: these values crashed rendering once)."""
    pattern = ecma_regex(f"^(?:{ALPHABETS[kind].pattern})$")
    for value in good:
        assert pattern.search(value) and matches(kind, value), value
        assert require(value, kind) == value
    for value in bad:
        assert not matches(kind, value), value
        with pytest.raises(UnsafeName):
            require(value, kind)


def test_free_text_refuses_invisible_characters_the_pattern_cannot_express() -> None:
    """Tag characters (U+E0000 block) hide text from reviewers; the schema pattern cannot
    name them portably, so the table's refused categories do, for validation and rendering."""
    hidden = "Stripe key" + "".join(chr(0xE0000 + ord(c)) for c in "sk_live_x")
    assert ecma_regex(f"^(?:{ALPHABETS['free_text'].pattern})$").search(hidden)
    assert not matches("free_text", hidden)
