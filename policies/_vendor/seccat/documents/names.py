"""Strict alphabets for every name that reaches a template, and deterministic naming.

Catalog validation already rejects hostile names with the very same alphabets; this is the
second line of defence, so a bug upstream can never turn into policy or SQL injection.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import Final

from seccat.catalog.alphabets import ALPHABETS, matches

#: Strings seccat builds itself from already-checked parts (names, ARNs, ARN patterns);
#: catalog values are checked against the catalog's own alphabets instead.
GENERATED: Final[dict[str, re.Pattern[str]]] = {
    "aws_name": re.compile(r"[A-Za-z0-9+=,.@_/-]{1,512}"),
    "arn": re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9+=,.@_/:-]+"),
    # An ARN as IAM matches it: the arn alphabet plus the wildcards * and ? (in the region
    # too: a secret's replicas share its ARN in every other region).
    "arn_pattern": re.compile(
        r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9*-]*:[0-9]{0,12}:[A-Za-z0-9+=,.@_/:*?-]+"
    ),
}

#: ``name`` is the one alphabet of team, service, environment and database names.
_ALIASES: Final[dict[str, str]] = {"name": "environment"}


class UnsafeName(ValueError):
    """A value outside its alphabet was about to reach a generated document."""


def require(value: object, kind: str) -> str:
    """Return ``value`` if it is in the ``kind`` alphabet, else raise UnsafeName.

    ``kind`` is a catalog alphabet (seccat.catalog.alphabets, the same table validation
    uses) or one of the GENERATED kinds."""
    # Values already found good are remembered per kind: the same environment, team and
    # service names are checked for every name built from them, and a 10,000-secret
    # catalog's name registry checks each of its ids and function names several times
    # (an lru_cache of 4,096 entries missed on every one of them).
    if value.__class__ is str and value in _GOOD[kind]:
        return value
    if isinstance(value, str) and _known_good(value, kind):
        _remember(value, kind)
        return value
    raise UnsafeName(f"refusing {kind} {value!r}: outside the allowed alphabet")


#: Good values per kind, and how many in all before they are forgotten (a bound on memory
#: for a long-lived process; a large catalog holds far fewer distinct names).
_GOOD: defaultdict[str, set[str]] = defaultdict(set)
_GOOD_MAX = 1 << 18
_good_count = 0


def _remember(value: str, kind: str) -> None:
    global _good_count
    if _good_count >= _GOOD_MAX:
        _GOOD.clear()
        _good_count = 0
    _GOOD[kind].add(value)
    _good_count += 1


def _known_good(value: str, kind: str) -> bool:
    alphabet = _ALIASES.get(kind, kind)
    if alphabet in ALPHABETS:
        ok = matches(alphabet, value)
    else:
        pattern = GENERATED[kind]
        ok = isinstance(value, str) and value.isascii() and bool(pattern.fullmatch(value))
    return ok


def bounded(name: str, limit: int) -> str:
    """Keep ``name`` under an AWS length limit; long names get a stable hash suffix so two
    long names never collide after truncation."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9]}-{digest}"


def slug(secret_id: str) -> str:
    """A secret id as one path segment ('payments/stripe-api-key' -> 'payments.stripe-api-key').

    '.' never occurs in an id, so the mapping is collision-free and reversible.
    """
    return require(secret_id, "secret_id").replace("/", ".")


def aws_secret_name(environment: str, secret_id: str) -> str:
    """The Secrets Manager name: ``<env>/<id>``, so one account can host several
    environments without collisions."""
    return f"{require(environment, 'name')}/{require(secret_id, 'secret_id')}"


def secret_arn_pattern(region: str, account_id: str, environment: str, secret_id: str) -> str:
    """The ARN of a secret as IAM must match it: AWS appends a random 6-character suffix."""
    return (
        f"arn:aws:secretsmanager:{require(region, 'region')}:{require(account_id, 'account_id')}"
        f":secret:{aws_secret_name(environment, secret_id)}-??????"
    )


def in_every_region(arn_pattern: str) -> str:
    """The same ARN pattern with its region replaced by ``*``: the primary secret and its
    replicas, whose ARNs differ only in the region (and which carry the same resource
    policy, replicated by Secrets Manager)."""
    parts = require(arn_pattern, "arn_pattern").split(":", 4)
    return ":".join([*parts[:3], "*", parts[4]])


def service_role_name(environment: str, service: str) -> str:
    """IAM role of a consuming service in one environment (64-character IAM limit)."""
    return bounded(f"seccat-{require(environment, 'name')}-{require(service, 'name')}", 64)


def rotation_function_name(environment: str, secret_id: str) -> str:
    """The Lambda (and its IAM role) rotating one Secrets Manager secret: '/' becomes '_',
    which no id contains, so two ids never share a function."""
    stem = f"seccat-{require(environment, 'name')}-rotate-{require(secret_id, 'secret_id')}"
    return bounded(stem.replace("/", "_"), 64)


def rotation_log_group_name(environment: str, secret_id: str) -> str:
    """Log group of a secret's rotation function (the KMS key policy allows /seccat/<env>/*)."""
    return f"/seccat/{require(environment, 'name')}/rotation/{require(secret_id, 'secret_id')}"


def rotation_layer_name(environment: str) -> str:
    """The PostgreSQL rotators' dependency layer of one environment."""
    return f"seccat-{require(environment, 'name')}-rotation-dependencies"


def kms_alias_name(environment: str) -> str:
    """The environment's key alias, the same in every region holding its replicas."""
    return f"alias/seccat/{require(environment, 'name')}"


def consumer_policy_name(environment: str) -> str:
    """Inline policy on a service's role: one per environment, so a role shared by two
    environments (an existing role) would keep both."""
    return f"seccat-{require(environment, 'name')}-secrets"


#: Inline policy of every rotation function's role.
ROTATION_POLICY_NAME: Final = "seccat-rotation"
#: Statement id of the permission letting Secrets Manager invoke a rotation function.
ROTATION_INVOKE_STATEMENT: Final = "SecretsManagerRotation"
