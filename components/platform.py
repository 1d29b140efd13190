"""The root component: one environment's secrets platform, built from the catalog."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import CLASSIFICATION_RANK, Catalog
from seccat.components.aws import build_aws
from seccat.components.context import PlatformContext
from seccat.components.protection import protect_data
from seccat.components.tagging import tags
from seccat.components.vault import build_vault
from seccat.documents import logical_names as logical
from seccat.documents.names import kms_alias_name
from seccat.documents.shared_infra import (
    alarm_topic_arn,
    alarm_topic_name,
    alarm_topic_policy,
    kms_key_policy,
)
from seccat.documents.templating import dumps
from seccat.stacks.plan import StackSpec

TYPE = "seccat:index:SecretsPlatform"
SHARD_TYPE = "seccat:index:SecretsShard"
#: Platform stack outputs that team stacks read through a StackReference.
KMS_KEY_ARN = "kmsKeyArn"
ALARM_TOPIC_ARN = "alarmTopicArn"
LAYER_ARNS = "layerArns"
REPLICA_KEY_ARNS = "replicaKeyArns"

#: AWS rotates customer keys yearly by default; 365 days is also the longest period the
#: rules accept (Security Hub KMS.4, CIS AWS 3.6).
KEY_ROTATION_DAYS = 365
#: The longest waiting period, so a mistaken deletion can be cancelled (Security Hub KMS.3).
KEY_DELETION_WINDOW_DAYS = 30


class SecretsPlatform(pulumi.ComponentResource):
    """Shared per-environment infrastructure (KMS key, alarm topic) and, below it, every
    secret and consumer the catalog declares for that environment."""

    def __init__(
        self,
        name: str,
        catalog: Catalog,
        environment: str,
        opts: pulumi.ResourceOptions | None = None,
        stack: StackSpec | None = None,
    ) -> None:
        """``stack``: the platform stack of a split environment builds the shared resources
        only (seccat.stacks.plan); by default (one stack) everything."""
        env = catalog.environments[environment]
        stack = stack or StackSpec(environment, environment, "single")
        super().__init__(
            TYPE,
            name,
            {"catalogRef": ["environments", environment]},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[protect_data(env.protect)])
            ),
        )
        if env.aws is None:
            raise pulumi.RunError(f"environment {environment!r} has no aws account in the catalog")
        secrets = catalog.secrets_in(environment)
        top = max((CLASSIFICATION_RANK[s.classification] for s in secrets), default=1)
        shared_tags = tags(
            catalog_id=f"environments/{environment}",
            owner="seccat",
            classification=next(c for c, r in CLASSIFICATION_RANK.items() if r == top),
            environment=environment,
        )
        child = pulumi.ResourceOptions(parent=self)

        self.kms_key = aws.kms.Key(
            logical.kms_key(environment),
            description=f"seccat envelope encryption for {environment} secrets",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=dumps(kms_key_policy(env)),
            tags=shared_tags,
            opts=child,
        )
        self.kms_alias_name = kms_alias_name(environment)
        aws.kms.Alias(
            logical.kms_alias(environment),
            name=self.kms_alias_name,
            target_key_id=self.kms_key.key_id,
            opts=child,
        )

        self.alarm_topic = aws.sns.Topic(
            logical.alarm_topic(environment),
            name=alarm_topic_name(env),
            kms_master_key_id=self.kms_alias_name,
            tags=shared_tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.kms_key]),
        )
        aws.sns.TopicPolicy(
            logical.alarm_topic_policy(environment),
            arn=self.alarm_topic.arn,
            policy=dumps(alarm_topic_policy(env)),
            opts=child,
        )
        teams = sorted(
            {s.owner for s in secrets}
            | {
                catalog.services[c.service].team
                for s in secrets
                for c in s.consumers_in(environment)
            }
        )
        for team in teams:
            aws.sns.TopicSubscription(
                logical.alarm_subscription(environment, team),
                topic=self.alarm_topic.arn,
                protocol="email",
                endpoint=catalog.teams[team].contact,
                opts=child,
            )

        self.context = PlatformContext(
            catalog=catalog,
            env=env,
            parent=self,
            kms_key=self.kms_key,
            kms_key_arn=self.kms_key.arn,
            kms_alias=self.kms_alias_name,
            alarm_topic=self.alarm_topic,
            alarm_topic_arn=alarm_topic_arn(env),
            stack=stack,
        )
        service_roles = build_aws(self.context)
        build_vault(self.context, service_roles)

        #: What team stacks read through a StackReference (see SecretsShard).
        self.shared: dict[str, pulumi.Input[object]] = {
            KMS_KEY_ARN: self.kms_key.arn,
            ALARM_TOPIC_ARN: self.alarm_topic.arn,
            LAYER_ARNS: dict(self.context.exports.get(LAYER_ARNS, {})),
            REPLICA_KEY_ARNS: dict(self.context.exports.get(REPLICA_KEY_ARNS, {})),
        }
        self.register_outputs(
            {
                "kmsKeyArn": self.kms_key.arn,
                "kmsAlias": self.kms_alias_name,
                "alarmTopicArn": self.alarm_topic.arn,
            }
        )


def platform_reference(stack: StackSpec) -> str:
    """The fully qualified name of the platform stack a team stack reads."""
    # A self-managed backend (and the mock monitor) has no organization; Pulumi names it so.
    organization = pulumi.get_organization() or "organization"
    return f"{organization}/{pulumi.get_project()}/{stack.platform_stack}"


class SecretsShard(pulumi.ComponentResource):
    """A team stack of a split environment (seccat.stacks.plan): the team's secrets and
    services, built by the same builders as SecretsPlatform, with the environment's shared
    resources read from the platform stack's outputs."""

    def __init__(
        self,
        name: str,
        catalog: Catalog,
        stack: StackSpec,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        environment = stack.environment
        env = catalog.environments[environment]
        super().__init__(
            SHARD_TYPE,
            name,
            {"catalogRef": ["environments", environment]},
            pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(transformations=[protect_data(env.protect)])
            ),
        )
        if env.aws is None:
            raise pulumi.RunError(f"environment {environment!r} has no aws account in the catalog")
        platform = pulumi.StackReference(
            platform_reference(stack), opts=pulumi.ResourceOptions(parent=self)
        )
        layers = platform.get_output(LAYER_ARNS)
        replicas = platform.get_output(REPLICA_KEY_ARNS)
        regions = sorted({r for s in catalog.secrets_in(environment) for r in s.replicas})
        self.context = PlatformContext(
            catalog=catalog,
            env=env,
            parent=self,
            kms_key=None,
            kms_key_arn=platform.get_output(KMS_KEY_ARN),
            kms_alias=kms_alias_name(environment),
            alarm_topic=None,
            alarm_topic_arn=alarm_topic_arn(env),
            stack=stack,
            layer_arns={
                role: layers.apply(lambda m, r=role: (m or {}).get(r))
                for role in ("rotation", "kv-rotator")
            },
            replica_key_arns={
                region: replicas.apply(lambda m, r=region: (m or {}).get(r)) for region in regions
            },
        )
        service_roles = build_aws(self.context)
        build_vault(self.context, service_roles)
        self.register_outputs({})
