"""ACL policies: one per consuming service, one writer per owning team, one per KV rotator.

The HCL comes from seccat.documents.vault_policy (pure, shared with `seccat render`, the
policy rules and the conformance tests); this module only registers it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi_vault as vault

from seccat.components.context import PlatformContext
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout
from seccat.documents import vault_policy as documents


@dataclass
class Policies:
    services: dict[str, vault.Policy] = field(default_factory=dict)
    writers: dict[str, vault.Policy] = field(default_factory=dict)
    rotators: dict[str, vault.Policy] = field(default_factory=dict)


def build_policies(ctx: PlatformContext) -> Policies:
    catalog, env = ctx.catalog, ctx.env
    built = Policies()
    for service in documents.consuming_services(catalog, env):
        if not ctx.stack.holds_service(service):
            continue
        built.services[service] = vault.Policy(
            logical.vault_service_policy(env.name, service),
            name=layout.service_policy_name(env, service),
            policy=documents.service_policy(catalog, env, service),
            opts=ctx.child_opts(),
        )
    for team in documents.writer_teams(catalog, env):
        if not ctx.stack.holds_team(team):
            continue
        built.writers[team] = vault.Policy(
            logical.vault_writer_policy(env.name, team),
            name=layout.writer_policy_name(env, team),
            policy=documents.writer_policy(catalog, env, team),
            opts=ctx.child_opts(),
        )
    for team in documents.rotator_teams(catalog, env):
        if not ctx.stack.holds_team(team):
            continue
        built.rotators[team] = vault.Policy(
            logical.vault_rotator_policy(env.name, team),
            name=layout.rotator_policy_name(env, team),
            policy=documents.rotator_policy(catalog, env, team),
            opts=ctx.child_opts(),
        )
    return built
