"""The Lambda that rotates one secret, and the SecretRotation that schedules it.

One function per secret: the rotators take their settings (value shape, database login,
strategy) from non-secret environment variables (functions/README.md), and a function per
secret means its role reaches exactly that secret. Reserved concurrency 1 serialises the
rotations of one secret, so two Secrets Manager invocations can never race each other.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import Secret
from seccat.components.aws.alarms import function_alarms
from seccat.components.aws.package import HANDLERS, code_archive, dependency_layer
from seccat.components.context import PlatformContext
from seccat.documents import logical_names as logical
from seccat.documents import runbook_links
from seccat.documents.aws_plan import RotatorPlan, SecretPlan
from seccat.documents.iam import lambda_assume_role_policy, rotation_role_policy
from seccat.documents.names import (
    ROTATION_INVOKE_STATEMENT,
    ROTATION_POLICY_NAME,
    require,
    rotation_layer_name,
)
from seccat.documents.templating import dumps

RUNTIME = "python3.13"
#: Pure-Python code: arm64 is cheaper and the vendored driver (pg8000) has no native parts.
ARCHITECTURE = "arm64"
#: Secrets Manager allows a rotation step minutes; a database step may wait for a connection.
TIMEOUT_SECONDS = {"generated": 30, "postgres": 60}
MEMORY_MB = 256
RESERVED_CONCURRENCY = 1
#: PCI DSS v4.0 10.5.1 keeps audit log history for at least 12 months (Checkov CKV_AWS_338
#: asks for one year too); 365 is a retention CloudWatch Logs accepts.
LOG_RETENTION_DAYS = 365


def environment_variables(
    secret: Secret, rotator: RotatorPlan, master_arn: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str]]:
    """Settings only, never a value: the names the rotators read (functions/rotation/)."""
    g = secret.generate
    variables: dict[str, pulumi.Input[str]] = {
        "SECCAT_GENERATE_LENGTH": str(g.length),
        "SECCAT_GENERATE_EXCLUDE_CHARACTERS": g.exclude_characters,
        "SECCAT_GENERATE_EXCLUDE_PUNCTUATION": str(g.exclude_punctuation).lower(),
        "SECCAT_GENERATE_REQUIRE_EACH_INCLUDED_TYPE": str(g.require_each_included_type).lower(),
    }
    if rotator.kind == "postgres":
        db = rotator.database
        assert db is not None and secret.database is not None and secret.rotation is not None
        variables |= {
            "SECCAT_DB_STRATEGY": secret.rotation.strategy,
            "SECCAT_DB_HOST": require(db.host, "hostname"),
            "SECCAT_DB_PORT": str(db.port),
            "SECCAT_DB_NAME": db.database,
            "SECCAT_DB_USERNAME": require(secret.database.username, "db_identifier"),
            "SECCAT_DB_SSLMODE": db.ssl_mode,
        }
        if secret.database.alternate_username:
            variables["SECCAT_DB_ALTERNATE_USERNAME"] = require(
                secret.database.alternate_username, "db_identifier"
            )
        if master_arn is not None:
            variables["SECCAT_DB_MASTER_SECRET_ARN"] = master_arn
    return variables


def vpc_ids(rotator: RotatorPlan) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(subnet ids, security group ids) of the database the function must reach."""
    db = rotator.database
    if db is None or db.vpc is None:
        return (), ()
    return db.vpc.subnet_ids, db.vpc.security_group_ids


def build_dependency_layer(ctx: PlatformContext) -> aws.lambda_.LayerVersion:
    """pg8000 for the PostgreSQL rotators, once per environment (functions/README.md)."""
    env = ctx.env.name
    return aws.lambda_.LayerVersion(
        logical.rotation_layer(env),
        layer_name=rotation_layer_name(env),
        description="seccat rotation dependencies (functions/requirements.txt), pure Python",
        code=dependency_layer(),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        opts=ctx.child_opts(),
    )


class RotationFunction:
    """Role, log group, function, invoke permission, schedule and alarms for one secret.

    Deliberately not a component resource: these resources sit directly under the secret's
    ManagedSecret, which already groups "a secret and what keeps it rotated", and an extra
    component per rotated secret cost a registration each (a fifth of the preview's
    overhead over bare resources at 1,000 secrets).
    """

    def __init__(
        self,
        ctx: PlatformContext,
        plan: SecretPlan,
        secret: aws.secretsmanager.Secret,
        resource_tags: dict[str, str],
        master_arn: pulumi.Input[str] | None,
        master_pattern: str | None,
        parent: pulumi.Resource,
        layer_arn: pulumi.Input[str] | None = None,
    ) -> None:
        rotator = plan.rotator
        assert rotator is not None
        env, secret_id = ctx.env.name, plan.secret.id
        child = pulumi.ResourceOptions(parent=parent)

        self.role = aws.iam.Role(
            logical.rotation(env, secret_id, "role"),
            name=rotator.role_name,
            description=f"seccat: rotates {plan.name} and nothing else",
            assume_role_policy=dumps(lambda_assume_role_policy(ctx.account_id, ctx.region)),
            tags=resource_tags,
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            logical.rotation(env, secret_id, "role-policy"),
            name=ROTATION_POLICY_NAME,
            role=self.role.name,
            policy=dumps(
                rotation_role_policy(
                    region=ctx.region,
                    account_id=ctx.account_id,
                    kms_alias=ctx.kms_alias,
                    secret_arn=plan.arn_pattern,
                    log_group_arn=rotator.log_group_arn,
                    master_arn=master_pattern,
                    subnet_ids=vpc_ids(rotator)[0],
                    security_group_ids=vpc_ids(rotator)[1],
                )
            ),
            opts=child,
        )
        self.log_group = aws.cloudwatch.LogGroup(
            logical.rotation(env, secret_id, "logs"),
            name=rotator.log_group_name,
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=ctx.kms_key_arn,
            tags=resource_tags,
            opts=child,
        )
        db = rotator.database
        vpc = db.vpc if db is not None else None
        self.function = aws.lambda_.Function(
            logical.rotation(env, secret_id, "function"),
            name=rotator.function_name,
            description=f"seccat: rotates {plan.name}",
            role=self.role.arn,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=HANDLERS[rotator.kind],
            code=code_archive(rotator.kind),
            layers=[layer_arn] if layer_arn is not None else None,
            timeout=TIMEOUT_SECONDS[rotator.kind],
            memory_size=MEMORY_MB,
            reserved_concurrent_executions=RESERVED_CONCURRENCY,
            environment=aws.lambda_.FunctionEnvironmentArgs(
                variables=environment_variables(plan.secret, rotator, master_arn)
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=rotator.log_group_name
            ),
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=[require(s, "subnet_id") for s in vpc.subnet_ids],
                security_group_ids=[
                    require(s, "security_group_id") for s in vpc.security_group_ids
                ],
            )
            if vpc is not None
            else None,
            tags=resource_tags,
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[self.role_policy, self.log_group]
            ),
        )
        # Only Secrets Manager, only for this secret, only from this account.
        self.permission = aws.lambda_.Permission(
            logical.rotation(env, secret_id, "invoke"),
            statement_id=ROTATION_INVOKE_STATEMENT,
            action="lambda:InvokeFunction",
            function=self.function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret.arn,
            source_account=ctx.account_id,
            opts=child,
        )
        self.rotation = aws.secretsmanager.SecretRotation(
            logical.rotation(env, secret_id, "schedule"),
            secret_id=secret.arn,
            rotation_lambda_arn=self.function.arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                **rotator.rules.as_args()  # type: ignore[arg-type]
            ),
            # Generated types start empty: the first rotation writes their first value,
            # unless the rotator cannot bootstrap (a login without a superuser secret).
            rotate_immediately=rotator.bootstraps,
            opts=pulumi.ResourceOptions(
                parent=parent, depends_on=[self.permission, self.role_policy]
            ),
        )
        self.alarm_arns = function_alarms(
            ctx,
            rotator.function_name,
            resource_tags,
            parent,
            runbook_links.secret_page(plan.secret.id),
        )
