"""No input produces a traceback: mutated versions of the example catalog all load to
diagnostics (or a model), never an exception."""

from __future__ import annotations

import random
from pathlib import Path

from seccat.catalog.loader import parse_catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "catalog.yaml").read_text()

TOKENS = [
    "",
    "null",
    "~",
    "[]",
    "{}",
    "1",
    "-1",
    "1.5",
    "true",
    "x",
    "'x'",
    "&a x",
    "*a",
    "!!str x",
    "[dev, dev]",
    "{every: 1d}",
    "cron(0 0 ? * L *)",
    "rate(1 day)",
    "2027-02-30",
    "\t",
    "payments",
    "prod",
    "orders-db",
    "database",
    "alternating-users",
    "static",
    "dynamic",
    "vault-database",
    "vault-kv",
    "retired",
    "deprecated",
    "eu-central-1",
    "- a",
    ": b",
]


def test_line_and_value_mutations_never_raise() -> None:
    rng = random.Random(7)
    lines = EXAMPLE.splitlines()
    outcomes = set()
    for _ in range(400):
        mutated = list(lines)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(mutated))
            line = mutated[i]
            choice = rng.random()
            if choice < 0.5 and ":" in line:
                key, _, _ = line.partition(":")
                mutated[i] = f"{key}: {rng.choice(TOKENS)}"
            elif choice < 0.7:
                del mutated[i]
            elif choice < 0.85:
                mutated.insert(i, mutated[rng.randrange(len(mutated))])
            else:
                mutated[i] = " " * rng.randint(0, 6) + line.lstrip()
        catalog, diagnostics = parse_catalog("\n".join(mutated) + "\n")
        assert catalog is not None or diagnostics
        for d in diagnostics:
            assert d.line >= 1 and d.column >= 1 and "\n" not in d.render()
        outcomes.update(d.code for d in diagnostics)
    # the mutations reached every stage, not only the YAML parser
    assert {"YAML", "SCHEMA", "DUPLICATE_KEY", "UNKNOWN_REF", "ROTATION"} <= outcomes, outcomes


def test_byte_mutations_never_raise() -> None:
    rng = random.Random(11)
    raw = EXAMPLE.encode()
    for _ in range(200):
        data = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        catalog, diagnostics = parse_catalog(bytes(data))
        assert catalog is not None or diagnostics
