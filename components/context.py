"""What the environment-wide component hands to the per-secret and per-service builders."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import Catalog, Environment


@dataclass(frozen=True)
class PlatformContext:
    """Shared resources plus their names as *plain strings*.

    Policy documents must be fully known at preview time so a policy pack can check them
    during `pulumi preview`; the plain names (alias, topic ARN) make that possible where the
    resources' own ARNs are still unknown.
    """

    catalog: Catalog
    env: Environment
    parent: pulumi.ComponentResource
    kms_key: aws.kms.Key
    #: ``alias/seccat/<env>``: IAM statements scope KMS use with ``kms:ResourceAliases``.
    kms_alias: str
    alarm_topic: aws.sns.Topic
    alarm_topic_arn: str

    @property
    def account_id(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.account_id

    @property
    def region(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.region

    def child_opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, **kwargs)  # type: ignore[arg-type]
