"""IAM ARN globs as AWS matches them: ``*`` and ``?`` only, compared with a regular
expression built the same way on generated patterns."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from seccat.policies.iam import glob_matches

_alphabet = "ab:/-*?[]"


def _oracle(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=_alphabet, max_size=10), st.text(alphabet="ab:/-[]", max_size=12))
def test_glob_matches_as_the_regular_expression(pattern: str, text: str) -> None:
    assert glob_matches(pattern, text) == _oracle(pattern, text)


def test_secret_arn_patterns() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/key-AbCdEf"
    pattern = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/key-??????"
    assert glob_matches(pattern, arn)
    assert not glob_matches(pattern, arn + "g")  # exactly six characters
    assert glob_matches("arn:aws:secretsmanager:*:*:secret:prod/*", arn)
    assert not glob_matches("arn:aws:secretsmanager:*:*:secret:dev/*", arn)
    # brackets are literal to IAM (fnmatch would read a character class)
    assert not glob_matches("arn:aws:secretsmanager:[e]u-west-1:*", arn)
    assert glob_matches("a[b]c", "a[b]c")
