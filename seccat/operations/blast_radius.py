"""The blast radius of a service: every secret it can read, per the generated documents.

Read off the preview's documents, never the catalog's consumer lists, so what `seccat
rotate --service` rotates is what the deployed policies really let the service read:

* AWS: the service role reads a secret when its identity policy or the secret's resource
  policy allows ``secretsmanager:GetSecretValue`` on it, unless a Deny of the resource policy
  certainly applies to the role (``aws:PrincipalArn`` not among the listed readers);
* Vault: the service's policy grants ``read`` on the secret's read path (KV ``data/``,
  database ``creds``/``static-creds``).

A pure function of a preview (no server): the plan a dry run prints is the plan the run
executes.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping
from typing import Any

from policies.iam import Statement, action_matches, statements
from policies.props import strings
from policies.vault_hcl import parse_policy
from seccat.documents import vault_layout as layout
from seccat.engine.outputs import outputs_for
from seccat.operations.targets import (
    ROLE_POLICY_TYPE,
    ROLE_TYPE,
    SECRET_POLICY_TYPE,
    SECRET_TYPE,
    EnvironmentTargets,
)

READ = "secretsmanager:GetSecretValue"
VAULT_POLICY = "vault:index/policy:Policy"


def _doc(text: Any) -> Any:
    if isinstance(text, str):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return None
    return text


def _grants_read(s: Statement) -> bool:
    if s.not_actions:
        return not any(action_matches(p, READ) for p in s.not_actions)
    return any(action_matches(p, READ) for p in s.actions)


def _covers(s: Statement, arn: str) -> bool:
    if s.not_resources:
        return not any(fnmatch.fnmatchcase(arn, p) for p in s.not_resources)
    return not s.resources or any(fnmatch.fnmatchcase(arn, p) for p in s.resources)


def _names(s: Statement, role_arn: str) -> bool:
    if s.principals is None:
        return False
    account = role_arn.split(":")[4]
    named = [v for key, values in s.principals.items() if key in ("AWS", "*") for v in values]
    hit = any(v in ("*", role_arn, f"arn:aws:iam::{account}:root", account) for v in named)
    return not hit if s.not_principal else hit


_NEGATED = {
    "arnnotequals": False,
    "arnnotlike": True,
    "stringnotequals": False,
    "stringnotlike": True,
}
_POSITIVE = {"arnequals": False, "arnlike": True, "stringequals": False, "stringlike": True}


def _deny_applies(s: Statement, role_arn: str) -> bool:
    """Whether a Deny certainly applies to the role calling through its own session; a
    condition that depends on the request (TLS, source IP) is not assumed to hold."""
    for operator, block in s.conditions.items():
        if not isinstance(block, Mapping):
            return False
        op = str(operator).lower().removesuffix("ifexists")
        for key, raw in block.items():
            values = strings(raw)
            k = str(key).lower()
            if k == "aws:principalisawsservice" and op == "bool":
                if [v.lower() for v in values] != ["false"]:
                    return False
            elif k == "aws:principalarn" and op in _NEGATED | _POSITIVE:
                glob = (_NEGATED | _POSITIVE)[op]
                hit = any(
                    fnmatch.fnmatchcase(role_arn, v) if glob else role_arn == v for v in values
                )
                if hit == (op in _NEGATED):
                    return False
            else:
                return False
    return True


def _service_role_arn(targets: EnvironmentTargets, service: str) -> str | None:
    account = targets.environment.aws.account_id if targets.environment.aws else None
    if account is None:
        return None
    for r in targets.expected(ROLE_TYPE):
        if r.catalog_ref == ("services", service):
            return f"arn:aws:iam::{account}:role{r.inputs.get('path') or '/'}{r.inputs['name']}"
    for r in targets.expected(ROLE_POLICY_TYPE):
        if r.catalog_ref == ("services", service):  # a role seccat does not create
            return f"arn:aws:iam::{account}:role/{r.inputs['role']}"
    return None


def aws_readable(targets: EnvironmentTargets, service: str) -> set[str]:
    role_arn = _service_role_arn(targets, service)
    env = targets.environment
    if role_arn is None or env.aws is None:
        return set()
    role_name = role_arn.rsplit("/", 1)[1]
    identity = [
        s
        for r in targets.expected(ROLE_POLICY_TYPE)
        if r.inputs.get("role") == role_name
        for s in statements(_doc(r.inputs.get("policy")))
    ]
    resource: dict[str, list[Statement]] = {}
    for r in targets.expected(SECRET_POLICY_TYPE):
        if r.catalog_ref and r.catalog_ref[0] == "secrets":
            resource[r.catalog_ref[1]] = list(statements(_doc(r.inputs.get("policy"))))
    readable: set[str] = set()
    for r in targets.expected(SECRET_TYPE):
        if not r.catalog_ref or r.catalog_ref[0] != "secrets":
            continue
        secret_id = r.catalog_ref[1]
        arns = _secret_arns(r, env.aws.account_id, env.aws.region)
        own = resource.get(secret_id, [])
        allowed = any(
            s.allows and _grants_read(s) and any(_covers(s, a) for a in arns) for s in identity
        ) or any(
            s.allows
            and _grants_read(s)
            and _names(s, role_arn)
            and any(_covers(s, a) for a in arns)
            for s in own
        )
        denied = any(
            not s.allows
            and _grants_read(s)
            and _names(s, role_arn)
            and any(_covers(s, a) for a in arns)
            and _deny_applies(s, role_arn)
            for s in own
        )
        if allowed and not denied:
            readable.add(secret_id)
    return readable


def _secret_arns(r: Any, account: str, region: str) -> list[str]:
    """The secret's ARN in its region and in each replica's (the preview's mocked suffix:
    documents name secrets by ``-??????`` patterns, which match any suffix)."""
    arn, _ = outputs_for(r.type, r.name, r.inputs, account, region)
    regions = [x.get("region") for x in r.inputs.get("replicas") or [] if isinstance(x, dict)]
    return [arn, *(arn.replace(f":{region}:", f":{other}:", 1) for other in regions if other)]


def vault_readable(targets: EnvironmentTargets, service: str) -> set[str]:
    name = layout.service_policy_name(targets.environment, service)
    readable: set[str] = set()
    for r in targets.expected(VAULT_POLICY):
        if r.inputs.get("name") != name:
            continue
        for rule in parse_policy(str(r.inputs.get("policy") or "")):
            if "read" not in rule.capabilities or "deny" in rule.capabilities:
                continue
            target = targets.by_vault_path(rule.path)
            if target is not None and target.vault and rule.path == target.vault.read_path:
                readable.add(target.id)
    return readable


def blast_radius(targets: EnvironmentTargets, service: str) -> list[str]:
    """Catalog ids of every secret ``service`` can read in this environment, sorted."""
    return sorted(aws_readable(targets, service) | vault_readable(targets, service))


def team_secrets(targets: EnvironmentTargets, team: str) -> list[str]:
    return sorted(t.id for t in targets.secrets.values() if t.team == team)


def services_of(targets: EnvironmentTargets) -> Iterable[str]:
    return sorted(targets.catalog.services)
