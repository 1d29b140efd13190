"""AWS Config managed rules that catch what the preventive setup cannot: a rotation that
stopped happening, a secret nobody uses, a key whose rotation was switched off.

Needs an AWS Config recorder in the account (usually the landing zone's); seccat does not
create one, because an account has exactly one and it is rarely owned by one project.
"""

from __future__ import annotations

import json

import pulumi_aws as aws

from components.aws.plan import AwsPlan
from components.context import PlatformContext
from components.tagging import tags
from seccat.catalog.model import CLASSIFICATION_RANK, MAX_ROTATION_DAYS

#: SECRETSMANAGER_SECRET_UNUSED's default, as in Security Hub SecretsManager.3.
UNUSED_DAYS = 90
PERIODIC = "TwentyFour_Hours"


def _rule(
    ctx: PlatformContext,
    suffix: str,
    identifier: str,
    description: str,
    *,
    parameters: dict[str, str] | None = None,
    scope: aws.cfg.RuleScopeArgs | None = None,
    periodic: bool = False,
) -> aws.cfg.Rule:
    env = ctx.env.name
    name = f"seccat-{env}-{suffix}"
    return aws.cfg.Rule(
        f"{env}/config/{suffix}",
        name=name,
        description=description,
        source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=identifier),
        input_parameters=json.dumps(parameters) if parameters else None,
        scope=scope,
        maximum_execution_frequency=PERIODIC if periodic else None,
        tags=tags(f"environments/{env}", "seccat", "internal", env),
        opts=ctx.child_opts(),
    )


def build_detective_controls(ctx: PlatformContext, plan: AwsPlan) -> None:
    if not ctx.env.detective_controls or not plan.aws_secrets:
        return
    env = ctx.env.name
    classes = sorted(
        {s.classification for s in plan.aws_secrets}, key=CLASSIFICATION_RANK.__getitem__
    )
    # Change-triggered rules take a tag scope: one rule per classification, so each secret
    # is held to its own classification's interval.
    for cls in classes:
        _rule(
            ctx,
            f"secret-rotation-enabled-{cls}",
            "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
            f"{cls} secrets rotate at least every {MAX_ROTATION_DAYS[cls]} days",
            parameters={"maximumAllowedRotationFrequency": str(MAX_ROTATION_DAYS[cls])},
            scope=aws.cfg.RuleScopeArgs(tag_key="seccat:classification", tag_value=cls),
        )
    _rule(
        ctx,
        "secret-rotation-succeeds",
        "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
        f"rotations of {env} secrets happen as scheduled",
        scope=aws.cfg.RuleScopeArgs(tag_key="seccat:environment", tag_value=env),
    )
    # Periodic rules cannot be scoped by tag, so they take the loosest interval in use:
    # catching a secret nobody rotated (also the externally issued ones) without flagging
    # a secret that honours its own, stricter, classification (checked above).
    _rule(
        ctx,
        "secret-periodic-rotation",
        "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
        f"every secret was rotated within {MAX_ROTATION_DAYS[classes[0]]} days",
        parameters={"maxDaysSinceRotation": str(MAX_ROTATION_DAYS[classes[0]])},
        periodic=True,
    )
    _rule(
        ctx,
        "secret-unused",
        "SECRETSMANAGER_SECRET_UNUSED",
        f"no secret goes unread for {UNUSED_DAYS} days (retire it in the catalog)",
        parameters={"unusedForDays": str(UNUSED_DAYS)},
        periodic=True,
    )
    _rule(
        ctx,
        "kms-key-rotation",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "customer managed keys rotate their backing key",
        periodic=True,
    )
