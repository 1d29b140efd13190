"""Every seccat rule, in one place: the pack, `seccat check`, the docs and the framework
configs all read this list, so they can never disagree."""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from seccat.policies.framework import Rule, to_policy
from seccat.policies.rules import (
    alm_001_alarm_actions,
    alm_002_topic_encrypted,
    alm_003_rotation_failure_alarm,
    aws_001_secret_cmk,
    aws_002_secret_rotated,
    aws_003_rotation_interval,
    aws_004_recovery_window,
    aws_005_secret_policy,
    aws_006_required_tags,
    cat_001_references,
    cat_002_restricted_consumers,
    cat_003_pci_cmk_store,
    cat_004_deprecated_sunset,
    cat_005_retired_unused,
    cat_006_rotation_policy,
    cat_007_waivers,
    iam_001_no_admin,
    iam_002_service_wildcard,
    iam_003_not_action,
    iam_004_data_actions_star,
    iam_005_decrypt_via_service,
    iam_006_trust_not_open,
    iam_007_service_trust_source_keys,
    kms_001_key_rotation,
    kms_002_key_policy_principal,
    kms_003_deletion_window,
    lmb_001_env_secrets,
    lmb_002_permission_source,
    lmb_003_reserved_concurrency,
    lmb_004_log_group,
    log_001_log_resource_policy,
    vlt_001_kv_v2,
    vlt_002_max_versions,
    vlt_003_cas_required,
    vlt_004_policy_globs,
    vlt_005_read_only_consumers,
    vlt_006_kv_v2_paths,
    vlt_007_auth_roles,
    vlt_008_static_role_rotation,
    vlt_009_audit_device,
    vlt_010_kv_renewal_watch,
)

PACK_NAME = "seccat"

RULES: tuple[Rule, ...] = tuple(
    m.RULE
    for m in (
        aws_001_secret_cmk,
        aws_002_secret_rotated,
        aws_003_rotation_interval,
        aws_004_recovery_window,
        aws_005_secret_policy,
        aws_006_required_tags,
        kms_001_key_rotation,
        kms_002_key_policy_principal,
        kms_003_deletion_window,
        iam_001_no_admin,
        iam_002_service_wildcard,
        iam_003_not_action,
        iam_004_data_actions_star,
        iam_005_decrypt_via_service,
        iam_006_trust_not_open,
        iam_007_service_trust_source_keys,
        lmb_001_env_secrets,
        lmb_002_permission_source,
        lmb_003_reserved_concurrency,
        lmb_004_log_group,
        alm_001_alarm_actions,
        alm_002_topic_encrypted,
        alm_003_rotation_failure_alarm,
        log_001_log_resource_policy,
        vlt_001_kv_v2,
        vlt_002_max_versions,
        vlt_003_cas_required,
        vlt_004_policy_globs,
        vlt_005_read_only_consumers,
        vlt_006_kv_v2_paths,
        vlt_007_auth_roles,
        vlt_008_static_role_rotation,
        vlt_009_audit_device,
        vlt_010_kv_renewal_watch,
        cat_001_references,
        cat_002_restricted_consumers,
        cat_003_pci_cmk_store,
        cat_004_deprecated_sunset,
        cat_005_retired_unused,
        cat_006_rotation_policy,
        cat_007_waivers,
    )
)

RULES_BY_ID: Mapping[str, Rule] = {r.id: r for r in RULES}

#: Resource rules by the type they look at: per-resource work is one dict lookup.
RESOURCE_RULES_BY_TYPE: Mapping[str, tuple[Rule, ...]] = {
    t: tuple(r for r in RULES if r.scope == "resource" and t in r.resource_types)
    for t in sorted({t for r in RULES if r.scope == "resource" for t in r.resource_types})
}
STACK_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.scope == "stack")
CATALOG_RULES: tuple[Rule, ...] = tuple(r for r in RULES if r.scope == "catalog")


def pack_policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """The CrossGuard policies: resource and stack rules (catalog rules need the catalog and
    run in `seccat check`)."""
    return [to_policy(r) for r in RULES if r.scope != "catalog"]
