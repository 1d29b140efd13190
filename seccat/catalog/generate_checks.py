"""Whether a secret's ``generate:`` block can produce a value at all.

The rotation functions draw values from the character classes of GetRandomPassword
(functions/rotation/generator.py: lowercase, uppercase, digits, punctuation), minus the
exclusions. A block that excludes every character, or that requires one character of more
classes than ``length`` holds, makes every rotation fail at run time; validation refuses
it where it was written. tests/rotation/test_generate_checks.py keeps these classes and
the generator's identical.
"""

from __future__ import annotations

import string
from typing import Any

from seccat.catalog.reporting import Report
from seccat.catalog.yamlsource import RawPath

#: The generator's character classes, in its order.
CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)
#: Characters the PostgreSQL rotator never uses, whatever the catalog says (they would
#: break the connection URLs clients build from the secret): functions/rotation/postgres.py.
URL_UNSAFE = ":/@\"'\\"
#: Types whose value seccat generates (model.GENERATED_TYPES).
_GENERATED = frozenset({"api-key", "password", "database"})


def kept_classes(exclude: str, no_punctuation: bool) -> list[str]:
    """The non-empty classes left after the exclusions, as the generator computes them."""
    excluded = set(exclude)
    kept = []
    for chars in CLASSES:
        if no_punctuation and chars is string.punctuation:
            continue
        left = "".join(c for c in chars if c not in excluded)
        if left:
            kept.append(left)
    return kept


def check_generate(report: Report, path: RawPath, secret: dict[str, Any]) -> None:
    """The generate block of a schema-valid secret yields values for every rotator."""
    generate = secret.get("generate")
    if generate is None or secret["type"] not in _GENERATED:
        return
    gpath = (*path, "generate")
    exclude = generate.get("exclude_characters", "")
    no_punctuation = generate.get("exclude_punctuation", False)
    where = (*gpath, "exclude_characters") if "exclude_characters" in generate else gpath
    postgres = secret["type"] == "database" and secret["store"] == "aws-secretsmanager"
    kept = kept_classes(exclude + (URL_UNSAFE if postgres else ""), no_punctuation)
    if not kept:
        also = " (with the characters the PostgreSQL rotator never uses)" if postgres else ""
        report.at_value(
            where,
            f"generate excludes every character{also}; no value can be generated: keep "
            "letters or digits",
            "GENERATE",
        )
        return
    length = generate.get("length", 32)
    if generate.get("require_each_included_type", True) and length < len(kept):
        report.at_value(
            (*gpath, "length") if "length" in generate else gpath,
            f"length {length} cannot hold one character of each of the {len(kept)} character "
            "types left; raise length or set require_each_included_type: false",
            "GENERATE",
        )
