"""One CloudWatch dashboard per environment: alarm states, then rotations per function."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi_aws as aws

from seccat.components.context import PlatformContext
from seccat.documents import logical_names as logical
from seccat.documents.monitoring import dashboard_name, rotation_dashboard
from seccat.documents.templating import dumps


def build_dashboard(
    ctx: PlatformContext, function_names: Sequence[str], alarm_arns: Sequence[str]
) -> aws.cloudwatch.Dashboard | None:
    if not function_names:
        return None
    env = ctx.env.name
    return aws.cloudwatch.Dashboard(
        logical.dashboard(env),
        dashboard_name=dashboard_name(env),
        dashboard_body=dumps(
            rotation_dashboard(
                environment=env,
                region=ctx.region,
                function_names=function_names,
                alarm_arns=alarm_arns,
            )
        ),
        opts=ctx.child_opts(),
    )
