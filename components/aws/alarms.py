"""Alarms that page the environment's topic when rotation breaks.

Two signals, because they fail differently: the EventBridge rule sees Secrets Manager's own
verdict (rotation failed, test step failed, rotation abandoned) for every secret, including
ones whose function never ran; the metric alarms see the function erroring or throttled.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.context import PlatformContext
from components.tagging import tags
from seccat.documents.monitoring import rotation_failure_pattern
from seccat.documents.names import bounded, require
from seccat.documents.templating import dumps

#: Metric alarms on the rotation function: any error or throttle in a 5-minute period.
#: No data means no rotation ran, which is normal between schedules.
FUNCTION_METRICS = ("Errors", "Throttles")
PERIOD_SECONDS = 300


def alarm_name(function_name: str, metric: str) -> str:
    return bounded(f"{require(function_name, 'aws_name')}-{metric.lower()}", 255)


def alarm_arn(ctx: PlatformContext, name: str) -> str:
    return f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{name}"


def function_alarms(
    ctx: PlatformContext, function_name: str, resource_tags: dict[str, str], parent: pulumi.Resource
) -> list[str]:
    """Errors and Throttles alarms for one rotation function; returns their ARNs."""
    arns = []
    for metric in FUNCTION_METRICS:
        name = alarm_name(function_name, metric)
        aws.cloudwatch.MetricAlarm(
            f"{ctx.env.name}/{name}",
            name=name,
            alarm_description=f"seccat: rotation function {function_name} reports {metric}",
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
            opts=pulumi.ResourceOptions(parent=parent),
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
    env = ctx.env.name
    name = f"seccat-{env}-rotation-failures"
    resource_tags = tags(f"environments/{env}", "seccat", "internal", env)
    rule = aws.cloudwatch.EventRule(
        f"{env}/rotation-failures",
        name=name,
        description=f"seccat: failed or abandoned rotations of {env} secrets",
        event_pattern=dumps(rotation_failure_pattern(ctx.region, ctx.account_id, env)),
        tags=resource_tags,
        opts=ctx.child_opts(),
    )
    aws.cloudwatch.EventTarget(
        f"{env}/rotation-failures-to-topic",
        rule=rule.name,
        target_id="seccat-alarm-topic",
        arn=ctx.alarm_topic.arn,
        input_transformer=aws.cloudwatch.EventTargetInputTransformerArgs(
            input_paths=INPUT_PATHS, input_template=input_template(env)
        ),
        opts=ctx.child_opts(),
    )
    return rule
