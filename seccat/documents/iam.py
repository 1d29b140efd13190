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

from seccat.catalog.model import Trust
from seccat.documents.names import UnsafeName, require
from seccat.documents.templating import render_json

#: AWS services whose role assumption carries ``aws:SourceAccount`` (confused-deputy
#: protection). ECS documents it for task roles:
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
#: Lambda does not support the key on execution-role trust, so it is not listed.
SOURCE_ACCOUNT_SERVICES: frozenset[str] = frozenset({"ecs-tasks.amazonaws.com"})

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
) -> dict[str, Any]:
    """What one service may do with the secrets it consumes in one environment.

    ``read_arns``/``write_arns`` are secret ARN patterns (``...:secret:<name>-??????``);
    writers also read, so every write ARN must be among the read ARNs.
    """
    reads = _arns(read_arns)
    writes = _arns(write_arns)
    if not reads:
        raise ValueError("a consumer policy needs at least one secret")
    if not set(writes) <= set(reads):
        raise ValueError("every written secret must also be read")
    return render_json(
        "aws/consumer-policy.json.j2",
        read_arns=reads,
        write_arns=writes,
        key_arn_pattern=key_arn_pattern(region, account_id),
        via_service=via_secrets_manager(region),
        kms_alias=_kms_alias(kms_alias),
    )


def trust_policy(trust: Trust, account_id: str) -> dict[str, Any]:
    """Who may assume a service's role: exactly the catalog's principal, never ``*``."""
    if trust.service is not None:
        service = require(trust.service, "service_principal")
        return render_json(
            "aws/trust-policy.json.j2",
            kind="service",
            service=service,
            source_account=require(account_id, "account_id")
            if service in SOURCE_ACCOUNT_SERVICES
            else None,
        )
    if trust.role_arn is not None:
        arn = require(trust.role_arn, "role_arn")
        return render_json("aws/trust-policy.json.j2", kind="role", role_arn=arn)
    if trust.oidc is not None:
        provider_arn = require(trust.oidc.provider_arn, "oidc_provider_arn")
        host = provider_arn.split(":oidc-provider/", 1)[1]
        if not trust.oidc.subjects:
            raise UnsafeName("an OIDC trust needs at least one subject")
        for subject in trust.oidc.subjects:
            if not subject.strip("*?"):
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


def lambda_assume_role_policy() -> dict[str, Any]:
    """Trust of a rotation function's execution role."""
    return render_json(
        "aws/trust-policy.json.j2", kind="service", service=LAMBDA_PRINCIPAL, source_account=None
    )


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


def secret_resource_policy(
    *, secret_name: str, secret_arn: str, readers: Sequence[str]
) -> dict[str, Any]:
    """Resource policy on one secret.

    Only the listed roles (consumers and rotation functions) may read the value: the Deny
    names ``GetSecretValue`` alone, so administrators keep managing the secret (describe,
    tag, put a new value, change this very policy) through IAM and are never locked out,
    while no identity policy, however broad, can read a value it was not given here.
    AWS services acting on their own (replication) are exempt via
    ``aws:PrincipalIsAWSService``. TLS is mandatory for every action.
    """
    return render_json(
        "aws/secret-policy.json.j2",
        secret_name=require(secret_name, "aws_name"),
        secret_arn=require(secret_arn, "arn_pattern"),
        readers=_arns(readers, "arn"),
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
