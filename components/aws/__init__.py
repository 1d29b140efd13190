"""The AWS Secrets Manager side of an environment (issue 3): secrets, rotation functions,
consumer roles, alarms, detective controls and a dashboard, all below SecretsPlatform.

Each builder asks the context's stack which parts it holds (seccat.stacks.plan): in one
stack, everything; split, the platform stack the shared resources and service roles, each
team stack its secrets and its services' policies."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from seccat.components.aws.alarms import alarm_arn, rotation_failure_rule
from seccat.components.aws.consumer import build_services
from seccat.components.aws.dashboard import build_dashboard
from seccat.components.aws.detective import build_detective_controls
from seccat.components.aws.lineage import build_lineage
from seccat.components.aws.renewal import build_owner_renewal
from seccat.components.aws.replica_keys import build_replica_keys
from seccat.components.aws.rotation import RotationFunction, build_dependency_layer
from seccat.components.aws.secret import ManagedSecret
from seccat.components.context import PlatformContext
from seccat.documents.aws_plan import PlanError, SecretPlan, aws_plan
from seccat.documents.monitoring import FUNCTION_METRICS, alarm_name
from seccat.documents.renewal import check_function_name

__all__ = ["build_aws"]

#: Export group of the platform's layers (components.platform.LAYER_ARNS).
LAYERS = "layerArns"
REPLICA_KEYS = "replicaKeyArns"


def build_aws(ctx: PlatformContext) -> dict[str, aws.iam.Role]:
    """Declare everything for the environment's ``store: aws-secretsmanager`` secrets, and
    the roles of consuming services (which Vault's AWS auth binds as well).

    Returns the service roles it created, by service, so Vault's AWS auth roles can wait for
    them (Vault resolves a bound role to its unique id when the auth role is written)."""
    plan = aws_plan(ctx.catalog, ctx.env)
    try:
        services = build_services(ctx, plan)
        order = plan.build_order()
    except PlanError as exc:
        raise pulumi.RunError(str(exc)) from None
    service_roles = {n: s.role for n, s in services.items() if s.role is not None}
    if not plan.aws_secrets:
        build_owner_renewal(ctx, plan, service_roles)  # owner-rotated KV secrets alone
        return service_roles
    here = [p for p in order if ctx.stack.holds_secret(p.secret.id)]
    if ctx.platform:
        replica_keys: dict[str, pulumi.Input[str]] = dict(build_replica_keys(ctx, plan))
        for region, arn in replica_keys.items():
            ctx.export(REPLICA_KEYS, region, arn)
    else:
        replica_keys = dict(ctx.replica_key_arns)
    needs_layer = any(p.rotator and p.rotator.kind == "postgres" for p in order)
    layer_arn: pulumi.Input[str] | None = None
    if needs_layer and ctx.platform:
        layer_arn = build_dependency_layer(ctx).arn
        ctx.export(LAYERS, "rotation", layer_arn)
    elif needs_layer:
        layer_arn = ctx.layer_arns["rotation"]

    managed: dict[str, ManagedSecret] = {}
    rotators: dict[str, RotationFunction] = {}
    for secret_plan in here:
        secret_id = secret_plan.secret.id
        ms = ManagedSecret(ctx, secret_plan, replica_keys)
        managed[secret_id] = ms
        rotator = secret_plan.rotator
        if rotator is None:
            continue
        # seccat.stacks.plan keeps a secret in its admin secret's stack.
        master = managed[rotator.master_secret] if rotator.master_secret else None
        rotators[secret_id] = RotationFunction(
            ctx,
            secret_plan,
            ms.secret,
            ms.tags,
            master_arn=master.secret.arn if master is not None else None,
            master_pattern=master.plan.arn_pattern if master is not None else None,
            parent=ms,
            layer_arn=layer_arn if rotator.kind == "postgres" else None,
        )

    role_by_arn = {s.role_arn: s.role for s in services.values() if s.role is not None}
    for secret_id, rotation in rotators.items():
        rotator = plan.secrets[secret_id].rotator
        assert rotator is not None
        role_by_arn[rotator.role_arn] = rotation.role
    for ms in managed.values():
        ms.attach_policy([role_by_arn[arn] for arn in ms.plan.readers if arn in role_by_arn])

    if ctx.platform:
        rotation_failure_rule(ctx)
        build_lineage(ctx)
        functions = [p.rotator.function_name for p in order if p.rotator is not None]
        alarms = [arn for p in order if p.rotator is not None for arn in _alarm_arns(ctx, p)]
        renewal_alarms = build_owner_renewal(ctx, plan, service_roles)
        if renewal_alarms:
            functions.append(check_function_name(ctx.env.name))
            alarms += renewal_alarms
        build_dashboard(ctx, functions, alarms)
        build_detective_controls(ctx, plan)
    else:
        build_owner_renewal(ctx, plan, service_roles)  # the watches of this stack's secrets
    return service_roles


def _alarm_arns(ctx: PlatformContext, plan: SecretPlan) -> list[str]:
    """The ARNs of a rotation function's alarms, by name: the dashboard lists every alarm
    of the environment, whichever team stack creates it."""
    assert plan.rotator is not None
    return [alarm_arn(ctx, alarm_name(plan.rotator.function_name, m)) for m in FUNCTION_METRICS]
