"""Glob intersection against a brute-force oracle: every string up to the proven bound."""

from __future__ import annotations

import itertools
import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from seccat.catalog import iam_globs
from seccat.catalog.iam_globs import (
    intersects,
    literal_prefix,
    literal_suffix,
    only_wildcards,
    overlapping_pairs,
    witness,
)

#: Patterns over two letters and both wildcards; strings over those letters and one more,
#: so '?' and '*' can match a character no literal names.
PATTERN = st.text(alphabet="ab*?", max_size=4)
LETTERS = "abc"


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    """IAM StringLike as a regular expression: the oracle shares no code with the module."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def matches(pattern: str, text: str) -> bool:
    return _regex(pattern).fullmatch(text) is not None


def brute_force(a: str, b: str) -> bool:
    """Some string of length <= len(a) + len(b) matches both (a shortest witness is never
    longer: each useful character advances a position of one pattern)."""
    for length in range(len(a) + len(b) + 1):
        for chars in itertools.product(LETTERS, repeat=length):
            text = "".join(chars)
            if matches(a, text) and matches(b, text):
                return True
    return False


@settings(max_examples=400, deadline=None)
@given(PATTERN, PATTERN)
def test_intersection_agrees_with_brute_force(a: str, b: str) -> None:
    assert intersects(a, b) == brute_force(a, b)


@settings(max_examples=300, deadline=None)
@given(PATTERN, PATTERN)
def test_witness_matches_both_and_is_shortest(a: str, b: str) -> None:
    shown = witness(a, b)
    if shown is None:
        return
    assert matches(a, shown) and matches(b, shown)
    shorter = (
        "".join(chars)
        for length in range(len(shown))
        for chars in itertools.product(LETTERS + "x", repeat=length)
    )
    assert not any(matches(a, t) and matches(b, t) for t in shorter)


@settings(max_examples=200, deadline=None)
@given(PATTERN, PATTERN)
def test_intersection_is_symmetric(a: str, b: str) -> None:
    assert intersects(a, b) == intersects(b, a)


@settings(max_examples=100, deadline=None)
@given(st.lists(PATTERN, max_size=8))
def test_overlapping_pairs_are_exactly_the_intersecting_pairs(patterns: list[str]) -> None:
    expected = {
        (i, j)
        for i, j in itertools.combinations(range(len(patterns)), 2)
        if brute_force(patterns[i], patterns[j])
    }
    found = {(i, j) for i, j, _ in overlapping_pairs(patterns)}
    assert found == expected


def test_subjects_that_share_a_workflow() -> None:
    """The cases catalogs meet: one branch subject against a context wildcard, and two
    GitHub environments that never meet."""
    assert witness("repo:o/r:*", "repo:o/*:ref:refs/heads/main") == ("repo:o/r:ref:refs/heads/main")
    assert not intersects("repo:o/r:environment:dev", "repo:o/r:environment:prod")
    assert not intersects("repo:o/r:environment:dev", "repo:o/r:environment:dev2")
    assert intersects("repo:o/r:environment:dev*", "repo:o/r:environment:dev2")
    # '?' is exactly one character, '*' any run including the empty one
    assert not intersects("a?", "a")
    assert witness("a*", "a") == "a"


def test_literal_ends_and_only_wildcards() -> None:
    assert literal_prefix("repo:o/*:x") == "repo:o/"
    assert literal_suffix("repo:o/*:x") == ":x"
    assert literal_prefix("exact") == literal_suffix("exact") == "exact"
    assert only_wildcards("*?*") and only_wildcards("*")
    assert not only_wildcards("repo:*")


def test_oracle_negative_control() -> None:
    """The oracle itself tells overlapping from disjoint patterns (string equality or a
    prefix test would not), so agreement with it means something."""
    assert brute_force("a*", "*b")  # 'ab'
    assert not brute_force("a*", "b*")
    assert not brute_force("a?", "a")
    assert brute_force("?a", "b?")  # 'ba'
    assert not brute_force("*a", "*b")


# -- matching one string (SECCAT-AWS-005's ARN patterns), against the regular expression


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab:/-*?[]", max_size=10), st.text(alphabet="ab:/-[]", max_size=12))
def test_matches_as_the_regular_expression(pattern: str, text: str) -> None:
    assert iam_globs.matches(pattern, text) == matches(pattern, text)


def test_secret_arn_patterns() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/key-AbCdEf"
    pattern = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/key-??????"
    assert iam_globs.matches(pattern, arn)
    assert not iam_globs.matches(pattern, arn + "g")  # exactly six characters
    assert iam_globs.matches("arn:aws:secretsmanager:*:*:secret:prod/*", arn)
    assert not iam_globs.matches("arn:aws:secretsmanager:*:*:secret:dev/*", arn)
    # brackets are literal to IAM (fnmatch would read a character class)
    assert not iam_globs.matches("arn:aws:secretsmanager:[e]u-west-1:*", arn)
    assert iam_globs.matches("a[b]c", "a[b]c")
