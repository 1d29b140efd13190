"""Every Secrets Manager management event of the environment, kept for the SIEM and audits.

An EventBridge rule (seccat/documents/lineage.py) sends the environment's Secrets Manager
events to a log group encrypted with the environment key and kept for a year; a CloudWatch
Logs resource policy lets EventBridge write to that log group only. `seccat events` reads it.
"""

from __future__ import annotations

import pulumi_aws as aws

from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import lineage as docs
from seccat.documents import logical_names as logical
from seccat.documents.templating import dumps


def build_lineage(ctx: PlatformContext) -> aws.cloudwatch.EventRule:
    env = ctx.env.name
    resource_tags = tags(f"environments/{env}/secret-lineage", "seccat", "internal", env)
    log_group = aws.cloudwatch.LogGroup(
        logical.lineage(env, "logs"),
        name=docs.log_group_name(env),
        retention_in_days=docs.RETENTION_DAYS,
        kms_key_id=ctx.kms_key.arn,
        tags=resource_tags,
        opts=ctx.child_opts(),
    )
    policy = aws.cloudwatch.LogResourcePolicy(
        logical.lineage(env, "writers"),
        policy_name=docs.resource_policy_name(env),
        policy_document=dumps(docs.log_resource_policy(ctx.region, ctx.account_id, env)),
        opts=ctx.child_opts(),
    )
    rule = aws.cloudwatch.EventRule(
        logical.lineage(env),
        name=docs.rule_name(env),
        description=f"seccat: Secrets Manager management events of {env} secrets, for lineage",
        event_pattern=dumps(docs.lineage_pattern(ctx.region, ctx.account_id, env)),
        tags=resource_tags,
        opts=ctx.child_opts(),
    )
    aws.cloudwatch.EventTarget(
        logical.lineage(env, "to-logs"),
        rule=rule.name,
        target_id=docs.TARGET_ID,
        arn=docs.log_group_arn(ctx.region, ctx.account_id, env),
        opts=ctx.child_opts(depends_on=[log_group, policy]),
    )
    return rule
