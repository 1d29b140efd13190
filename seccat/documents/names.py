"""Strict alphabets for every name that reaches a template, and deterministic naming.

Catalog validation already rejects hostile names; this is the second line of defence, so a
bug upstream can never turn into policy or SQL injection.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "name": re.compile(r"[a-z][a-z0-9-]{0,62}"),
    "secret_id": re.compile(r"(?=.{1,128}$)[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}"),
    "mount": re.compile(r"[a-z][a-z0-9-]{0,62}"),
    "db_user": re.compile(r"[a-z_][a-z0-9_]{0,62}"),
    "account_id": re.compile(r"[0-9]{12}"),
    "region": re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]"),
    "aws_name": re.compile(r"[A-Za-z0-9+=,.@_/-]{1,512}"),
    "arn": re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9+=,.@_/:-]+"),
    # An ARN as IAM matches it: the arn alphabet plus the wildcards * and ?.
    "arn_pattern": re.compile(
        r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[A-Za-z0-9+=,.@_/:*?-]+"
    ),
    "service_principal": re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?"),
    # An OIDC subject may use IAM wildcards, but never be only wildcards (open trust).
    "oidc_subject": re.compile(
        r"(?=[^*?]*[A-Za-z0-9])[A-Za-z0-9._:/@=+-][A-Za-z0-9._:/@=+*?-]{0,255}"
    ),
    "oidc_audience": re.compile(r"[A-Za-z0-9._:/@=+-]{1,256}"),
    "hostname": re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"),
    "subnet_id": re.compile(r"subnet-[0-9a-f]{8,17}"),
    "security_group_id": re.compile(r"sg-[0-9a-f]{8,17}"),
}


class UnsafeName(ValueError):
    """A value outside its alphabet was about to reach a generated document."""


def require(value: object, kind: str) -> str:
    """Return ``value`` if it matches the ``kind`` alphabet in full, else raise UnsafeName."""
    pattern = PATTERNS[kind]
    if not isinstance(value, str) or not value.isascii() or not pattern.fullmatch(value):
        raise UnsafeName(f"refusing {kind} {value!r}: outside the allowed alphabet")
    return value


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


def service_role_name(environment: str, service: str) -> str:
    """IAM role of a consuming service in one environment (64-character IAM limit)."""
    return bounded(f"seccat-{require(environment, 'name')}-{require(service, 'name')}", 64)
