"""Random secret values from the catalog's ``generate:`` block, shared by every rotator.

Uses the stdlib ``secrets`` CSPRNG rather than ``secretsmanager:GetRandomPassword`` so the same
code serves AWS and Vault rotators and needs no network call. The alphabet mirrors
GetRandomPassword (letters, digits, ``string.punctuation``) so a catalog means the same thing
whichever store holds the secret.
"""

from __future__ import annotations

import os
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass

MIN_LENGTH = 1
MAX_LENGTH = 4096  # GetRandomPassword's limit, kept so both paths accept the same catalogs
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation)
_MAX_DRAWS = 10_000

ENV_LENGTH = "SECCAT_GENERATE_LENGTH"
ENV_EXCLUDE_CHARACTERS = "SECCAT_GENERATE_EXCLUDE_CHARACTERS"
ENV_EXCLUDE_PUNCTUATION = "SECCAT_GENERATE_EXCLUDE_PUNCTUATION"
ENV_REQUIRE_EACH = "SECCAT_GENERATE_REQUIRE_EACH_INCLUDED_TYPE"


class GenerateConfigError(ValueError):
    """The generate settings cannot produce a value (bad length, empty alphabet...)."""


@dataclass(frozen=True)
class GenerateSpec:
    """Same fields and defaults as the catalog's ``Generate``; none of them is secret."""

    length: int = 32
    exclude_characters: str = ""
    exclude_punctuation: bool = False
    require_each_included_type: bool = True

    def __post_init__(self) -> None:
        if not MIN_LENGTH <= self.length <= MAX_LENGTH:
            raise GenerateConfigError(
                f"length must be between {MIN_LENGTH} and {MAX_LENGTH}, got {self.length}"
            )
        classes = self.character_classes()
        if not classes:
            raise GenerateConfigError("every character is excluded: the alphabet is empty")
        if self.require_each_included_type and self.length < len(classes):
            raise GenerateConfigError(
                f"length {self.length} cannot include one of each of {len(classes)} "
                "character types; raise length or set require_each_included_type: false"
            )

    def character_classes(self) -> tuple[str, ...]:
        """The non-empty character classes left after exclusions, in a stable order."""
        excluded = set(self.exclude_characters)
        kept = []
        for cls in _CLASSES:
            if self.exclude_punctuation and cls is string.punctuation:
                continue
            chars = "".join(c for c in cls if c not in excluded)
            if chars:
                kept.append(chars)
        return tuple(kept)

    @property
    def alphabet(self) -> str:
        return "".join(self.character_classes())

    def with_excluded(self, extra: str) -> GenerateSpec:
        """A copy that also excludes ``extra`` (e.g. characters that break connection URLs)."""
        merged = self.exclude_characters + "".join(
            c for c in extra if c not in self.exclude_characters
        )
        return GenerateSpec(
            self.length, merged, self.exclude_punctuation, self.require_each_included_type
        )

    def accepts(self, value: str) -> bool:
        """Whether ``value`` could have come from this spec (used by testSecret)."""
        if len(value) != self.length or not set(value) <= set(self.alphabet):
            return False
        if self.require_each_included_type:
            return all(any(c in cls for c in value) for cls in self.character_classes())
        return True

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GenerateSpec:
        """Read the spec from ``SECCAT_GENERATE_*`` variables; unset means the catalog default."""
        env = os.environ if env is None else env
        default = cls()
        raw_length = env.get(ENV_LENGTH, "").strip()
        try:
            length = int(raw_length) if raw_length else default.length
        except ValueError:
            raise GenerateConfigError(f"{ENV_LENGTH} must be an integer") from None
        return cls(
            length=length,
            exclude_characters=env.get(ENV_EXCLUDE_CHARACTERS, default.exclude_characters),
            exclude_punctuation=_flag(env, ENV_EXCLUDE_PUNCTUATION, default.exclude_punctuation),
            require_each_included_type=_flag(
                env, ENV_REQUIRE_EACH, default.require_each_included_type
            ),
        )

    def to_env(self) -> dict[str, str]:
        """The environment variables that reproduce this spec (for deployment code)."""
        return {
            ENV_LENGTH: str(self.length),
            ENV_EXCLUDE_CHARACTERS: self.exclude_characters,
            ENV_EXCLUDE_PUNCTUATION: str(self.exclude_punctuation).lower(),
            ENV_REQUIRE_EACH: str(self.require_each_included_type).lower(),
        }


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "1", "yes"):
        return True
    if raw in ("false", "0", "no"):
        return False
    raise GenerateConfigError(f"{name} must be true or false")


def generate_value(spec: GenerateSpec) -> str:
    """A uniformly random value over the spec's alphabet.

    Rejection sampling (redraw until each required class appears) keeps the distribution
    uniform over all acceptable values, unlike "one of each, then shuffle".
    """
    alphabet = spec.alphabet
    for _ in range(_MAX_DRAWS):
        value = "".join(secrets.choice(alphabet) for _ in range(spec.length))
        if spec.accepts(value):
            return value
    raise GenerateConfigError(  # only reachable with pathological exclusions
        "could not draw a value containing every character type; relax the generate settings"
    )
