"""Reminders and overdue alarms for owner-rotated secrets (rotation.by: owner), in Secrets
Manager and in Vault KV.

Per environment: the renewal check (a small Lambda, functions/renewal/check.py) with its
role, encrypted log group and alarms, and a scheduler role in a schedule group of its own.
When it watches Vault KV secrets it also carries the KV rotator's login code and hvac (its
own copy of the dependency layer) and Vault's address and auth settings; the Vault side
(its policy and AWS auth role) is components/vault/renewal_check.py.
Per owning team: an encrypted topic subscribed by the team's contact. Per secret: a schedule
that runs the check with the catalog's interval, and a reminder and an overdue alarm on the
metric it publishes, in the stack that holds the secret (split into micro-stacks, its team
stack: they name the platform's check, scheduler role, group and topics by their
deterministic ARNs, so the platform stack stays the size of the shared resources).
Documents and thresholds come from seccat/documents/renewal.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import CLASSIFICATION_RANK, Secret
from seccat.components.aws.alarms import alarm_arn, function_alarms
from seccat.components.aws.package import FUNCTIONS_DIR, dependency_layer
from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents import renewal as docs
from seccat.documents import runbook_links
from seccat.documents.aws_plan import AwsPlan
from seccat.documents.iam import lambda_assume_role_policy, role_arn
from seccat.documents.templating import dumps
from seccat.documents.vault_rotator import (
    function_arn,
    scheduler_invoke_policy,
    scheduler_trust_policy,
)

RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
#: One DescribeSecret and one ListSecretVersionIds: seconds, never minutes.
TIMEOUT_SECONDS = 30
MEMORY_MB = 128
#: Checks of one environment never need more than a couple at once.
RESERVED_CONCURRENCY = 2
LOG_RETENTION_DAYS = 365
PACKAGE = "renewal"
#: With Vault KV secrets: the KV rotator's login (vault_kv) and what it imports (rotation).
VAULT_PACKAGES = ("vault_kv", "rotation")


def code_archive(vault: bool = False) -> pulumi.AssetArchive:
    """An explicit, sorted archive of functions/renewal/*.py, and with ``vault`` the KV
    rotator's packages it logs in with (stable code hash)."""
    packages = (PACKAGE, *VAULT_PACKAGES) if vault else (PACKAGE,)
    files = sorted(
        p.relative_to(FUNCTIONS_DIR).as_posix()
        for package in packages
        for p in (FUNCTIONS_DIR / package).rglob("*.py")
        if "__pycache__" not in p.parts
    )
    if f"{PACKAGE}/check.py" not in files:
        raise pulumi.RunError("functions/renewal/check.py is missing from the repository")
    return pulumi.AssetArchive({rel: pulumi.FileAsset(str(FUNCTIONS_DIR / rel)) for rel in files})


#: Where build_aws hands the check's IAM role to the Vault side (not a service name: those
#: never contain '<').
CHECK_ROLE_KEY = "<renewal-check>"


@dataclass(frozen=True)
class _Check:
    """What each secret's schedule needs of the check, where the check is in this stack."""

    function_arn: pulumi.Input[str]
    scheduler_role_arn: pulumi.Input[str]
    group_name: pulumi.Input[str]
    depends_on: tuple[pulumi.Resource, ...]


def build_owner_renewal(
    ctx: PlatformContext, plan: AwsPlan, roles: dict[str, aws.iam.Role] | None = None
) -> list[str]:
    """What watches the environment's owner-rotated secrets in this stack: the check and
    what it shares where the stack builds shared resources, each secret's schedule and
    alarms where it holds the secret. Returns every alarm ARN of the environment's watch
    (for the platform's dashboard) and puts the check's role in ``roles`` under
    CHECK_ROLE_KEY (Vault's auth role waits for it). Nothing when the environment has
    none."""
    env = ctx.env
    secrets = docs.watched_secrets(ctx.catalog, env)
    if not secrets:
        return []
    alarms: list[str] = []
    check: _Check | None = None
    if ctx.platform:
        check, alarms = _build_check(ctx, plan, secrets, roles)
    topics = {
        team: docs.team_topic_arn(ctx.region, ctx.account_id, env.name, team)
        for team in sorted({s.owner for s in secrets})
    }
    for secret in secrets:
        watch = docs.renewal_alarms(
            ctx.catalog,
            env,
            secret,
            team_topic=topics[secret.owner],
            environment_topic=ctx.alarm_topic_arn,
        )
        if ctx.stack.holds_secret(secret.id):
            _build_watch(ctx, secret, watch, check)
        alarms += [alarm_arn(ctx, alarm.name) for alarm in watch]
    return alarms


def _build_check(
    ctx: PlatformContext,
    plan: AwsPlan,
    secrets: list[Secret],
    roles: dict[str, aws.iam.Role] | None,
) -> tuple[_Check, list[str]]:
    """The environment's check: its function, role, logs, alarms, schedule group,
    scheduler role and the owning teams' reminder topics; the function alarms' ARNs."""
    env = ctx.env
    in_vault = [s for s in secrets if s.store == docs.KV_STORE]
    name = env.name
    top = max(CLASSIFICATION_RANK[s.classification] for s in secrets)
    shared_tags = tags(
        catalog_id=f"environments/{name}/renewal-check",
        owner="seccat",
        classification=next(c for c, r in CLASSIFICATION_RANK.items() if r == top),
        environment=name,
    )
    fn_name = docs.check_function_name(name)

    role = aws.iam.Role(
        logical.renewal_check(name, "role"),
        name=fn_name,
        description=f"seccat renewal check in {name}: secret metadata, one metric, own logs",
        assume_role_policy=dumps(lambda_assume_role_policy(ctx.account_id, ctx.region)),
        tags=shared_tags,
        opts=ctx.child_opts(),
    )
    if roles is not None:
        roles[CHECK_ROLE_KEY] = role
    role_policy = aws.iam.RolePolicy(
        logical.renewal_check(name, "policy"),
        name=docs.CHECK_POLICY_NAME,
        role=role.name,
        policy=dumps(
            docs.check_role_policy(
                region=ctx.region,
                account_id=ctx.account_id,
                environment=name,
                secret_arns=[plan.arn_pattern(s.id) for s in secrets if s.store == docs.STORE],
                watches_vault=bool(in_vault),
            )
        ),
        opts=ctx.child_opts(),
    )
    log_group = aws.cloudwatch.LogGroup(
        logical.renewal_check(name, "logs"),
        name=docs.check_log_group_name(name),
        retention_in_days=LOG_RETENTION_DAYS,
        kms_key_id=ctx.kms_key.arn,
        tags=shared_tags,
        opts=ctx.child_opts(),
    )
    layers: list[pulumi.Input[str]] | None = None
    environment: aws.lambda_.FunctionEnvironmentArgs | None = None
    if in_vault:
        from seccat.components.vault.kv_rotation import vault_address

        layer = aws.lambda_.LayerVersion(
            logical.renewal_check_layer(name),
            layer_name=docs.check_layer_name(name),
            description="seccat renewal check dependencies (hvac), pure Python",
            code=dependency_layer(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            opts=ctx.child_opts(),
        )
        layers = [layer.arn]
        environment = aws.lambda_.FunctionEnvironmentArgs(
            variables=docs.check_vault_environment(
                env, region=ctx.region, vault_address=vault_address()
            )
        )
    function = aws.lambda_.Function(
        logical.renewal_check(name, "function"),
        name=fn_name,
        description=f"seccat: days until each owner-rotated secret of {name} is due",
        role=role.arn,
        runtime=RUNTIME,
        architectures=[ARCHITECTURE],
        handler=docs.HANDLER,
        code=code_archive(vault=bool(in_vault)),
        timeout=TIMEOUT_SECONDS,
        memory_size=MEMORY_MB,
        reserved_concurrent_executions=RESERVED_CONCURRENCY,
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(
            log_format="JSON", log_group=docs.check_log_group_name(name)
        ),
        tags=shared_tags,
        layers=layers,
        environment=environment,
        kms_key_arn=ctx.kms_key.arn if environment is not None else None,
        opts=ctx.child_opts(depends_on=[role_policy, log_group]),
    )
    alarms = function_alarms(
        ctx, fn_name, shared_tags, ctx.parent, runbook_links.platform_page("renewal-check")
    )

    group = aws.scheduler.ScheduleGroup(
        logical.renewal_check(name, "schedules"),
        name=docs.schedule_group_name(name),
        tags=shared_tags,
        opts=ctx.child_opts(),
    )
    scheduler_role = aws.iam.Role(
        logical.renewal_check(name, "scheduler-role"),
        name=docs.scheduler_role_name(name),
        description=f"EventBridge Scheduler running the renewal check of {name}",
        assume_role_policy=dumps(
            scheduler_trust_policy(
                ctx.account_id, docs.schedule_group_arn(ctx.region, ctx.account_id, name)
            )
        ),
        tags=shared_tags,
        opts=ctx.child_opts(),
    )
    invoke_policy = aws.iam.RolePolicy(
        logical.renewal_check(name, "scheduler-policy"),
        name=docs.SCHEDULER_POLICY_NAME,
        role=scheduler_role.name,
        policy=dumps(scheduler_invoke_policy(function_arn(ctx.region, ctx.account_id, fn_name))),
        opts=ctx.child_opts(),
    )

    for team in sorted({s.owner for s in secrets}):
        topic_name = docs.team_topic_name(name, team)
        topic_arn = docs.team_topic_arn(ctx.region, ctx.account_id, name, team)
        team_tags = tags(f"teams/{team}/renewals", team, shared_tags["seccat:classification"], name)
        topic = aws.sns.Topic(
            logical.renewal_topic(name, team),
            name=topic_name,
            kms_master_key_id=ctx.kms_alias,
            tags=team_tags,
            opts=ctx.child_opts(depends_on=[ctx.kms_key]),
        )
        aws.sns.TopicPolicy(
            logical.renewal_topic(name, team, "policy"),
            arn=topic.arn,
            policy=dumps(docs.team_topic_policy(account_id=ctx.account_id, topic_arn=topic_arn)),
            opts=ctx.child_opts(),
        )
        aws.sns.TopicSubscription(
            logical.renewal_topic(name, team, "contact"),
            topic=topic.arn,
            protocol="email",
            endpoint=ctx.catalog.teams[team].contact,
            opts=ctx.child_opts(),
        )

    check = _Check(function.arn, scheduler_role.arn, group.name, (invoke_policy,))
    return check, alarms


def _build_watch(
    ctx: PlatformContext,
    secret: Secret,
    watch: tuple[docs.RenewalAlarm, ...],
    check: _Check | None,
) -> None:
    """One secret's schedule and its reminder and overdue alarms. In a team stack the check
    is the platform stack's, named by ARN (the platform deploys first)."""
    name = ctx.env.name
    if check is None:
        fn_name = docs.check_function_name(name)
        check = _Check(
            function_arn(ctx.region, ctx.account_id, fn_name),
            role_arn(ctx.account_id, docs.scheduler_role_name(name)),
            docs.schedule_group_name(name),
            (),
        )
    secret_tags = tags(secret.id, secret.owner, secret.classification, name)
    aws.scheduler.Schedule(
        logical.renewal_schedule(name, secret.id),
        name=docs.schedule_name(name, secret.id),
        description=f"Measure how long until {secret.id} in {name} is due for renewal",
        group_name=check.group_name,
        schedule_expression=f"rate({docs.CHECK_EVERY_HOURS} hours)",
        schedule_expression_timezone="UTC",
        flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(
            mode="FLEXIBLE", maximum_window_in_minutes=60
        ),
        kms_key_arn=ctx.kms_key_arn,
        state="ENABLED",
        target=aws.scheduler.ScheduleTargetArgs(
            arn=check.function_arn,
            role_arn=check.scheduler_role_arn,
            input=docs.check_input(ctx.env, secret),
            retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                maximum_retry_attempts=3, maximum_event_age_in_seconds=3600
            ),
        ),
        opts=ctx.child_opts(depends_on=list(check.depends_on)),
    )
    for alarm in watch:
        aws.cloudwatch.MetricAlarm(
            logical.function_alarm(name, alarm.name),
            name=alarm.name,
            alarm_description=alarm.description,
            namespace=docs.NAMESPACE,
            metric_name=docs.METRIC,
            dimensions=alarm.dimensions,
            statistic=alarm.statistic,
            period=docs.ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            threshold=alarm.threshold,
            comparison_operator=alarm.comparison_operator,
            treat_missing_data=alarm.treat_missing_data,
            actions_enabled=True,
            alarm_actions=list(alarm.alarm_actions),
            ok_actions=list(alarm.alarm_actions),
            tags=secret_tags,
            opts=ctx.child_opts(),
        )
