"""AWS service principals a role may trust, and the confused-deputy keys each one sets.

When an AWS service assumes a role it can carry ``aws:SourceAccount`` (the account of the
resource it acts for) and ``aws:SourceArn`` (that resource) in the request. A trust that
requires them cannot be used by the same service acting for another customer (the
cross-service confused deputy, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
Not every service sets them on role assumption, and a condition on a key the service never
sends makes the role unusable, so every entry cites the page of the service's own
documentation that says what it sets; nothing is assumed from the general IAM guidance.

Validation refuses a service principal outside this table unless the catalog says why
(``trust.without_source_keys``); the trust template adds each entry's conditions; and
SECCAT-IAM-007 checks deployed trust policies against the same table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seccat.documents.names import require


@dataclass(frozen=True)
class ServicePrincipal:
    principal: str
    #: Where the service's documentation says which keys it sets when assuming a role.
    source: str
    #: The service sets aws:SourceAccount when it assumes the role.
    source_account: bool
    #: ``aws:SourceArn`` as the documentation scopes it, with ``{partition}``, ``{region}``
    #: and ``{account}`` to fill in; None when the service documents no aws:SourceArn.
    source_arn: str | None = None
    #: For a service that sets no key: why trusting it bare is still bounded.
    why_none: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """The condition keys the trust requires, in the order the template writes them."""
        out = []
        if self.source_arn is not None:
            out.append("aws:SourceArn")
        if self.source_account:
            out.append("aws:SourceAccount")
        return tuple(out)


PRINCIPALS: Mapping[str, ServicePrincipal] = {
    p.principal: p
    for p in (
        ServicePrincipal(
            "ecs-tasks.amazonaws.com",
            # "Use the aws:SourceArn and aws:SourceAccount condition keys ... Using the
            # aws:SourceArn condition key to specify a specific cluster is not currently
            # supported, you should use the wildcard to specify all clusters."
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html",
            source_account=True,
            source_arn="arn:{partition}:ecs:{region}:{account}:*",
        ),
        ServicePrincipal(
            "states.amazonaws.com",
            # "Prevent cross-service confused deputy issue": ArnLike aws:SourceArn
            # arn:aws:states:<region>:<account>:stateMachine:* and aws:SourceAccount.
            "https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html"
            "#prevent-cross-service-confused-deputy",
            source_account=True,
            source_arn="arn:{partition}:states:{region}:{account}:stateMachine:*",
        ),
        ServicePrincipal(
            "scheduler.amazonaws.com",
            # "Confused deputy prevention in EventBridge Scheduler": aws:SourceAccount and
            # aws:SourceArn, which "must be your EventBridge Scheduler schedule group ARN"
            # (a group, never a schedule), arn:aws:scheduler:*:<account>:schedule-group/*
            # when the group is not known.
            "https://docs.aws.amazon.com/scheduler/latest/UserGuide/"
            "cross-service-confused-deputy-prevention.html",
            source_account=True,
            source_arn="arn:{partition}:scheduler:{region}:{account}:schedule-group/*",
        ),
        ServicePrincipal(
            "lambda.amazonaws.com",
            "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
            source_account=False,
            why_none=(
                "Lambda documents the execution-role trust as the bare principal and no "
                "source key on the assumption it makes when a function runs (aws:SourceArn "
                "applies where the function is the target, "
                "https://docs.aws.amazon.com/lambda/latest/dg/"
                "permissions-source-function-arn.html). "
                "A function can only be given a role of its own account (iam:PassRole does "
                "not cross accounts), so the role is reachable by functions of the "
                "environment's account whose creator may pass it, and by nobody else; "
                "lambda:SourceFunctionArn pins the function in identity policies."
            ),
        ),
    )
}


def documented(principal: str) -> ServicePrincipal | None:
    """The table's entry for ``principal``, if seccat knows what it sets."""
    return PRINCIPALS.get(principal)


def partition_of(principal: str) -> str:
    """AWS partition of a service principal (``.amazonaws.com.cn`` is the China one)."""
    return "aws-cn" if principal.endswith(".amazonaws.com.cn") else "aws"


def source_conditions(principal: str, *, account_id: str, region: str) -> dict[str, Any]:
    """The ``Condition`` block the trust of ``principal`` needs (empty when it sets none or
    is not in the table)."""
    entry = PRINCIPALS.get(principal)
    if entry is None:
        return {}
    account_id = require(account_id, "account_id")
    conditions: dict[str, Any] = {}
    if entry.source_arn is not None:
        arn = entry.source_arn.format(
            partition=partition_of(principal), region=require(region, "region"), account=account_id
        )
        conditions["ArnLike"] = {"aws:SourceArn": arn}
    if entry.source_account:
        conditions["StringEquals"] = {"aws:SourceAccount": account_id}
    return conditions


def without_keys() -> list[ServicePrincipal]:
    """Listed services that set no source key (the threat model names them)."""
    return [p for p in PRINCIPALS.values() if not p.keys]
