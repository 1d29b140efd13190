"""A consuming service's AWS identity in one environment and what it may read.

The role exists for every service with ``aws.trust`` that consumes anything here, even only
Vault secrets: Vault's AWS auth binds this role (names.service_role_name). With
``aws.role_name`` the policy goes onto that existing role instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from seccat.components.context import ROOT_ALIAS, PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents.aws_plan import AwsPlan, ServicePlan
from seccat.documents.iam import consumer_policy, trust_policy
from seccat.documents.names import consumer_policy_name
from seccat.documents.templating import dumps

TYPE = "seccat:aws:ServiceAccess"

#: Sessions last an hour: SDKs refresh credentials on their own, and a stolen session token
#: is useful for less time.
MAX_SESSION_SECONDS = 3600


class ServiceAccess(pulumi.ComponentResource):
    def __init__(self, ctx: PlatformContext, aws_plan: AwsPlan, plan: ServicePlan) -> None:
        service = plan.service
        env = ctx.env.name
        super().__init__(
            TYPE,
            logical.service_access(env, service.name),
            {"catalogRef": ["services", service.name]},
            ctx.child_opts(),
        )
        resource_tags = tags(f"services/{service.name}", service.team, plan.classification, env)
        self.role_arn = plan.role_arn
        self.role: aws.iam.Role | None = None
        # The role is shared (every secret policy that names it needs it first): it lives
        # in the platform stack; the policy, which changes with what the service reads, in
        # the service's team stack.
        if plan.create_role and ctx.platform:
            assert service.aws is not None and service.aws.trust is not None
            self.role = aws.iam.Role(
                logical.service_role(env, service.name),
                name=plan.role_name,
                description=f"seccat: {service.name} in {env}",
                assume_role_policy=dumps(
                    trust_policy(service.aws.trust, ctx.account_id, ctx.region)
                ),
                max_session_duration=MAX_SESSION_SECONDS,
                tags=resource_tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.policy: aws.iam.RolePolicy | None = None
        if plan.reads and ctx.stack.holds_service(service.name):
            self.policy = aws.iam.RolePolicy(
                logical.service_policy(env, service.name),
                name=consumer_policy_name(env),
                role=self.role.name if self.role is not None else plan.role_name,
                policy=dumps(
                    consumer_policy(
                        region=ctx.region,
                        account_id=ctx.account_id,
                        kms_alias=ctx.kms_alias,
                        read_arns=[
                            a for s in plan.reads for a in aws_plan.arn_patterns_everywhere(s)
                        ],
                        write_arns=[aws_plan.arn_pattern(s) for s in plan.writes],
                        replica_regions=aws_plan.replica_regions(plan.reads),
                    )
                ),
                # The policy changes stacks without its component (which stays with the role
                # in the platform stack): moved, it arrives under the root stack.
                opts=pulumi.ResourceOptions(
                    parent=self, aliases=[ROOT_ALIAS] if ctx.stack.kind != "single" else None
                ),
            )
        self.register_outputs({"roleArn": self.role_arn})


def build_services(ctx: PlatformContext, aws_plan: AwsPlan) -> Mapping[str, ServiceAccess]:
    return {
        name: ServiceAccess(ctx, aws_plan, plan)
        for name, plan in aws_plan.services.items()
        if ctx.stack.kind == "single"
        or (plan.create_role and ctx.platform)
        or (plan.reads and ctx.stack.holds_service(name))
    }
