"""Rotation functions hold no secret in their environment variables."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import LAMBDA_FUNCTION

_SENSITIVE_NAME = re.compile(
    r"(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)", re.I
)
#: Names that *refer* to a secret rather than hold one.
_REFERENCE_SUFFIX = re.compile(
    r"(_ARN|_ID|_NAME|_ENDPOINT|_URL|_REGION|_LENGTH|_PATH|_TTL|_STAGE|_CHARACTERS|_PUNCTUATION"
    r"|_TYPE|_STRATEGY)$",
    re.I,
)
_ACCESS_KEY = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")
_REFERENCE_VALUE = re.compile(r"^(arn:|\{\{resolve:|https?://|/)")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


#: A token-shaped value: one run of base64/hex/url-safe characters (no dots, so host names
#: and dotted identifiers are not mistaken for keys).
_TOKEN = re.compile(r"^[A-Za-z0-9+/=_-]{32,}$")


def _looks_secret(value: str) -> bool:
    if _ACCESS_KEY.search(value) or _PEM.search(value):
        return True
    if not _TOKEN.match(value):
        return False
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    return classes >= 2 and _entropy(value) >= 4.0


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    variables = get(args.props, "environment", "variables")
    if not isinstance(variables, Mapping):
        return
    for name in variables:
        value = variables[name]
        text = "" if value is None else str(value)
        if value == "[secret]" or (
            _SENSITIVE_NAME.search(name)
            and not _REFERENCE_SUFFIX.search(name)
            and text
            and not _REFERENCE_VALUE.match(text)
            and not text.replace(".", "").isdigit()
            and text.lower() not in ("true", "false")
        ):
            # Never echo the value: a finding must not leak what it found.
            yield f"environment variable {name} looks like it holds a secret value"
        elif _looks_secret(text):
            yield f"environment variable {name} has a value that looks like a credential"


RULE = Rule(
    id="SECCAT-LMB-001",
    title="No secrets in function environment variables",
    description=(
        "Lambda environment variables are readable by anyone with lambda:GetFunction"
        "Configuration and land in state, so they may hold references (ARNs, names, "
        "endpoints) but never a secret value: no sensitive variable names with literal "
        "values, no AWS access keys, PEM private keys or long high-entropy strings "
        "(Checkov CKV_AWS_45)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="resource",
    resource_types=(LAMBDA_FUNCTION,),
    controls=(),
    remediation=(
        "Pass the secret's ARN and read the value at runtime from Secrets Manager or Vault."
    ),
    check=check,
)
