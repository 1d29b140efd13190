"""What a waiver's ``target`` names, and the suggestion when it names nothing.

A target is exactly one secret id or service name, or the environment-qualified form a
finding prints (``prod/payments/partner-tls``, ``<env>/<secret id or service>``), which
waives in that environment only. A secret or service whose own id is written that way wins:
the plain reading is tried first.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """A resolved waiver target: the secret or service id and, when the target was
    qualified, the one environment it names."""

    name: str
    environment: str | None = None


def resolve(target: str, names: Collection[str], environments: Collection[str]) -> Target | None:
    """The secret or service ``target`` names (plain or ``<env>/<id>``), or None."""
    if target in names:
        return Target(target)
    env, _, rest = target.partition("/")
    if rest and env in environments and rest in names:
        return Target(rest, env)
    return None


def suggestion(target: str, names: Collection[str], environments: Collection[str]) -> str | None:
    """The target the author most likely meant, in the form they used.

    A resource name copied from a finding (``prod/payments/partner-tls/rotation``) is cut
    back to the secret it belongs to; a misspelling gets the closest id."""
    env, _, rest = target.partition("/")
    if rest and env in environments:
        inner = _closest_name(rest, names)
        return f"{env}/{inner}" if inner else None
    return _closest_name(target, names)


def _closest_name(text: str, names: Collection[str]) -> str | None:
    segments = text.split("/")
    for end in range(len(segments) - 1, 0, -1):
        prefix = "/".join(segments[:end])
        if prefix in names:
            return prefix
    if len(names) > 2000:  # a did-you-mean over thousands of ids costs more than it helps
        return None
    last = segments[-1]
    for candidate in difflib.get_close_matches(text, list(names), n=3, cutoff=0.75):
        # ids share team prefixes ("payments/"), which alone make two ids look alike:
        # the last segment must look alike too ("payments/zzz" is not "payments/d")
        if difflib.SequenceMatcher(None, last, candidate.split("/")[-1]).ratio() >= 0.6:
            return candidate
    return None
