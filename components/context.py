"""What the environment-wide component hands to the per-secret and per-service builders."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import Catalog, Environment
from seccat.stacks.plan import StackSpec

#: The URN a resource has after `pulumi state move` without its parent: under the root stack.
ROOT_ALIAS = pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)


@dataclass(frozen=True)
class PlatformContext:
    """Shared resources plus their names as *plain strings*.

    Policy documents must be fully known at preview time so a policy pack can check them
    during `pulumi preview`; the plain names (alias, topic ARN) make that possible where the
    resources' own ARNs are still unknown.

    ``stack`` says which part of the environment this Pulumi stack builds (everything, in
    single-stack mode; seccat.stacks.plan). Shared resources built by another stack (the
    platform's) are not objects here: their outputs come from a ``pulumi.StackReference``
    (``kms_key_arn``, ``layer_arns``, ``replica_key_arns``) and everything else a builder
    needs from another stack is a deterministic name.
    """

    catalog: Catalog
    env: Environment
    parent: pulumi.ComponentResource
    #: The environment's key; None in a team stack (the platform stack owns it).
    kms_key: aws.kms.Key | None
    kms_key_arn: pulumi.Input[str]
    #: ``alias/seccat/<env>``: IAM statements scope KMS use with ``kms:ResourceAliases``.
    kms_alias: str
    alarm_topic: aws.sns.Topic | None
    alarm_topic_arn: str
    stack: StackSpec
    #: Layer ARNs by role ("rotation", "kv-rotator") read from the platform stack.
    layer_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: Replica-region key ARNs read from the platform stack.
    replica_key_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: What the platform stack exports for team stacks, filled by the builders.
    exports: dict[str, dict[str, pulumi.Input[str]]] = field(default_factory=dict)

    def export(self, group: str, key: str, value: pulumi.Input[str]) -> None:
        self.exports.setdefault(group, {})[key] = value

    @property
    def account_id(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.account_id

    @property
    def region(self) -> str:
        assert self.env.aws is not None
        return self.env.aws.region

    @property
    def platform(self) -> bool:
        """Whether this stack builds the environment's shared resources."""
        return self.stack.platform

    def child_opts(self, **kwargs: object) -> pulumi.ResourceOptions:
        """Options of a direct child of the environment's root component.

        In a split environment every such child also answers to its root-parented URN: a
        resource `pulumi state move` brought from another stack arrives parented to the root
        stack (its parent stayed behind), and the alias lets this stack adopt it instead of
        replacing it (seccat stacks --diff, docs/stacks.md). Children of these resources
        inherit the alias."""
        if self.stack.kind != "single":
            kwargs.setdefault("aliases", [ROOT_ALIAS])
        return pulumi.ResourceOptions(parent=self.parent, **kwargs)  # type: ignore[arg-type]

    def local(self, *resources: pulumi.Resource | None) -> list[pulumi.Resource]:
        """The resources that exist in this stack, for ``depends_on``: one in another stack
        is ordered by the deployment (platform first), not by this program."""
        return [r for r in resources if r is not None]
