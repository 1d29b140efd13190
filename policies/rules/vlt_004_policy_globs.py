"""Vault policies grant no sudo and no broad globs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ResourceValidationArgs

from seccat.policies.framework import Rule
from seccat.policies.props import get
from seccat.policies.rules._types import VAULT_POLICY
from seccat.policies.vault_hcl import parse_policy

_SYSTEM_PREFIXES = ("sys/", "auth/")


def _problems(path: str, capabilities: tuple[str, ...]) -> Iterator[str]:
    if "deny" in capabilities:
        return
    if "sudo" in capabilities:
        yield f'path "{path}" grants sudo'
    glob = "*" in path or "+" in path
    if not glob:
        return
    clean = path.lstrip("/")
    segments = [s for s in clean.split("/") if s]
    if clean.startswith(_SYSTEM_PREFIXES) or clean in ("sys", "auth"):
        yield f'path "{path}" uses a glob under sys/ or auth/'
    elif len(segments) <= 2 or segments[0] in ("*", "+") or segments[0].endswith("*"):
        yield f'path "{path}" uses a glob that covers a whole mount'
    else:
        yield f'path "{path}" uses a glob (seccat grants exact paths only)'


def check(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[str]:
    text = get(args.props, "policy")
    if not isinstance(text, str):
        return
    try:
        rules = parse_policy(text)
    except ValueError as exc:
        yield f"the policy does not parse as Vault HCL: {exc}"
        return
    for rule in rules:
        problems = list(_problems(rule.path, rule.capabilities))
        if config["allowNarrowGlobs"]:
            problems = [p for p in problems if "exact paths only" not in p]
        yield from problems


RULE = Rule(
    id="SECCAT-VLT-004",
    title="Vault policies grant no sudo and no broad globs",
    description=(
        "ACL policies never grant sudo (it unlocks root-protected paths such as audit "
        "configuration) and never use '*' or '+' on sys/, auth/ or a whole mount; by default "
        "any glob is refused, since '*' is a prefix match ('secret/foo*' matches "
        "'secret/foobar') (Vault policies and production-hardening docs; issue 4)."
    ),
    severity="critical",
    enforcement="mandatory",
    scope="resource",
    resource_types=(VAULT_POLICY,),
    controls=(),
    remediation="Grant exact paths (<mount>/data/<id>, <mount>/metadata/<id>) and no sudo.",
    check=check,
    config_schema={"allowNarrowGlobs": {"type": "boolean", "default": False}},
)
