"""One catalog secret in one environment, as an AWS Secrets Manager secret.

The program never writes a value (no SecretVersion): generated types get their first value
from their rotation function, externally issued ones from their owner, so no plaintext is
ever in Pulumi state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents.aws_plan import SecretPlan
from seccat.documents.iam import secret_resource_policy
from seccat.documents.renewal import NOT_AFTER_TAG
from seccat.documents.templating import dumps

TYPE = "seccat:aws:ManagedSecret"

#: Deletion waits this long before the value is gone: the longest AWS allows where data must
#: survive a mistaken catalog change, the shortest sensible elsewhere.
RECOVERY_DAYS_PROTECTED = 30
RECOVERY_DAYS_UNPROTECTED = 7

ROTATION_TAG = "seccat:rotation"
#: Property paths of tags Pulumi must not remove (see ManagedSecret).
OPERATIONAL_TAGS = [f'tags["{NOT_AFTER_TAG}"]', 'tags["seccat:incident"]']


def secret_tags(ctx: PlatformContext, plan: SecretPlan) -> dict[str, str]:
    s = plan.secret
    return {
        **tags(s.id, s.owner, s.classification, ctx.env.name),
        # "owner" tells on-call (and SECCAT-AWS-002) that the owning team renews the value
        # and the renewal reminder and overdue alarm watch it; "managed": a function rotates.
        ROTATION_TAG: "owner" if plan.secret.owner_rotated else "managed",
        "seccat:type": s.type,
    }


class ManagedSecret(pulumi.ComponentResource):
    """The secret and its resource policy; its rotation function hangs below it."""

    def __init__(
        self,
        ctx: PlatformContext,
        plan: SecretPlan,
        replica_keys: Mapping[str, pulumi.Input[str]],
    ) -> None:
        self.plan = plan
        self.env = ctx.env.name
        self.logical = logical.managed_secret(ctx.env.name, plan.secret.id)
        super().__init__(
            TYPE, self.logical, {"catalogRef": ["secrets", plan.secret.id]}, ctx.child_opts()
        )
        self.tags = secret_tags(ctx, plan)
        self.secret = aws.secretsmanager.Secret(
            self.logical,
            name=plan.name,
            description=plan.secret.description,
            kms_key_id=ctx.kms_key_arn,
            recovery_window_in_days=RECOVERY_DAYS_PROTECTED
            if ctx.env.protect
            else RECOVERY_DAYS_UNPROTECTED,
            # A replica is re-encrypted in its own region, where the primary key does not
            # exist: each replica uses the environment's key *in that region*, which
            # ReplicaKeys creates under the same alias (alias/seccat/<env>).
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(region=region, kms_key_id=replica_keys[region])
                for region in plan.secret.replicas
            ],
            tags=self.tags,
            # Tags the operators write and the next `pulumi up` must keep: a certificate's
            # notAfter (written when it is renewed, read by `seccat status` and the renewal
            # check) and the incident a `seccat rotate --incident` rotated it in.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=OPERATIONAL_TAGS),
        )

    def attach_policy(
        self, depends_on: Sequence[pulumi.Resource]
    ) -> aws.secretsmanager.SecretPolicy:
        """The resource policy names its readers' roles, so AWS refuses it until they exist:
        it is attached once the roles are declared, and depends on them."""
        policy = aws.secretsmanager.SecretPolicy(
            logical.secret_policy(self.env, self.plan.secret.id),
            secret_arn=self.secret.arn,
            policy=dumps(
                secret_resource_policy(
                    secret_name=self.plan.name,
                    secret_arn=self.plan.arn_pattern,
                    readers=self.plan.readers,
                    owner=self.plan.owner_role_arn,
                    rotator=self.plan.rotator.role_arn if self.plan.rotator else None,
                    writers=self.plan.writers,
                )
            ),
            block_public_policy=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
        )
        self.register_outputs({"arn": self.secret.arn, "name": self.plan.name})
        return policy
