"""One CloudWatch dashboard per environment: alarm states, then rotations per function."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi_aws as aws

from components.context import PlatformContext
from seccat.documents.monitoring import rotation_dashboard
from seccat.documents.templating import dumps


def build_dashboard(
    ctx: PlatformContext, function_names: Sequence[str], alarm_arns: Sequence[str]
) -> aws.cloudwatch.Dashboard | None:
    if not function_names:
        return None
    env = ctx.env.name
    return aws.cloudwatch.Dashboard(
        f"{env}/rotation-dashboard",
        dashboard_name=f"seccat-{env}-rotation",
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
