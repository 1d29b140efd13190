"""Alarms that page the environment's topic when rotation breaks.

Two signals, because they fail differently: the EventBridge rule sees Secrets Manager's own
verdict (rotation failed, test step failed, rotation abandoned) for every secret, including
ones whose function never ran; the metric alarms see the function erroring or throttled.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents import runbook_links
from seccat.documents.monitoring import (
    ALARM_TOPIC_TARGET_ID,
    FUNCTION_METRICS,
    alarm_name,
    rotation_failure_pattern,
    rotation_failure_rule_name,
)
from seccat.documents.names import require
from seccat.documents.templating import dumps

#: Metric alarms (seccat.documents.monitoring.FUNCTION_METRICS) look at 5-minute periods.
#: No data means no rotation ran, which is normal between schedules.
PERIOD_SECONDS = 300


def alarm_arn(ctx: PlatformContext, name: str) -> str:
    return f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}"


#: What each function metric means to on-call (the runbook says what to do).
_MEANING = {
    "Errors": "failed",
    "Throttles": "was throttled (a run did not start)",
}


def function_alarms(
    ctx: PlatformContext,
    function_name: str,
    resource_tags: dict[str, str],
    parent: pulumi.Resource,
    runbook_page: str,
) -> list[str]:
    """Errors and Throttles alarms for one seccat function; returns their ARNs. Each
    description links to ``runbook_page`` (seccat.documents.runbook_links)."""
    arns = []
    runbook = runbook_links.link(ctx.catalog, ctx.env.name, runbook_page)
    for metric in FUNCTION_METRICS:
        name = alarm_name(function_name, metric)
        aws.cloudwatch.MetricAlarm(
            logical.function_alarm(ctx.env.name, name),
            name=name,
            alarm_description=runbook_links.alarm_description(
                f"seccat {ctx.env.name}: function {function_name} {_MEANING[metric]} in the "
                "last 5 minutes.",
                runbook,
            ),
            namespace="AWS/Lambda",
            metric_name=metric,
            dimensions={"FunctionName": function_name},
            statistic="Sum",
            period=PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="notBreaching",
            actions_enabled=True,
            alarm_actions=[ctx.alarm_topic_arn],
            ok_actions=[ctx.alarm_topic_arn],
            tags=resource_tags,
            # directly under the root component (a team's KV rotator): its options
            opts=ctx.child_opts()
            if parent is ctx.parent
            else pulumi.ResourceOptions(parent=parent),
        )
        arns.append(alarm_arn(ctx, name))
    return arns


#: EventBridge input paths and the message on-call reads (no value is in these events).
INPUT_PATHS = {
    "secret": "$.detail.additionalEventData.SecretId",
    "event": "$.detail.eventName",
    "time": "$.time",
    "account": "$.account",
    "region": "$.region",
}


def input_template(environment: str) -> str:
    env = require(environment, "name")
    return (
        f'"seccat {env}: Secrets Manager reported <event> for secret <secret> '
        f"(account <account>, <region>) at <time>. The secret keeps its current value; "
        f'check the rotation function logs under /seccat/{env}/rotation/."'
    )


def rotation_failure_rule(ctx: PlatformContext) -> aws.cloudwatch.EventRule:
    assert ctx.alarm_topic is not None, "the platform stack builds the rotation failure rule"
    env = ctx.env.name
    name = rotation_failure_rule_name(env)
    resource_tags = tags(f"environments/{env}", "seccat", "internal", env)
    rule = aws.cloudwatch.EventRule(
        logical.rotation_failure_rule(env),
        name=name,
        description=f"seccat: failed or abandoned rotations of {env} secrets",
        event_pattern=dumps(rotation_failure_pattern(ctx.region, ctx.account_id, env)),
        tags=resource_tags,
        opts=ctx.child_opts(),
    )
    aws.cloudwatch.EventTarget(
        logical.rotation_failure_target(env),
        rule=rule.name,
        target_id=ALARM_TOPIC_TARGET_ID,
        arn=ctx.alarm_topic.arn,
        input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
            input_paths=INPUT_PATHS, input_template=input_template(env)
        ),
        opts=ctx.child_opts(),
    )
    return rule
