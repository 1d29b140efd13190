"""Every owner-rotated Vault KV secret is under watch: a renewal check that can read its
metadata (and nothing more), a reminder and an overdue alarm. Split into micro-stacks, the
check's login is the platform stack's and each secret's schedule and alarms its team
stack's: each stack is judged on its part."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.documents import vault_layout as layout
from seccat.documents.iam import role_arn
from seccat.documents.renewal import KV_STORE, METRIC, NAMESPACE, check_function_name
from seccat.documents.vault_policy import owner_rotated_kv_secrets
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule
from seccat.policies.props import get, number, plain, strings
from seccat.policies.rules._types import (
    METRIC_ALARM,
    SCHEDULE,
    VAULT_AWS_AUTH_ROLE,
    VAULT_POLICY,
)
from seccat.policies.vault_hcl import parse_policy
from seccat.stacks.plan import stack_spec


def _inputs(resource: Any) -> Mapping[str, Any]:
    inputs = plain(getattr(resource, "inputs", None))
    return inputs if isinstance(inputs, Mapping) else {}


def _scheduled(resources: tuple[Any, ...], mount: str) -> set[str]:
    """``<env>/<id>`` of the KV secrets an enabled schedule runs the renewal check for."""
    out: set[str] = set()
    for r in resources:
        if r.type != SCHEDULE:
            continue
        p = _inputs(r)
        if get(p, "state") == "DISABLED":
            continue
        try:
            event = json.loads(get(p, "target", "input") or "")
        except (TypeError, ValueError):
            continue
        if (
            isinstance(event, Mapping)
            and event.get("store") == KV_STORE
            and event.get("mount") == mount
            and isinstance(event.get("name"), str)
        ):
            out.add(event["name"])
    return out


def _alarm_kinds(resources: tuple[Any, ...]) -> dict[str, set[str]]:
    """``<env>/<id>`` -> kinds of notifying renewal alarms ("due", "overdue")."""
    out: dict[str, set[str]] = {}
    for r in resources:
        if r.type != METRIC_ALARM:
            continue
        p = _inputs(r)
        if (
            get(p, "namespace") != NAMESPACE
            or get(p, "metricName") != METRIC
            or not strings(get(p, "alarmActions"))
            or get(p, "actionsEnabled") is False
        ):
            continue
        dims = get(p, "dimensions")
        threshold = number(get(p, "threshold"))
        if not isinstance(dims, Mapping) or threshold is None:
            continue
        if get(p, "comparisonOperator") not in ("LessThanThreshold", "LessThanOrEqualToThreshold"):
            continue
        name = f"{dims.get('Environment')}/{dims.get('Secret')}"
        if threshold <= 0 and get(p, "treatMissingData") == "breaching":
            out.setdefault(name, set()).add("overdue")
        elif threshold > 0:
            out.setdefault(name, set()).add("due")
    return out


def _policies(resources: tuple[Any, ...]) -> dict[str, dict[str, set[str]]]:
    """Vault policy name -> path -> capabilities; an unreadable document grants nothing."""
    out: dict[str, dict[str, set[str]]] = {}
    for r in resources:
        if r.type != VAULT_POLICY:
            continue
        p = _inputs(r)
        name, text = get(p, "name"), get(p, "policy")
        if not isinstance(name, str) or not isinstance(text, str):
            continue
        try:
            rules = parse_policy(text)
        except ValueError:
            continue
        grants = out.setdefault(name, {})
        for rule in rules:
            grants.setdefault(rule.path, set()).update(rule.capabilities)
    return out


def _login_reads(
    resources: tuple[Any, ...], backend: str, principal: str, policies: Mapping
) -> set[str]:
    """Paths a token may read that the environment's AWS auth mount issues to ``principal``
    (the renewal check's IAM role): a consumer's login reading the same path is no watch."""
    out: set[str] = set()
    for r in resources:
        if r.type != VAULT_AWS_AUTH_ROLE:
            continue
        p = _inputs(r)
        if get(p, "backend") != backend or principal not in strings(
            get(p, "boundIamPrincipalArns")
        ):
            continue
        for name in strings(get(p, "tokenPolicies")):
            out.update(path for path, caps in policies.get(name, {}).items() if "read" in caps)
    return out


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    env = catalog.environments.get(ctx.environment or "")
    if env is None or not ctx.resources:
        return  # nothing deployed to judge (a catalog-only check)
    secrets = owner_rotated_kv_secrets(catalog, env)
    if not secrets:
        return
    # Split into micro-stacks, the check's login (its Vault policy and AWS auth role) is the
    # platform stack's, and each secret's schedule and alarms are in the stack holding the
    # secret: each stack is judged on what it deploys.
    try:
        spec = stack_spec(catalog, ctx.stack or env.name)
    except (KeyError, ValueError):
        return  # not a stack of this catalog: nothing of the watch is deployed there
    judges_login = spec.platform
    held = [s for s in secrets if spec.holds_secret(s.id)]
    resources = tuple(ctx.resources)
    scheduled = _scheduled(resources, layout.kv_mount(env))
    alarms = _alarm_kinds(resources)
    policies = _policies(resources)
    backend = layout.aws_auth_path(env)
    principal = (
        role_arn(env.aws.account_id, check_function_name(env.name)) if env.aws is not None else ""
    )
    readable = _login_reads(resources, backend, principal, policies) if principal else set()
    allowed = {layout.kv_metadata_path(env, s.id) for s in secrets}
    check_policy = layout.renewal_check_policy_name(env)
    granted = policies.get(check_policy, {}) if judges_login else {}
    for path in sorted(p for p, caps in granted.items() if p not in allowed or caps - {"read"}):
        yield CatalogViolation(
            f"Vault policy {check_policy!r} grants {sorted(granted[path])} on {path!r}: the "
            "renewal check may read the metadata of owner-rotated secrets only",
            ("environments", env.name),
            env.name,
        )
    for secret in secrets:
        name = f"{env.name}/{secret.id}"
        metadata = layout.kv_metadata_path(env, secret.id)
        missing = []
        watched_here = secret in held
        if watched_here and name not in scheduled:
            missing.append("no schedule runs its renewal check")
        if judges_login and metadata not in readable:
            missing.append(
                f"no AWS auth role of {backend} bound to the renewal check's role "
                f"{principal or '(no AWS account)'} lets it read {metadata}"
            )
        kinds = alarms.get(name, set()) if watched_here else {"due", "overdue"}
        if "due" not in kinds:
            missing.append(f"no reminder alarm on {NAMESPACE} {METRIC}")
        if "overdue" not in kinds:
            missing.append(
                f"no overdue alarm on {NAMESPACE} {METRIC} (threshold 0, missing data breaching)"
            )
        if missing:
            yield CatalogViolation(
                f"owner-rotated KV secret {secret.id!r} in {env.name} is not watched: "
                + "; ".join(missing),
                ("secrets", secret.id, "rotation"),
                secret.id,
            )


RULE = Rule(
    id="SECCAT-VLT-010",
    title="Owner-rotated KV secrets are under a renewal watch",
    description=(
        "Nothing rotates a vault-kv secret with rotation.by: owner (a certificate, a value an "
        "identity provider issues), so it passes only when its detective controls are "
        "deployed: an enabled schedule running the renewal check for it, an AWS auth role "
        "of the environment's mount bound to the check's IAM role whose policies let it read "
        "its KV metadata (<mount>/metadata/<id>; a consumer's login reading it is no "
        "watch), and notifying CloudWatch alarms on seccat/Renewal DaysUntilDue that "
        "remind before and page after the due date (missing data breaching). Split into "
        "micro-stacks, the login is judged with the platform stack and each secret's "
        "schedule and alarms with the team stack that holds it. The check's "
        "policy may read owner-rotated secrets' metadata and nothing else (PCI DSS 4.0.1 "
        "8.6.3: authentication factors changed periodically; NIST 800-53 AC-2(1) automated "
        "account management)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    resource_types=(SCHEDULE, METRIC_ALARM, VAULT_POLICY, VAULT_AWS_AUTH_ROLE),
    controls=(
        "pci-dss-4.0.1:8.6.3",
        "pci-dss-4.0.1:8.3.9",
        "nist-800-53-r5:AC-2(1)",
        "soc2:CC6.1",
    ),
    remediation=(
        "Keep the renewal check seccat generates for rotation.by: owner KV secrets: its "
        "schedule, its reminder and overdue alarms, the seccat-<env>-renewal-check policy and "
        "the renewal-check role of the aws-<env> auth mount (seccat up / pulumi up restores "
        "them)."
    ),
    check=check,
)
