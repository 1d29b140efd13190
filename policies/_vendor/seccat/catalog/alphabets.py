"""The one table of alphabets: every string the catalog accepts, and nothing else.

The JSON Schema's ``$defs`` are generated from this table (``schema_defs``), the semantic
checks read it, and the renderers check every catalog value against it again before it
reaches an IAM, HCL or SQL document (``seccat.documents.names.require``). So whatever
``seccat validate`` accepts renders, and a value the renderer would refuse never passes
validation.

Patterns are written once, in the subset of regular expressions on which ECMA-262 (JSON
Schema) and Python's ``re`` agree, without anchors: both sides match them in full.
Constraints a pattern cannot express portably (Unicode categories) are the ``refused``
categories, checked by the semantic pass and by ``matches``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Alphabet:
    #: The ``$defs`` key in the JSON Schema.
    schema_name: str
    #: What a value of this alphabet is, as error messages say it ("a valid team name").
    title: str
    #: For editors and docs/catalog.md.
    description: str
    #: A full-match pattern (no anchors).
    pattern: str
    max_length: int | None = None
    #: Short hint shown after "is not <title>".
    hint: str | None = None
    #: Unicode general categories refused anywhere in the value (free text only).
    refused: frozenset[str] = frozenset()


_NAME_HINT = "lowercase letters, digits and '-', starting with a letter, at most 63"
_NAME = r"[a-z][a-z0-9-]{0,62}"
#: Vault paths that cannot be mounted (sys, auth, cubbyhole, identity are built in).
VAULT_RESERVED_MOUNTS = ("sys", "auth", "cubbyhole", "identity", "audit")
#: Where an audit log file may live on the Vault server: log directories only, never
#: arbitrary files such as /etc/shadow that the server would append to.
AUDIT_LOG_DIRS = ("/var/log/", "/vault/logs/", "/openbao/logs/")
_PATH_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}"
#: Invisible and control characters: format characters (bidi overrides, zero-width, tag
#: characters), private use, unassigned, surrogates, control, line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})


def _named(schema_name: str, what: str) -> Alphabet:
    return Alphabet(
        schema_name,
        f"a valid {what} name",
        f"{'An' if what[0] in 'aeiou' else 'A'} {what} name: lowercase letters, digits and "
        "'-', starting with a letter, at most 63 characters.",
        _NAME,
        hint=_NAME_HINT,
    )


ALPHABETS: dict[str, Alphabet] = {
    "team": _named("teamName", "team"),
    "service": _named("serviceName", "service"),
    "environment": _named("environmentName", "environment"),
    "database": _named("databaseName", "database"),
    "secret_id": Alphabet(
        "secretId",
        "a valid secret id",
        "A secret id: 1 to 4 segments of lowercase letters, digits and '-' (not starting "
        "with '-'), joined by '/', at most 128 characters.",
        r"[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}",
        max_length=128,
        hint="1-4 segments of lowercase letters, digits and '-', joined by '/'",
    ),
    "shard": Alphabet(
        "shardName",
        "a valid shard name",
        "A shard label: lowercase letters, digits and '-', starting with a letter, at most "
        "20 characters. The secret's stack is <env>.<team>.<shard> (docs/stacks.md).",
        r"[a-z][a-z0-9-]{0,19}",
        max_length=20,
        hint="lowercase letters, digits and '-', starting with a letter, at most 20",
    ),
    "db_identifier": Alphabet(
        "dbIdentifier",
        "a valid PostgreSQL identifier",
        "A PostgreSQL role or database name: lowercase letters, digits and '_', not starting "
        "with a digit, at most 63 characters.",
        r"[a-z_][a-z0-9_]{0,62}",
        hint="lowercase letters, digits and '_', at most 63",
    ),
    "duration": Alphabet(
        "duration",
        "a duration",
        "A duration: a whole number and a unit, s, m, h, d or w (4h, 30d, 2w).",
        r"[1-9][0-9]{0,5}[smhdw]",
        hint="a whole number and a unit: s, m, h, d or w, e.g. 30d or 4h",
    ),
    "schedule": Alphabet(
        "schedule",
        "a schedule expression",
        "An AWS schedule expression: cron(minutes hours day-of-month month day-of-week year) "
        "or rate(N unit), in UTC.",
        r"cron\([0-9A-Za-z*?,/#\- ]{1,200}\)|rate\([0-9]{1,6} [a-z]{3,7}\)",
        max_length=256,
        hint="cron(min hour day-of-month month day-of-week year) or rate(N unit)",
    ),
    "date": Alphabet(
        "date",
        "a date (YYYY-MM-DD)",
        "A calendar date, YYYY-MM-DD; quote it or write it plain.",
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
        hint="like 2027-03-31",
    ),
    "region": Alphabet(
        "region",
        "an AWS region",
        "An AWS region such as eu-west-1.",
        r"[a-z]{2}(-[a-z]+)+-[1-9]",
        max_length=32,
        hint="like eu-west-1",
    ),
    "account_id": Alphabet(
        "accountId",
        "an AWS account id (12 digits, quoted)",
        "An AWS account id: 12 digits, written as a quoted string.",
        r"[0-9]{12}",
    ),
    "email": Alphabet(
        "email",
        "an email address",
        "An email address (letters, digits and . _ + - before the @).",
        r"[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
        max_length=254,
    ),
    "free_text": Alphabet(
        "freeText",
        "free text",
        "Human text on one line. Goes only into descriptions and tags, never into a policy "
        "document; control, format (bidirectional, zero-width, tag), private-use and "
        "unassigned characters and line or paragraph separators are refused, and it is "
        "scanned for secret values.",
        r"[^\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f"
        r"\ufeff\ufff9-\ufffb]*",
        max_length=256,
        refused=INVISIBLE_CATEGORIES,
    ),
    "mount": Alphabet(
        "vaultMount",
        "a valid Vault mount path",
        "A Vault mount path: one segment of lowercase letters, digits and '-', starting with "
        "a letter, at most 63 characters, and not one of Vault's own paths "
        f"({', '.join(VAULT_RESERVED_MOUNTS)}).",
        "(?!(" + "|".join(VAULT_RESERVED_MOUNTS) + ")$)" + _NAME,
        hint=f"{_NAME_HINT}; not {', '.join(VAULT_RESERVED_MOUNTS)}",
    ),
    "audit_file_path": Alphabet(
        "auditFilePath",
        "an audit log file path",
        "Audit log file for the file device: stdout, discard, or a file under "
        f"{', '.join(AUDIT_LOG_DIRS)} (no '..').",
        "stdout|discard|("
        + "|".join(re.escape(d) for d in AUDIT_LOG_DIRS)
        + f"){_PATH_SEGMENT}(/{_PATH_SEGMENT}){{0,15}}",
        max_length=1024,
        hint=f"a file under {', '.join(AUDIT_LOG_DIRS)}, or stdout",
    ),
    "service_principal": Alphabet(
        "awsServicePrincipal",
        "an AWS service principal",
        "An AWS service principal such as ecs-tasks.amazonaws.com.",
        r"[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*\.amazonaws\.com(\.cn)?",
        max_length=128,
    ),
    "role_arn": Alphabet(
        "roleArn",
        "an IAM role ARN",
        "The ARN of one IAM role, arn:aws:iam::<account>:role/<path/name> (no wildcards).",
        r"arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role(/[A-Za-z0-9+=,.@_-]{1,64}){1,32}",
        max_length=512,
    ),
    "oidc_provider_arn": Alphabet(
        "oidcProviderArn",
        "an IAM OIDC provider ARN",
        "The ARN of an IAM OIDC identity provider, "
        "arn:aws:iam::<account>:oidc-provider/<host>[/<path>].",
        r"arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:oidc-provider/[a-z0-9]([a-z0-9.-]{0,251}"
        r"[a-z0-9])?(/[A-Za-z0-9._-]{1,128}){0,8}",
        max_length=512,
    ),
    "oidc_subject": Alphabet(
        "oidcSubject",
        "a valid OIDC subject",
        "An OIDC subject: letters, digits and . _ : / @ = + - plus the IAM wildcards * and "
        "?; never only wildcards.",
        r"[A-Za-z0-9._:/@=+*?-]{1,256}",
    ),
    "oidc_audience": Alphabet(
        "oidcAudience",
        "a valid OIDC audience",
        "An exact OIDC audience (no wildcards): letters, digits and . _ : / @ = + -.",
        r"[A-Za-z0-9._:/@=+-]{1,256}",
    ),
    "iam_role_name": Alphabet(
        "iamRoleName",
        "a valid IAM role name",
        "An IAM role name: letters, digits and + = , . @ _ -, at most 64 characters.",
        r"[A-Za-z0-9+=,.@_-]{1,64}",
    ),
    "hostname": Alphabet(
        "hostname",
        "a valid host name",
        "Host name or IPv4 address of the server (lowercase).",
        r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*",
        max_length=253,
    ),
    "subnet_id": Alphabet("subnetId", "a subnet id", "A VPC subnet id.", r"subnet-[0-9a-f]{8,17}"),
    "security_group_id": Alphabet(
        "securityGroupId", "a security group id", "A security group id.", r"sg-[0-9a-f]{8,17}"
    ),
    "k8s_name": Alphabet(
        "k8sName",
        "a valid Kubernetes name",
        "A Kubernetes namespace or service account name (DNS label).",
        r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
        hint="lowercase letters, digits and '-', at most 63, not starting or ending with '-'",
    ),
    "k8s_audience": Alphabet(
        "kubernetesAudience",
        "a valid Kubernetes token audience",
        "The audience Vault requires in Kubernetes service-account tokens (no wildcards).",
        r"[A-Za-z0-9._:/-]{1,256}",
    ),
    "header_value": Alphabet(
        "iamServerIdHeader",
        "a valid X-Vault-AWS-IAM-Server-ID value",
        "The value of the X-Vault-AWS-IAM-Server-ID header that AWS IAM logins must sign "
        "(usually the Vault server's host name).",
        r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?",
    ),
    "exclude_characters": Alphabet(
        "excludeCharacters",
        "printable ASCII without spaces",
        "Characters never used in generated values (printable ASCII).",
        r"[!-~]{0,94}",
    ),
    "runbook_url": Alphabet(
        "runbookUrl",
        "a runbook URL template",
        "An https URL where the rendered runbooks are published, with {secret} where the "
        "secret id (or _platform/<name>) goes and optionally {environment}: "
        "https://git.example.com/org/repo/blob/main/rendered/{environment}/runbooks/{secret}.md",
        r"https://[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?"
        r"(/([A-Za-z0-9._~%+-]|\{environment\}|\{secret\}){0,200}){0,30}",
        max_length=400,
        hint="https://host/path with {secret} (and {environment}) placeholders",
    ),
    "rule_id": Alphabet(
        "ruleId",
        "a rule id",
        "The id of a policy rule, e.g. SECCAT-AWS-001.",
        r"SECCAT-[A-Z]{2,5}-[0-9]{3}",
    ),
    "waiver_target": Alphabet(
        "waiverTarget",
        "a waiver target",
        "Exactly one secret id or service name (no wildcards), optionally after its "
        "environment: prod/payments/partner-tls waives in prod only.",
        r"[a-z0-9][a-z0-9/-]{0,127}",
    ),
    "approver": Alphabet(
        "approver",
        "an approver",
        "Who approved the waiver (a name or an email).",
        r"[A-Za-z0-9][A-Za-z0-9 ._@+-]{0,127}",
    ),
}


@cache
def _compiled(kind: str) -> re.Pattern[str]:
    return re.compile(ALPHABETS[kind].pattern)


def invisible(text: str) -> str | None:
    """The first character of ``text`` in a refused category, if any (for messages)."""
    for char in text:
        if not char.isascii() and unicodedata.category(char) in INVISIBLE_CATEGORIES:
            return char
        if char.isascii() and (char < " " or char == "\x7f"):
            return char
    return None


def matches(kind: str, value: object) -> bool:
    """Whether ``value`` is a string in the ``kind`` alphabet, exactly as validation decides."""
    alphabet = ALPHABETS[kind]
    if not isinstance(value, str):
        return False
    if alphabet.max_length is not None and len(value) > alphabet.max_length:
        return False
    if _compiled(kind).fullmatch(value) is None:
        return False
    return not (
        alphabet.refused
        and not value.isascii()
        and any(unicodedata.category(c) in alphabet.refused for c in value)
    )


def schema_defs() -> dict[str, dict[str, Any]]:
    """The ``$defs`` of the catalog JSON Schema, one per alphabet."""
    defs: dict[str, dict[str, Any]] = {}
    for alphabet in ALPHABETS.values():
        entry: dict[str, Any] = {
            "title": alphabet.title,
            "description": alphabet.description,
            "type": "string",
            "pattern": f"^(?:{alphabet.pattern})$",
        }
        if alphabet.max_length is not None:
            entry["maxLength"] = alphabet.max_length
        defs[alphabet.schema_name] = entry
    return defs


def by_title(title: str) -> Alphabet | None:
    """The alphabet a schema error's title names (for hints)."""
    for alphabet in ALPHABETS.values():
        if alphabet.title == title:
            return alphabet
    return None


def markdown_table() -> str:
    """The alphabet table as docs/catalog.md shows it (a test keeps the two equal)."""
    rows = ["| alphabet | pattern (matched in full) | max length | meaning |", "|---|---|---|---|"]
    for alphabet in ALPHABETS.values():
        pattern = alphabet.pattern.replace("|", "\\|")
        length = str(alphabet.max_length) if alphabet.max_length is not None else ""
        rows.append(f"| {alphabet.title} | `{pattern}` | {length} | {alphabet.description} |")
    return "\n".join(rows) + "\n"
