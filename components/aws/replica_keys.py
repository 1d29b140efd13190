"""The environment's KMS key in each region that holds secret replicas.

A Secrets Manager replica is encrypted in its own region, where the primary key does not
exist. Rather than turning the primary into a multi-region key (a property that cannot be
changed without replacing the key, and so every secret's encryption), each replica region
gets its own customer managed key with the same policy and alias ``alias/seccat/<env>``:
Secrets Manager decrypts with the primary key and re-encrypts with the regional one.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from seccat.catalog.model import CLASSIFICATION_RANK
from seccat.components.aws.providers import regional_provider
from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents.aws_plan import AwsPlan
from seccat.documents.iam import replica_key_policy
from seccat.documents.names import require
from seccat.documents.templating import dumps


def build_replica_keys(ctx: PlatformContext, plan: AwsPlan) -> dict[str, pulumi.Output[str]]:
    """Key ARN per replica region."""
    # Same key settings as the primary; imported here because platform.py imports this package.
    from seccat.components.platform import KEY_DELETION_WINDOW_DAYS, KEY_ROTATION_DAYS

    env = ctx.env.name
    regions: dict[str, list[str]] = {}
    for secret in plan.aws_secrets:
        for region in secret.replicas:
            regions.setdefault(require(region, "region"), []).append(secret.classification)
    keys: dict[str, pulumi.Output[str]] = {}
    for region, classes in sorted(regions.items()):
        if region == ctx.region:
            raise pulumi.RunError(f"a secret in {env} replicates to its own region {region}")
        provider = regional_provider(
            logical.replica_provider(env, region), region, ctx.child_opts()
        )
        opts = pulumi.ResourceOptions(parent=ctx.parent, provider=provider)
        key = aws.kms.Key(
            logical.replica_key(env, region),
            description=f"seccat envelope encryption for {env} secret replicas in {region}",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=dumps(
                replica_key_policy(environment=env, account_id=ctx.account_id, region=region)
            ),
            tags=tags(
                f"environments/{env}",
                "seccat",
                max(classes, key=CLASSIFICATION_RANK.__getitem__),
                env,
            ),
            opts=opts,
        )
        aws.kms.Alias(
            logical.replica_alias(env, region),
            name=ctx.kms_alias,
            target_key_id=key.key_id,
            opts=opts,
        )
        keys[region] = key.arn
    return keys
