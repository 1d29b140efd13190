"""The AWS Secrets Manager side of an environment (issue 3): secrets, rotation functions,
consumer roles, alarms, detective controls and a dashboard, all below SecretsPlatform."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws.alarms import rotation_failure_rule
from components.aws.consumer import build_services
from components.aws.dashboard import build_dashboard
from components.aws.detective import build_detective_controls
from components.aws.replica_keys import build_replica_keys
from components.aws.rotation import RotationFunction, build_dependency_layer
from components.aws.secret import ManagedSecret
from components.context import PlatformContext
from seccat.documents.aws_plan import AwsPlan, PlanError

__all__ = ["build_aws"]


def build_aws(ctx: PlatformContext) -> dict[str, aws.iam.Role]:
    """Declare everything for the environment's ``store: aws-secretsmanager`` secrets, and
    the roles of consuming services (which Vault's AWS auth binds as well).

    Returns the service roles it created, by service, so Vault's AWS auth roles can wait for
    them (Vault resolves a bound role to its unique id when the auth role is written)."""
    plan = AwsPlan(ctx.catalog, ctx.env)
    try:
        services = build_services(ctx, plan)
        order = plan.build_order()
    except PlanError as exc:
        raise pulumi.RunError(str(exc)) from None
    service_roles = {n: s.role for n, s in services.items() if s.role is not None}
    if not plan.aws_secrets:
        return service_roles
    replica_keys = build_replica_keys(ctx, plan)
    needs_layer = any(p.rotator and p.rotator.kind == "postgres" for p in order)
    layer = build_dependency_layer(ctx) if needs_layer else None

    managed: dict[str, ManagedSecret] = {}
    rotators: dict[str, RotationFunction] = {}
    for secret_plan in order:
        secret_id = secret_plan.secret.id
        ms = ManagedSecret(ctx, secret_plan, replica_keys)
        managed[secret_id] = ms
        rotator = secret_plan.rotator
        if rotator is None:
            continue
        master = managed[rotator.master_secret] if rotator.master_secret else None
        rotators[secret_id] = RotationFunction(
            ctx,
            secret_plan,
            ms.secret,
            ms.tags,
            master_arn=master.secret.arn if master is not None else None,
            master_pattern=master.plan.arn_pattern if master is not None else None,
            parent=ms,
            layer=layer if rotator.kind == "postgres" else None,
        )

    role_by_arn = {s.role_arn: s.role for s in services.values() if s.role is not None}
    for secret_id, rotation in rotators.items():
        rotator = plan.secrets[secret_id].rotator
        assert rotator is not None
        role_by_arn[rotator.role_arn] = rotation.role
    for ms in managed.values():
        ms.attach_policy([role_by_arn[arn] for arn in ms.plan.readers if arn in role_by_arn])

    rotation_failure_rule(ctx)
    functions = [p.rotator.function_name for p in order if p.rotator is not None]
    alarms = [arn for r in rotators.values() for arn in r.alarm_arns]
    build_dashboard(ctx, functions, alarms)
    build_detective_controls(ctx, plan)
    return service_roles
