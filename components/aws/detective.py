"""AWS Config managed rules that catch what the preventive setup cannot: a rotation that
stopped happening, a secret nobody uses, a key whose rotation was switched off.

Needs an AWS Config recorder in the account (usually the landing zone's); seccat does not
create one, because an account has exactly one and it is rarely owned by one project.
The rules themselves (names, parameters, scopes) are seccat.documents.monitoring.config_rules.
"""

from __future__ import annotations

import json

import pulumi_aws as aws

from seccat.components.context import PlatformContext
from seccat.components.tagging import tags
from seccat.documents import logical_names as logical
from seccat.documents.aws_plan import AwsPlan
from seccat.documents.monitoring import config_rule_name, config_rules

PERIODIC = "TwentyFour_Hours"


def build_detective_controls(ctx: PlatformContext, plan: AwsPlan) -> None:
    if not ctx.env.detective_controls or not plan.aws_secrets:
        return
    env = ctx.env.name
    for rule in config_rules(env, (s.classification for s in plan.aws_secrets)):
        aws.cfg.Rule(
            logical.config_rule(env, rule.suffix),
            name=config_rule_name(env, rule.suffix),
            description=rule.description,
            source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=rule.identifier),
            input_parameters=json.dumps(rule.parameters) if rule.parameters else None,
            scope=aws.cfg.RuleScopeArgs(tag_key=rule.scope_tag[0], tag_value=rule.scope_tag[1])
            if rule.scope_tag
            else None,
            maximum_execution_frequency=PERIODIC if rule.periodic else None,
            tags=tags(f"environments/{env}", "seccat", "internal", env),
            opts=ctx.child_opts(),
        )
