"""Pulumi logical names of every resource seccat declares.

With its type, a logical name is a resource's URN within a stack, and two resources with one
URN make `pulumi up` fail (or, worse, one silently replaces the other). The components take
every logical name from here, and the name registry (seccat.documents.name_registry) computes
the very same names to prove they are unique before anything runs.

Catalog values reaching these functions are already checked (environment, service, team and
database names, secret ids and slugs have strict alphabets); the functions only join them.
"""

from __future__ import annotations

# -- the environment's shared infrastructure (components/platform.py, seccat/program.py) --


def platform(env: str) -> str:
    return f"seccat-{env}"


def shard(stack: str) -> str:
    """The root component of a team stack (``prod.payments``) of a split environment."""
    return f"seccat-{stack}"


def kms_key(env: str) -> str:
    return f"{env}-kms"


def kms_alias(env: str) -> str:
    return f"{env}-kms-alias"


def alarm_topic(env: str) -> str:
    return f"{env}-alarms"


def alarm_topic_policy(env: str) -> str:
    return f"{env}-alarms-policy"


def alarm_subscription(env: str, team: str) -> str:
    return f"{env}-alarms-{team}"


# -- AWS: consuming services (components/aws/consumer.py) ---------------------------------


def service_access(env: str, service: str) -> str:
    return f"{env}/{service}"


def service_role(env: str, service: str) -> str:
    return f"{service_access(env, service)}/role"


def service_policy(env: str, service: str) -> str:
    return f"{service_access(env, service)}/secrets-policy"


# -- AWS: secrets and their rotation (components/aws/secret.py, rotation.py) ---------------


def managed_secret(env: str, secret_id: str) -> str:
    """The ManagedSecret component and its Secrets Manager secret share this name."""
    return f"{env}/{secret_id}"


def secret_policy(env: str, secret_id: str) -> str:
    return f"{managed_secret(env, secret_id)}/policy"


#: The resources that rotate one secret, by part: ``<env>/<id>/rotation-<part>``.
ROTATION_PARTS = ("role", "role-policy", "logs", "function", "invoke", "schedule")


def rotation(env: str, secret_id: str, part: str) -> str:
    if part not in ROTATION_PARTS:
        raise ValueError(f"unknown rotation part {part!r}")
    return f"{managed_secret(env, secret_id)}/rotation-{part}"


def rotation_layer(env: str) -> str:
    return f"{env}/rotation-dependencies"


def function_alarm(env: str, alarm_name: str) -> str:
    return f"{env}/{alarm_name}"


def rotation_failure_rule(env: str) -> str:
    return f"{env}/rotation-failures"


def rotation_failure_target(env: str) -> str:
    return f"{env}/rotation-failures-to-topic"


def dashboard(env: str) -> str:
    return f"{env}/rotation-dashboard"


def config_rule(env: str, suffix: str) -> str:
    return f"{env}/config/{suffix}"


def replica_provider(env: str, region: str) -> str:
    return f"{env}-{region}"


def replica_key(env: str, region: str) -> str:
    return f"{env}-kms-{region}"


def replica_alias(env: str, region: str) -> str:
    return f"{env}-kms-alias-{region}"


# -- Vault (components/vault/) --------------------------------------------------------------


def vault_audit(env: str) -> str:
    return f"{env}-vault-audit"


def vault_kv_mount(env: str) -> str:
    return f"{env}-vault-kv"


def vault_kv_config(env: str) -> str:
    return f"{env}-vault-kv-config"


def vault_kv_metadata(env: str, secret_slug: str) -> str:
    return f"{env}-vault-kv-meta-{secret_slug}"


def vault_database_mount(env: str) -> str:
    return f"{env}-vault-database"


def vault_database_connection(env: str, database: str) -> str:
    return f"{env}-vault-db-{database}"


def vault_database_role(env: str, role: str) -> str:
    return f"{env}-vault-db-role-{role}"


def vault_service_policy(env: str, service: str) -> str:
    return f"{env}-vault-policy-service-{service}"


def vault_writer_policy(env: str, team: str) -> str:
    return f"{env}-vault-policy-writer-{team}"


def vault_rotator_policy(env: str, team: str) -> str:
    return f"{env}-vault-policy-kv-rotator-{team}"


def vault_aws_auth(env: str) -> str:
    return f"{env}-vault-auth-aws"


def vault_aws_auth_client(env: str) -> str:
    """The AWS auth mount's client configuration (server-id header, STS endpoint)."""
    return f"{env}-vault-auth-aws-client"


def vault_kubernetes_auth(env: str) -> str:
    return f"{env}-vault-auth-kubernetes"


def vault_aws_role(env: str, service: str) -> str:
    return f"{env}-vault-aws-role-{service}"


def vault_kubernetes_role(env: str, service: str) -> str:
    return f"{env}-vault-k8s-role-{service}"


def vault_rotator_aws_role(env: str, team: str) -> str:
    return f"{env}-vault-aws-role-kv-rotator-{team}"


# -- Vault KV rotation's AWS side (components/vault/kv_rotation.py) ------------------------


def kv_rotator_layer(env: str) -> str:
    return f"{env}-kv-rotator-dependencies"


def kv_schedule_group(env: str) -> str:
    return f"{env}-kv-rotation-schedules"


#: The resources of one team's KV rotator, by part: ``<env>-kv-rotator-<team>-<part>``.
KV_ROTATOR_PARTS = ("role", "logs", "logs-policy", "function", "scheduler-role", "scheduler-policy")


def kv_rotator(env: str, team: str, part: str) -> str:
    if part not in KV_ROTATOR_PARTS:
        raise ValueError(f"unknown KV rotator part {part!r}")
    return f"{env}-kv-rotator-{team}-{part}"


def kv_schedule(env: str, secret_slug: str) -> str:
    return f"{env}-kv-rotation-{secret_slug}"


# -- AWS: owner-rotated secrets' renewal check (components/aws/renewal.py) -----------------

#: The environment's renewal check, by part: ``<env>/renewal-check-<part>``.
RENEWAL_CHECK_PARTS = (
    "role",
    "policy",
    "logs",
    "function",
    "schedules",
    "scheduler-role",
    "scheduler-policy",
)


def renewal_check(env: str, part: str) -> str:
    if part not in RENEWAL_CHECK_PARTS:
        raise ValueError(f"unknown renewal check part {part!r}")
    return f"{env}/renewal-check-{part}"


def renewal_check_layer(env: str) -> str:
    """Its dependency layer, only when it watches Vault KV secrets."""
    return f"{env}/renewal-check-layer"


def renewal_schedule(env: str, secret_id: str) -> str:
    return f"{env}/renewal-check-{secret_id}"


def renewal_topic(env: str, team: str, part: str = "") -> str:
    """The owning team's renewal topic (``part``: ``policy`` or ``contact``)."""
    if part not in ("", "policy", "contact"):
        raise ValueError(f"unknown renewal topic part {part!r}")
    return f"{env}/renewals-{team}" + (f"-{part}" if part else "")


# -- Vault: the renewal check's policy and login (components/vault/renewal_check.py) -------


def vault_renewal_check_policy(env: str) -> str:
    return f"{env}-vault-policy-renewal-check"


def vault_renewal_check_aws_role(env: str) -> str:
    return f"{env}-vault-aws-role-renewal-check"


# -- AWS: secret lineage for the SIEM (components/aws/lineage.py) ------------------------


#: The lineage rule and what it writes to: ``<env>/secret-lineage[-<part>]``.
LINEAGE_PARTS = ("", "logs", "writers", "to-logs")


def lineage(env: str, part: str = "") -> str:
    if part not in LINEAGE_PARTS:
        raise ValueError(f"unknown lineage part {part!r}")
    return f"{env}/secret-lineage" + (f"-{part}" if part else "")
