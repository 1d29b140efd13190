"""IAM JSON documents for AWS Secrets Manager secrets, their rotation and their consumers.

Pure functions of plain, validated strings: the components, `seccat render` and the tests all
call these, and every input is known at preview time (ARN *patterns*, role ARNs built from
names), so a policy pack sees the final documents during `pulumi preview`.

The environment's KMS key ARN is an output of the key resource and so unknown at preview;
statements therefore name ``arn:aws:kms:<region>:<account>:key/*`` and pin the key with
``kms:ResourceAliases`` (the alias ``alias/seccat/<env>`` *is* known), and require the call
to come through Secrets Manager for one of the secrets concerned (``kms:ViaService`` and the
``SecretARN`` encryption context Secrets Manager sets on every data key; see
https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seccat.catalog.iam_globs import only_wildcards
from seccat.catalog.model import Trust
from seccat.documents.names import UnsafeName, in_every_region, require
from seccat.documents.service_principals import documented, source_conditions
from seccat.documents.templating import render_json

LAMBDA_PRINCIPAL = "lambda.amazonaws.com"


def _unique(values: Sequence[str]) -> list[str]:
    """Sorted and de-duplicated: documents must not change when catalog order does."""
    return sorted(set(values))


def key_arn_pattern(region: str, account_id: str) -> str:
    return f"arn:aws:kms:{require(region, 'region')}:{require(account_id, 'account_id')}:key/*"


def via_secrets_manager(region: str) -> str:
    return f"secretsmanager.{require(region, 'region')}.amazonaws.com"


def role_arn(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{require(account_id, 'account_id')}:role/{require(role_name, 'aws_name')}"


def _kms_alias(alias: str) -> str:
    if not alias.startswith("alias/"):
        raise UnsafeName(f"refusing kms alias {alias!r}: must start with alias/")
    return require(alias, "aws_name")


def _arns(values: Sequence[str], kind: str = "arn_pattern") -> list[str]:
    return _unique([require(v, kind) for v in values])


def consumer_policy(
    *,
    region: str,
    account_id: str,
    kms_alias: str,
    read_arns: Sequence[str],
    write_arns: Sequence[str] = (),
    replica_regions: Sequence[str] = (),
) -> dict[str, Any]:
    """What one service may do with the secrets it consumes in one environment.

    ``read_arns``/``write_arns`` are secret ARN patterns (``...:secret:<name>-??????``);
    writers also read, so every write ARN must be among the read ARNs. Read ARNs may include
    a replica's ARN: a consumer failing over to a replica region reads the replica there,
    decrypted by the environment's key of that region through that region's Secrets
    Manager, so ``replica_regions`` widens the key statement to exactly those regions.
    """
    reads = _arns(read_arns)
    writes = _arns(write_arns)
    if not reads:
        raise ValueError("a consumer policy needs at least one secret")
    if not set(writes) <= set(reads):
        raise ValueError("every written secret must also be read")
    regions = _unique([region, *replica_regions])
    keys = [key_arn_pattern(r, account_id) for r in regions]
    via = [via_secrets_manager(r) for r in regions]
    return render_json(
        "aws/consumer-policy.json.j2",
        read_arns=reads,
        write_arns=writes,
        key_arn_pattern=keys[0] if len(keys) == 1 else keys,
        via_service=via[0] if len(via) == 1 else via,
        kms_alias=_kms_alias(kms_alias),
    )


def trust_policy(trust: Trust, account_id: str, region: str) -> dict[str, Any]:
    """Who may assume a service's role in one environment (its account and region): exactly
    the catalog's principal, never ``*``.

    A service principal gets the confused-deputy conditions its service documents
    (seccat.documents.service_principals); one outside that table is rendered bare only
    when the catalog says why (``without_source_keys``), as validation requires.
    """
    if trust.service is not None:
        service = require(trust.service, "service_principal")
        if documented(service) is None and not trust.without_source_keys:
            raise UnsafeName(
                f"refusing service principal {service!r}: no documented confused-deputy "
                "keys and no without_source_keys reason"
            )
        return _service_trust(service, account_id, region)
    if trust.role_arn is not None:
        arn = require(trust.role_arn, "role_arn")
        return render_json("aws/trust-policy.json.j2", kind="role", role_arn=arn)
    if trust.oidc is not None:
        provider_arn = require(trust.oidc.provider_arn, "oidc_provider_arn")
        host = provider_arn.split(":oidc-provider/", 1)[1]
        if not trust.oidc.subjects:
            raise UnsafeName("an OIDC trust needs at least one subject")
        for subject in trust.oidc.subjects:
            if only_wildcards(subject):
                raise UnsafeName(f"refusing oidc subject {subject!r}: only wildcards")
        return render_json(
            "aws/trust-policy.json.j2",
            kind="oidc",
            provider_arn=provider_arn,
            provider_host=require(host, "aws_name"),
            audience=require(trust.oidc.audience, "oidc_audience"),
            subjects=_unique([require(s, "oidc_subject") for s in trust.oidc.subjects]),
        )
    raise ValueError("a trust names a service, a role_arn or an oidc provider")


def _service_trust(service: str, account_id: str, region: str) -> dict[str, Any]:
    return render_json(
        "aws/trust-policy.json.j2",
        kind="service",
        service=service,
        conditions=source_conditions(service, account_id=account_id, region=region),
    )


def lambda_assume_role_policy(account_id: str, region: str) -> dict[str, Any]:
    """Trust of a rotation function's execution role (Lambda sets no source key on it; see
    the service-principal table for why that is still bounded)."""
    return _service_trust(LAMBDA_PRINCIPAL, account_id, region)


def rotation_role_policy(
    *,
    region: str,
    account_id: str,
    kms_alias: str,
    secret_arn: str,
    log_group_arn: str,
    master_arn: str | None = None,
    subnet_ids: Sequence[str] = (),
    security_group_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """Least privilege for the function that rotates exactly one secret.

    No ``secretsmanager:GetRandomPassword``: the rotators draw values from Python's
    ``secrets`` CSPRNG (functions/rotation/generator.py), so granting that action, which only
    works on ``Resource: "*"``, would be privilege nobody uses.

    In a VPC, Lambda creates the function's network interfaces with this role
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html): the actions of
    AWSLambdaVPCAccessExecutionRole, but ``CreateNetworkInterface`` only in the catalog's
    subnets and security groups and the other ENI calls only on network interfaces of this
    account and region. ``DescribeNetworkInterfaces``/``DescribeSubnets`` accept no resource.
    """
    region = require(region, "region")
    account_id = require(account_id, "account_id")
    subnets = _unique([require(s, "subnet_id") for s in subnet_ids])
    groups = _unique([require(g, "security_group_id") for g in security_group_ids])
    if bool(subnets) != bool(groups):
        raise ValueError("a VPC rotation function needs both subnets and security groups")
    ec2 = f"arn:aws:ec2:{region}:{account_id}"
    return render_json(
        "aws/rotation-role-policy.json.j2",
        secret_arn=require(secret_arn, "arn_pattern"),
        master_arn=require(master_arn, "arn_pattern")
        if master_arn and master_arn != secret_arn
        else None,
        key_arn_pattern=key_arn_pattern(region, account_id),
        via_service=via_secrets_manager(region),
        kms_alias=_kms_alias(kms_alias),
        log_group_arn=require(log_group_arn, "arn"),
        vpc=bool(subnets),
        network_interfaces=f"{ec2}:network-interface/*",
        subnet_arns=[f"{ec2}:subnet/{s}" for s in subnets],
        security_group_arns=[f"{ec2}:security-group/{g}" for g in groups],
    )


#: Segregation of duties on one secret: every Secrets Manager action that changes a value or
#: who may do what with it is denied to everyone but the identities listed per group.
#: Sources: the service authorization reference lists each action's access level (Write,
#: Permissions management, Tagging) and resource type
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
#: and the API reference says what each call does
#: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
#: (tests/aws/test_secret_policy_denies.py checks the groups against parliament's copy of the
#: reference: every Write, Permissions management and Tagging action on a secret is denied).
#:
#: Value-changing, and needed by rotation: the four-step protocol stores the new value with
#: PutSecretValue (createSecret) and moves AWSCURRENT with UpdateSecretVersionStage
#: (finishSecret); these are exactly what the rotation function's role is granted
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
#: A declared writer (``access: write``) only ever puts a value, so only PutSecretValue
#: exempts it.
PUT_VALUE_ACTIONS: tuple[str, ...] = ("secretsmanager:PutSecretValue",)
STAGE_ACTIONS: tuple[str, ...] = ("secretsmanager:UpdateSecretVersionStage",)
#: Changing the secret itself or who may use it: the owner role alone.
#: - UpdateSecret replaces the value (SecretString/SecretBinary), the KMS key (who can decrypt)
#:   or the description;
#: - RotateSecret points rotation at another Lambda (which code writes values) and starts a
#:   rotation; CancelRotateSecret stops it. The rotation function never calls either: Secrets
#:   Manager runs the schedule, and ``rotate_immediately`` is the deploy identity's call;
#: - DeleteSecret destroys every version after the recovery window, RestoreSecret undoes that;
#: - PutResourcePolicy/DeleteResourcePolicy (Permissions management) would strip these denies;
#: - TagResource/UntagResource (Tagging): tags are inputs to attribute-based access control
#:   (aws:ResourceTag) and to seccat's own alarms and inventory;
#: - ReplicateSecretToRegions copies the value to another region under another key,
#:   RemoveRegionsFromReplication deletes replicas, and StopReplicationToReplica promotes a
#:   replica to a standalone secret that no longer follows this one.
OWNER_ONLY_ACTIONS: tuple[str, ...] = (
    "secretsmanager:UpdateSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:StopReplicationToReplica",
)
#: Reading the value: consumers and rotation functions only (BatchGetSecretValue needs
#: GetSecretValue on each secret, so this covers it too:
#: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html).
READ_VALUE_ACTIONS: tuple[str, ...] = ("secretsmanager:GetSecretValue",)
#: Every action the resource policy keeps from everyone it does not name.
GUARDED_ACTIONS: tuple[str, ...] = (
    *READ_VALUE_ACTIONS,
    *PUT_VALUE_ACTIONS,
    *STAGE_ACTIONS,
    *OWNER_ONLY_ACTIONS,
)


def secret_resource_policy(
    *,
    secret_name: str,
    secret_arn: str,
    readers: Sequence[str],
    owner: str,
    rotator: str | None = None,
    writers: Sequence[str] = (),
) -> dict[str, Any]:
    """Resource policy on one secret: who may read it and who may change it.

    ``readers`` (consumers and rotation functions) alone may read the value; the secret's
    own ``rotator`` and the declared ``writers`` may store a new one, the rotator alone may
    move its staging labels; everything else that changes the secret or this policy
    (OWNER_ONLY_ACTIONS) is left to the owning team's ``owner`` role. Each Deny names
    ``aws:PrincipalArn`` (the role behind any session), so no identity policy, however
    broad (a deploy role, an account administrator), gets around it. AWS services acting as
    themselves (``aws:PrincipalIsAWSService``, true only for a service principal calling
    directly, never for a role a service assumes) stay exempt, so Secrets Manager's own
    rotation and replication machinery is never locked out. The denies name the secret in
    every region: Secrets Manager copies this policy to the replicas, and the replica is
    where StopReplicationToReplica is called. TLS is mandatory for every action.
    """
    owner_arn = require(owner, "arn")
    rotator_arn = require(rotator, "arn") if rotator is not None else None
    own = [rotator_arn] if rotator_arn else []
    return render_json(
        "aws/secret-policy.json.j2",
        secret_name=require(secret_name, "aws_name"),
        secret_arn=require(secret_arn, "arn_pattern"),
        every_region=in_every_region(secret_arn),
        readers=_arns(readers, "arn"),
        put_value_actions=list(PUT_VALUE_ACTIONS),
        put_value_by=_unique([owner_arn, *own, *_arns(writers, "arn")]),
        stage_actions=list(STAGE_ACTIONS),
        stage_by=_unique([owner_arn, *own]),
        owner_only_actions=list(OWNER_ONLY_ACTIONS),
        owner=owner_arn,
    )


def replica_key_policy(*, environment: str, account_id: str, region: str) -> dict[str, Any]:
    """Key policy of an environment's key in a replica region: the same rules as the primary
    key (shared template), with Secrets Manager and log delivery of *that* region."""
    return render_json(
        "aws/kms-key-policy.json.j2",
        env=require(environment, "name"),
        account_id=require(account_id, "account_id"),
        region=require(region, "region"),
    )
