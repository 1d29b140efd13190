"""Why an operations command stops, with the exit code the CLI gives it.

Messages name secrets, ARNs, roles and versions, never a value: they come from seccat's own
text and from AWS/Vault error codes, and AWS error messages carry no secret value.
"""

from __future__ import annotations

from typing import Any

#: Same contract as every seccat command (seccat.cli.app): 1 findings, 2 usage or input.
EXIT_FINDINGS = 1
EXIT_USAGE = 2

#: Error codes AWS uses for an authorization failure, across the services seccat calls.
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)


class OperationError(Exception):
    """A command cannot go on: ``message`` for stderr, ``code`` the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ('' for anything else)."""
    response: Any = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_access_denied(exc: BaseException) -> bool:
    return error_code(exc) in ACCESS_DENIED_CODES


def owner_role_hint(owner_role_arn: str | None) -> str:
    """What a refused change of a secret means under seccat's secret resource policy."""
    who = f" ({owner_role_arn})" if owner_role_arn else " (teams.<team>.aws.owner_role)"
    return (
        "the secret's resource policy lets only its rotation role, its declared writers and "
        f"the owning team's owner role{who} rotate it, move its stages or tag it; run this "
        "command with that owner role's credentials (docs/operations.md#permissions)"
    )


def aws_failure(exc: BaseException, doing: str, *, owner_role_arn: str | None = None) -> str:
    """One line for a failed AWS call: what was being done and the AWS error code. A refused
    change of a secret (``owner_role_arn`` given) says who may make it; a refused read points
    at the permissions the command needs."""
    code = error_code(exc) or type(exc).__name__
    if code in ACCESS_DENIED_CODES:
        if owner_role_arn is not None:
            return f"{doing}: {code}: {owner_role_hint(owner_role_arn)}"
        return f"{doing}: {code}: see docs/operations.md#permissions for what this command needs"
    return f"{doing}: {code}"
