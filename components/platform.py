"""The root component: one environment's secrets platform, built from the catalog."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws import build_aws
from components.context import PlatformContext
from components.protection import protect_data
from components.tagging import tags
from components.vault import build_vault
from seccat.catalog.model import CLASSIFICATION_RANK, Catalog
from seccat.documents import logical_names as logical
from seccat.documents.names import kms_alias_name
from seccat.documents.shared_infra import (
    alarm_topic_arn,
    alarm_topic_name,
    alarm_topic_policy,
    kms_key_policy,
)
from seccat.documents.templating import dumps

TYPE = "seccat:index:SecretsPlatform"

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
    ) -> None:
        env = catalog.environments[environment]
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
            kms_alias=self.kms_alias_name,
            alarm_topic=self.alarm_topic,
            alarm_topic_arn=alarm_topic_arn(env),
        )
        service_roles = build_aws(self.context)
        build_vault(self.context, service_roles)

        self.register_outputs(
            {
                "kmsKeyArn": self.kms_key.arn,
                "kmsAlias": self.kms_alias_name,
                "alarmTopicArn": self.alarm_topic.arn,
            }
        )
