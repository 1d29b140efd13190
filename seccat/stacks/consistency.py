"""Does a stack's AWS provider configuration agree with its catalog environment?

One pure function, used under the Pulumi CLI (values from ``pulumi.Config("aws")``) and
offline (values from the stack file): a us-east-1 catalog deployed with eu-west-1 stack
config would put the environment's secrets, keys and roles in the wrong region, and an
`allowedAccountIds` that names another account lets one environment's credentials reach
another. The catalog is the source of truth; the stack file must repeat it exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from seccat.catalog.diagnostics import Diagnostic
from seccat.catalog.model import Catalog, Position

REGION = "aws:region"
ACCOUNTS = "aws:allowedAccountIds"
#: The stack config keys the comparison reads, and so the ones the offline engine passes on.
KEYS = (REGION, ACCOUNTS)
CODE = "STACK_CONFIG"
_START = Position(1, 1)


@dataclass(frozen=True)
class ProviderConfig:
    """What the stack says about the AWS provider, and where it says it.

    Values are as configured (None when unset): the region a string, the account ids a
    list; anything else is reported, not coerced.
    """

    file: str
    region: object = None
    allowed_account_ids: object = None
    region_at: Position = _START
    accounts_at: Position = _START

    @classmethod
    def from_values(
        cls,
        file: str,
        values: Mapping[str, object],
        positions: Mapping[str, Position] | None = None,
    ) -> ProviderConfig:
        """From fully qualified config keys (`aws:region`), as a stack file or the Pulumi
        CLI gives them."""
        at = positions or {}
        return cls(
            file=file,
            region=values.get(REGION),
            allowed_account_ids=values.get(ACCOUNTS),
            region_at=at.get(REGION, _START),
            accounts_at=at.get(ACCOUNTS, _START),
        )


def provider_config_problems(
    catalog: Catalog, environment: str, stack: ProviderConfig, *, require: bool
) -> list[Diagnostic]:
    """Every way ``stack`` disagrees with ``catalog.environments[environment].aws``.

    Each diagnostic sits on the stack file's line and names the catalog line it contradicts.
    With ``require`` an unset key is a problem too (under the Pulumi CLI the provider would
    otherwise take its region from the shell and accept any account's credentials).
    """
    env = catalog.environments[environment]
    if env.aws is None:
        return []
    problems: list[Diagnostic] = []

    def truth(field: str) -> str:
        path = ("environments", environment, "aws", field)
        pos = catalog.position(path)
        return f"{catalog.source}:{pos.line}:{pos.column} ({'.'.join(path)})"

    def problem(at: Position, key: str, message: str) -> None:
        problems.append(Diagnostic(stack.file, at.line, at.column, f"config.{key}", message, CODE))

    region, account = env.aws.region, env.aws.account_id
    if stack.region is None:
        if require:
            problem(
                stack.region_at,
                REGION,
                f"not set; it must be {region}, the region of {truth('region')}",
            )
    elif stack.region != region:
        problem(
            stack.region_at,
            REGION,
            f"{_show(stack.region)} disagrees with {truth('region')}, which is {region}",
        )

    accounts = stack.allowed_account_ids
    if accounts is None:
        if require:
            problem(
                stack.accounts_at,
                ACCOUNTS,
                f'not set; it must be ["{account}"], the account of {truth("account_id")}',
            )
    elif not isinstance(accounts, list) or not all(
        isinstance(a, str | int) and not isinstance(a, bool) for a in accounts
    ):
        problem(
            stack.accounts_at,
            ACCOUNTS,
            f"{_show(accounts)} is not a list of account ids; it must be "
            f'["{account}"], the account of {truth("account_id")}',
        )
    elif [str(a) for a in accounts] != [account]:
        listed = [str(a) for a in accounts]
        why = (
            f"does not allow {account}"
            if account not in listed
            else "also allows "
            + ", ".join(a for a in listed if a != account)
            + ", so another account's credentials could deploy this environment"
        )
        problem(
            stack.accounts_at,
            ACCOUNTS,
            f"{_show(listed)} {why}; it must be exactly "
            f'["{account}"], the account of {truth("account_id")}',
        )
    return problems


def _show(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in value) + "]"
    return str(value)
