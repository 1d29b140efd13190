"""Scheduled rotation of generated KV secrets (types api-key and password).

Per owning team and environment: one Lambda (the rotator in functions/vault_kv) with its own
IAM role that may only write its logs, a Vault AWS-auth role bound to that IAM role whose
token carries only the team's rotator policy (create/update on exactly the rotated secrets'
data paths, read on their metadata for check-and-set), and one EventBridge Scheduler
schedule per secret that invokes the function with the secret's id and generate settings.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_vault as vault

from seccat.catalog.model import CLASSIFICATION_RANK, Secret
from seccat.components.aws.alarms import function_alarms
from seccat.components.aws.package import FUNCTIONS_DIR, dependency_layer
from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.components.vault.auth import AuthBackends
from seccat.components.vault.policies import Policies
from seccat.documents import logical_names as logical
from seccat.documents import runbook_links
from seccat.documents import vault_layout as layout
from seccat.documents import vault_rotator as docs
from seccat.documents.iam import lambda_assume_role_policy, role_arn
from seccat.documents.names import require, slug
from seccat.documents.templating import dumps
from seccat.documents.vault_lifetimes import scheduler_expression
from seccat.documents.vault_policy import rotated_kv_secrets, rotator_teams

HANDLER = "vault_kv.rotator.handler"
#: The same runtime and architecture as the AWS rotators, so one dependency layer serves both.
RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
#: The packages the function receives (functions/ is the import root).
PACKAGES = ("vault_kv", "rotation")
#: One run rotates one secret: a short token is enough and limits a stolen one.
ROTATOR_TOKEN_TTL = 5 * 60
ROTATOR_TOKEN_MAX_TTL = 15 * 60
LOG_RETENTION_DAYS = 365


def vault_address() -> str:
    """The Vault the rotator calls: the stack's ``vault:address`` (the provider's own)."""
    address = pulumi.Config("vault").get("address")
    if not address:
        raise pulumi.RunError(
            "the KV rotator needs the Vault address: set vault:address in the stack config"
        )
    return address


def code_archive() -> pulumi.AssetArchive:
    """An explicit, sorted archive of the .py files, so caches never change the code hash."""
    files = sorted(
        p.relative_to(FUNCTIONS_DIR).as_posix()
        for package in PACKAGES
        for p in (FUNCTIONS_DIR / package).rglob("*.py")
        if "__pycache__" not in p.parts
    )
    if "vault_kv/rotator.py" not in files:
        raise pulumi.RunError("functions/vault_kv/rotator.py is missing from the repository")
    return pulumi.AssetArchive({rel: pulumi.FileAsset(str(FUNCTIONS_DIR / rel)) for rel in files})


def rotation_event(ctx: PlatformContext, secret: Secret) -> dict[str, object]:
    """What the schedule sends the rotator: where the secret is and how to generate it."""
    g = secret.generate
    return {
        "mount": layout.kv_mount(ctx.env),
        "path": secret.id,
        "generate": {
            "length": g.length,
            "exclude_characters": g.exclude_characters,
            "exclude_punctuation": g.exclude_punctuation,
            "require_each_included_type": g.require_each_included_type,
        },
    }


def build_kv_rotation(ctx: PlatformContext, policies: Policies, backends: AuthBackends) -> None:
    """The layer and schedule group in the platform stack; each team's rotator in its team
    stack; each schedule beside its secret, naming the rotator and group by their names."""
    env = ctx.env
    if not rotator_teams(ctx.catalog, env):
        return
    layer_arn: pulumi.Input[str]
    group_name: pulumi.Input[str] = docs.schedule_group_name(env.name)
    if ctx.platform:
        # hvac and its closure (functions/requirements.txt), the same pure-Python layer the
        # AWS rotators use; built by `python functions/build_layer.py build/lambda-layer`.
        layer = aws.lambda_.LayerVersion(
            logical.kv_rotator_layer(env.name),
            layer_name=docs.kv_rotator_layer_name(env.name),
            description="seccat Vault KV rotator dependencies (hvac), pure Python",
            code=dependency_layer(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            opts=ctx.child_opts(),
        )
        layer_arn = layer.arn
        ctx.export("layerArns", "kv-rotator", layer_arn)
        group = aws.scheduler.ScheduleGroup(
            logical.kv_schedule_group(env.name),
            name=docs.schedule_group_name(env.name),
            tags=tags(
                catalog_id=f"environments/{env.name}/kv-rotation",
                owner="seccat",
                classification="internal",
                environment=env.name,
            ),
            opts=ctx.child_opts(),
        )
        group_name = group.name
    else:
        layer_arn = ctx.layer_arns["kv-rotator"]
    for team in rotator_teams(ctx.catalog, env):
        policy = policies.rotators.get(team)
        secrets = rotated_kv_secrets(ctx.catalog, env, team)
        here = [s for s in secrets if ctx.stack.holds_secret(s.id)]
        if policy is None and not here:
            continue
        _build_team_rotator(ctx, team, policy, secrets, here, backends, layer_arn, group_name)


def _build_team_rotator(
    ctx: PlatformContext,
    team: str,
    policy: vault.Policy | None,
    secrets: list[Secret],
    here: list[Secret],
    backends: AuthBackends,
    layer_arn: pulumi.Input[str],
    group_name: pulumi.Input[str],
) -> None:
    """A team's rotator (when ``policy``: its stack holds the team) and the schedules of
    the ``here`` secrets, which name the rotator's function and role by ARN."""
    env = ctx.env
    fn_name = docs.rotator_function_name(env.name, team)
    sched_name = docs.scheduler_role_name(env.name, team)
    function_arn: pulumi.Input[str] = docs.function_arn(ctx.region, ctx.account_id, fn_name)
    scheduler_arn: pulumi.Input[str] = role_arn(ctx.account_id, sched_name)
    invoke_policy: aws.iam.RolePolicy | None = None
    if policy is not None:
        top = max(CLASSIFICATION_RANK[s.classification] for s in secrets)
        team_tags = tags(
            catalog_id=f"teams/{team}/kv-rotator",
            owner=team,
            classification=next(c for c, r in CLASSIFICATION_RANK.items() if r == top),
            environment=env.name,
        )

        role = aws.iam.Role(
            logical.kv_rotator(env.name, team, "role"),
            name=fn_name,
            description=f"seccat KV rotator of team {team} in {env.name}: logs only",
            assume_role_policy=dumps(lambda_assume_role_policy(ctx.account_id, ctx.region)),
            tags=team_tags,
            opts=ctx.child_opts(),
        )
        log_group = aws.cloudwatch.LogGroup(
            logical.kv_rotator(env.name, team, "logs"),
            name=docs.log_group_name(fn_name),
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=ctx.kms_key_arn,
            tags=team_tags,
            opts=ctx.child_opts(),
        )
        logs_policy = aws.iam.RolePolicy(
            logical.kv_rotator(env.name, team, "logs-policy"),
            role=role.name,
            name=docs.ROTATOR_LOGS_POLICY_NAME,
            policy=dumps(docs.rotator_logs_policy(ctx.region, ctx.account_id, fn_name)),
            opts=ctx.child_opts(),
        )
        function = aws.lambda_.Function(
            logical.kv_rotator(env.name, team, "function"),
            name=fn_name,
            description=f"Rotates generated Vault KV secrets of team {team} in {env.name}",
            role=role.arn,
            runtime=RUNTIME,
            handler=HANDLER,
            architectures=[ARCHITECTURE],
            code=code_archive(),
            layers=[layer_arn],
            timeout=60,
            memory_size=256,
            # One rotation at a time per team: concurrent runs would only lose CAS races.
            reserved_concurrent_executions=1,
            kms_key_arn=ctx.kms_key_arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables={
                    "VAULT_ADDR": vault_address(),
                    "SECCAT_VAULT_AUTH_MOUNT": layout.aws_auth_path(env),
                    "SECCAT_VAULT_AUTH_ROLE": layout.rotator_role_name(team),
                    "SECCAT_VAULT_STS_REGION": ctx.region,
                    # Signed into the login request: the mount refuses a login without it.
                    "SECCAT_VAULT_IAM_SERVER_ID": require(
                        env.vault.aws_auth_header, "header_value"
                    ),
                    "SECCAT_VAULT_KV_MOUNT": layout.kv_mount(env),
                }
            ),
            tags=team_tags,
            opts=ctx.child_opts(depends_on=[log_group, logs_policy]),
        )
        # Page the environment's topic when a rotation errors or is throttled (the same
        # alarms as the AWS rotators): a CAS conflict or a Vault outage is never silent.
        function_alarms(
            ctx, fn_name, team_tags, ctx.parent, runbook_links.platform_page(f"kv-rotator-{team}")
        )
        vault.aws.AuthBackendRole(
            logical.vault_rotator_aws_role(env.name, team),
            backend=backends.aws_path,
            role=layout.rotator_role_name(team),
            auth_type="iam",
            bound_iam_principal_arns=[role_arn(ctx.account_id, fn_name)],
            resolve_aws_unique_ids=True,
            token_policies=[policy.name],
            token_ttl=ROTATOR_TOKEN_TTL,
            token_max_ttl=ROTATOR_TOKEN_MAX_TTL,
            token_type="service",
            opts=ctx.child_opts(depends_on=ctx.local(role, backends.aws_client)),
        )

        scheduler_role = aws.iam.Role(
            logical.kv_rotator(env.name, team, "scheduler-role"),
            name=sched_name,
            description=f"EventBridge Scheduler invoking the KV rotator of {team} in {env.name}",
            assume_role_policy=dumps(
                docs.scheduler_trust_policy(
                    ctx.account_id,
                    docs.schedule_group_arn(ctx.region, ctx.account_id, env.name),
                )
            ),
            tags=team_tags,
            opts=ctx.child_opts(),
        )
        invoke_policy = aws.iam.RolePolicy(
            logical.kv_rotator(env.name, team, "scheduler-policy"),
            role=scheduler_role.name,
            name=docs.SCHEDULER_POLICY_NAME,
            policy=dumps(
                docs.scheduler_invoke_policy(docs.function_arn(ctx.region, ctx.account_id, fn_name))
            ),
            opts=ctx.child_opts(),
        )
        function_arn, scheduler_arn = function.arn, scheduler_role.arn
    for secret in here:
        assert secret.rotation is not None
        window = secret.rotation.window_seconds
        aws.scheduler.Schedule(
            logical.kv_schedule(env.name, slug(secret.id)),
            name=docs.schedule_name(env.name, slug(secret.id)),
            description=f"Rotate Vault KV secret {secret.id} in {env.name}",
            group_name=group_name,
            schedule_expression=scheduler_expression(secret.rotation),
            schedule_expression_timezone="UTC",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(
                mode="FLEXIBLE",
                maximum_window_in_minutes=min(1440, window // 60),
            )
            if window and window >= 60
            else aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            kms_key_arn=ctx.kms_key_arn,
            # Deprecated secrets are still in use, so they keep rotating until retired.
            state="ENABLED",
            target=aws.scheduler.ScheduleTargetArgs(
                arn=function_arn,
                role_arn=scheduler_arn,
                input=json.dumps(rotation_event(ctx, secret), sort_keys=True),
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=3,
                    maximum_event_age_in_seconds=3600,
                ),
            ),
            opts=ctx.child_opts(depends_on=ctx.local(invoke_policy)),
        )
