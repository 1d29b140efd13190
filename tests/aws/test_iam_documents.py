"""The generated IAM documents, exactly, both from the generators and as deployed inputs."""

from __future__ import annotations

import json

import pytest

from seccat.catalog.loader import parse_catalog
from seccat.catalog.model import OidcTrust, Trust
from seccat.documents import iam
from seccat.documents.names import UnsafeName
from seccat.documents.service_principals import PRINCIPALS
from tests.aws.conftest import BASE, DEV_ACCOUNT, DEV_GITHUB_OIDC, GITHUB_OIDC, PROD_ACCOUNT, REGION

ARN = f"arn:aws:secretsmanager:{REGION}:{PROD_ACCOUNT}:secret:prod/payments"
STRIPE = f"{ARN}/stripe-api-key-??????"
WEBHOOK = f"{ARN}/webhook-key-??????"
APP = f"{ARN}/orders-db-app-??????"
ADMIN = f"{ARN}/orders-db-admin-??????"
KEYS = f"arn:aws:kms:{REGION}:{PROD_ACCOUNT}:key/*"
VIA = f"secretsmanager.{REGION}.amazonaws.com"


def kms_statement(sid: str, actions: object, arns: list[str]) -> dict:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": KEYS,
        "Condition": {
            "StringEquals": {"kms:ViaService": VIA},
            "ForAnyValue:StringEquals": {"kms:ResourceAliases": "alias/seccat/prod"},
            "StringLike": {"kms:EncryptionContext:SecretARN": arns},
        },
    }


# checkout-api reads stripe-api-key and webhook-key in dev and prod, and orders-db-app: the
# test below uses a service that reads exactly two secrets (webhook-key's other reader, legacy,
# reads one), so the exact document for two is checked through the generator.
TWO_SECRETS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadConsumedSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": [STRIPE, WEBHOOK],
        },
        kms_statement("DecryptConsumedSecretsWithEnvironmentKey", "kms:Decrypt", [STRIPE, WEBHOOK]),
    ],
}


def test_consumer_policy_for_two_secrets_is_exact() -> None:
    doc = iam.consumer_policy(
        region=REGION,
        account_id=PROD_ACCOUNT,
        kms_alias="alias/seccat/prod",
        read_arns=[WEBHOOK, STRIPE],  # order in the catalog does not matter
    )
    assert doc == TWO_SECRETS_POLICY


def test_deployed_consumer_policy_is_the_generated_one(aws_preview) -> None:
    """checkout-api's RolePolicy in prod: three secrets, exactly, as the role's own policy.
    webhook-key is replicated to eu-central-1, so the role also reads that replica there,
    decrypted by the environment's key of that region through that region's Secrets
    Manager: a consumer failing over to the replica region keeps working."""
    prod = aws_preview("prod")
    policy = prod.named("prod/checkout-api/secrets-policy")
    assert policy.inputs["role"] == "seccat-prod-checkout-api"
    assert policy.inputs["name"] == "seccat-prod-secrets"
    replica = WEBHOOK.replace(f":{REGION}:", ":eu-central-1:")
    reads = [replica, APP, STRIPE, WEBHOOK]
    decrypt = kms_statement("DecryptConsumedSecretsWithEnvironmentKey", "kms:Decrypt", reads)
    decrypt["Resource"] = [KEYS.replace(f":{REGION}:", ":eu-central-1:"), KEYS]
    decrypt["Condition"]["StringEquals"]["kms:ViaService"] = [
        "secretsmanager.eu-central-1.amazonaws.com",
        VIA,
    ]
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadConsumedSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": reads,
            },
            decrypt,
        ],
    }


def test_a_consumer_of_no_replicated_secret_stays_in_its_region(aws_preview) -> None:
    """The widening is per secret: a service reading only unreplicated secrets gets no
    other region's key or Secrets Manager endpoint."""
    prod = aws_preview("prod")
    checked = 0
    for resource in prod.of_type("aws:iam/rolePolicy:RolePolicy"):
        name = resource.name
        document = json.loads(resource.inputs["policy"])
        reads = next(
            (s["Resource"] for s in document["Statement"] if s["Sid"] == "ReadConsumedSecrets"),
            None,
        )
        if reads is None or any(":eu-central-1:" in arn for arn in reads):
            continue
        (decrypt,) = [s for s in document["Statement"] if s["Sid"].startswith("Decrypt")]
        assert decrypt["Resource"] == KEYS, name
        assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == VIA, name
        checked += 1
    assert checked >= 1  # some consumers of the base catalog read unreplicated secrets only


def test_write_access_adds_put_and_data_keys_only_for_written_secrets() -> None:
    doc = iam.consumer_policy(
        region=REGION,
        account_id=PROD_ACCOUNT,
        kms_alias="alias/seccat/prod",
        read_arns=[STRIPE, WEBHOOK],
        write_arns=[WEBHOOK],
    )
    assert doc["Statement"][1] == {
        "Sid": "WriteSecretsOwnedByThisService",
        "Effect": "Allow",
        "Action": "secretsmanager:PutSecretValue",
        "Resource": [WEBHOOK],
    }
    assert doc["Statement"][2]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    with pytest.raises(ValueError, match="also be read"):
        iam.consumer_policy(
            region=REGION,
            account_id=PROD_ACCOUNT,
            kms_alias="alias/seccat/prod",
            read_arns=[STRIPE],
            write_arns=[WEBHOOK],
        )


def test_the_test_catalog_is_valid() -> None:
    """BASE is what these tests preview; it must pass the checks users' catalogs pass."""
    catalog, diagnostics = parse_catalog(json.dumps(BASE))
    assert [d.render() for d in diagnostics] == []
    assert catalog is not None


def service_trust(principal: str, condition: dict | None) -> dict:
    statement = {
        "Sid": "AssumedByAwsService",
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


#: Every principal of the cited table, and the exact trust it gets in prod (eu-west-1).
SERVICE_TRUSTS = {
    "ecs-tasks.amazonaws.com": {
        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{PROD_ACCOUNT}:*"},
        "StringEquals": {"aws:SourceAccount": PROD_ACCOUNT},
    },
    "states.amazonaws.com": {
        "ArnLike": {"aws:SourceArn": f"arn:aws:states:{REGION}:{PROD_ACCOUNT}:stateMachine:*"},
        "StringEquals": {"aws:SourceAccount": PROD_ACCOUNT},
    },
    "scheduler.amazonaws.com": {
        "ArnLike": {"aws:SourceArn": f"arn:aws:scheduler:{REGION}:{PROD_ACCOUNT}:schedule-group/*"},
        "StringEquals": {"aws:SourceAccount": PROD_ACCOUNT},
    },
    # Lambda documents no source key on execution-role assumption (see the table)
    "lambda.amazonaws.com": None,
}


def test_every_listed_principal_has_an_expected_trust() -> None:
    assert sorted(SERVICE_TRUSTS) == sorted(PRINCIPALS)


@pytest.mark.parametrize("principal", sorted(SERVICE_TRUSTS))
def test_trust_policy_for_each_listed_service_principal(principal: str) -> None:
    doc = iam.trust_policy(Trust(service=principal), PROD_ACCOUNT, REGION)
    assert doc == service_trust(principal, SERVICE_TRUSTS[principal])
    # and it is what a role receives: JSON text that parses back to the same document
    assert json.loads(json.dumps(doc)) == doc


def test_a_declared_principal_outside_the_table_is_bare_and_an_undeclared_one_refused() -> None:
    declared = Trust(service="ec2.amazonaws.com", without_source_keys="instance profile")
    assert iam.trust_policy(declared, PROD_ACCOUNT, REGION) == service_trust(
        "ec2.amazonaws.com", None
    )
    with pytest.raises(UnsafeName):
        iam.trust_policy(Trust(service="ec2.amazonaws.com"), PROD_ACCOUNT, REGION)


def test_trust_policy_for_a_service_principal(aws_preview) -> None:
    """ecs-tasks in each environment: that environment's account and region only."""
    for env, account in (("prod", PROD_ACCOUNT), ("dev", DEV_ACCOUNT)):
        role = aws_preview(env).named(f"{env}/checkout-api/role")
        assert json.loads(role.inputs["assumeRolePolicy"]) == service_trust(
            "ecs-tasks.amazonaws.com",
            {
                "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{account}:*"},
                "StringEquals": {"aws:SourceAccount": account},
            },
        )
        assert role.inputs["name"] == f"seccat-{env}-checkout-api"


def test_trust_policy_for_a_role_arn(aws_preview) -> None:
    """prod trusts the runner role of its own account (reporting consumes in prod only)."""
    assert not [r for r in aws_preview("dev").resources if r.name == "dev/reporting/role"]
    for env, account in (("prod", PROD_ACCOUNT),):
        role = aws_preview(env).named(f"{env}/reporting/role")
        assert json.loads(role.inputs["assumeRolePolicy"]) == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AssumedByRole",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:role/reporting-runner"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }


def test_trust_policy_for_an_oidc_provider(aws_preview) -> None:
    """Each environment trusts its own account's provider, for its own GitHub environment."""
    for env, provider in (("prod", GITHUB_OIDC), ("dev", DEV_GITHUB_OIDC)):
        role = aws_preview(env).named(f"{env}/etl/role")
        assert json.loads(role.inputs["assumeRolePolicy"]) == {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AssumedByOidcWorkload",
                    "Effect": "Allow",
                    "Principal": {"Federated": provider},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
                        },
                        "StringLike": {
                            "token.actions.githubusercontent.com:sub": [
                                f"repo:example/etl:environment:{env}"
                            ]
                        },
                    },
                }
            ],
        }


@pytest.mark.parametrize(
    "trust",
    [
        Trust(oidc=OidcTrust(provider_arn=GITHUB_OIDC, subjects=("*",))),
        Trust(oidc=OidcTrust(provider_arn=GITHUB_OIDC, subjects=("*?*",))),
        Trust(oidc=OidcTrust(provider_arn=GITHUB_OIDC, subjects=())),
        Trust(oidc=OidcTrust(provider_arn=GITHUB_OIDC, subjects=('repo:x", "*',))),
        Trust(role_arn="*"),
        Trust(role_arn="arn:aws:iam::222222222222:role/*"),
        Trust(service="*"),
        Trust(service='ecs-tasks.amazonaws.com", "Resource": "*'),
        Trust(),
    ],
)
def test_trust_is_never_open_or_injectable(trust: Trust) -> None:
    with pytest.raises((UnsafeName, ValueError)):
        iam.trust_policy(trust, PROD_ACCOUNT, REGION)


def test_existing_role_gets_the_policy_and_no_new_role(aws_preview) -> None:
    prod = aws_preview("prod")
    policy = prod.named("prod/legacy/secrets-policy")
    assert policy.inputs["role"] == "legacy-app"
    assert not [r for r in prod.of_type("aws:iam/role:Role") if r.name == "prod/legacy/role"]


def test_rotation_role_policy_in_a_vpc_is_exact(aws_preview) -> None:
    """orders-db-app: its own secret, the superuser secret to read, the key, its logs, and
    network interfaces only in the catalog's subnet and security group."""
    policy = aws_preview("prod").named("prod/payments/orders-db-app/rotation-role-policy")
    assert policy.inputs["role"] == "seccat-prod-rotate-payments_orders-db-app"
    ec2 = f"arn:aws:ec2:{REGION}:{PROD_ACCOUNT}"
    log_group = (
        f"arn:aws:logs:{REGION}:{PROD_ACCOUNT}:log-group:"
        "/seccat/prod/rotation/payments/orders-db-app"
    )
    assert json.loads(policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RotateOwnSecret",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                "Resource": APP,
            },
            {
                "Sid": "ReadSuperuserSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": ADMIN,
            },
            kms_statement(
                "UseEnvironmentKeyThroughSecretsManager",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [APP, ADMIN],
            ),
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group}:*",
            },
            {
                "Sid": "DescribeNetworkInterfacesForVpcAccess",
                "Effect": "Allow",
                "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
                "Resource": "*",
            },
            {
                "Sid": "CreateNetworkInterfacesInCatalogSubnets",
                "Effect": "Allow",
                "Action": "ec2:CreateNetworkInterface",
                "Resource": [
                    f"{ec2}:network-interface/*",
                    f"{ec2}:subnet/subnet-0a1b2c3d",
                    f"{ec2}:security-group/sg-0123abcd",
                ],
            },
            {
                "Sid": "ManageOwnNetworkInterfaces",
                "Effect": "Allow",
                "Action": [
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ],
                "Resource": f"{ec2}:network-interface/*",
            },
        ],
    }


def test_rotation_role_policy_for_a_generated_value_is_exact() -> None:
    log_group = f"arn:aws:logs:{REGION}:{PROD_ACCOUNT}:log-group:/seccat/prod/rotation/x"
    doc = iam.rotation_role_policy(
        region=REGION,
        account_id=PROD_ACCOUNT,
        kms_alias="alias/seccat/prod",
        secret_arn=STRIPE,
        log_group_arn=log_group,
    )
    assert doc == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RotateOwnSecret",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                "Resource": STRIPE,
            },
            kms_statement(
                "UseEnvironmentKeyThroughSecretsManager",
                ["kms:Decrypt", "kms:GenerateDataKey"],
                [STRIPE],
            ),
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group}:*",
            },
        ],
    }


def test_lambda_trust_is_exact(aws_preview) -> None:
    role = aws_preview("prod").named("prod/payments/stripe-api-key/rotation-role")
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumedByAwsService",
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


OWNER = f"arn:aws:iam::{PROD_ACCOUNT}:role/payments-secrets-owner"
OWNER_ONLY = [
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
]


def deny(sid: str, action: object, resource: str, allowed: list[str]) -> dict:
    condition: dict = {"ArnNotEquals": {"aws:PrincipalArn": allowed}} if allowed else {}
    condition["BoolIfExists"] = {"aws:PrincipalIsAWSService": "false"}
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": condition,
    }


def secret_policy(
    name: str, arn: str, readers: list[str], rotator: str | None, writers: list[str]
) -> dict:
    """The document seccat must attach, written out by hand statement by statement."""
    everywhere = arn.replace(f":{REGION}:", ":*:")
    own = [rotator] if rotator else []
    statements = [
        {
            "Sid": "ReadByConsumersAndRotation",
            "Effect": "Allow",
            "Principal": {"AWS": readers},
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": arn,
        }
    ]
    return {
        "Version": "2012-10-17",
        "Id": f"seccat-{name}",
        "Statement": [
            *(statements if readers else []),
            deny("DenyValueToEveryoneElse", "secretsmanager:GetSecretValue", everywhere, readers),
            deny(
                "DenyNewValuesExceptRotationWritersAndOwner",
                "secretsmanager:PutSecretValue",
                everywhere,
                sorted({OWNER, *own, *writers}),
            ),
            deny(
                "DenyStageMovesExceptRotationAndOwner",
                "secretsmanager:UpdateSecretVersionStage",
                everywhere,
                sorted({OWNER, *own}),
            ),
            deny("DenyChangesExceptOwner", OWNER_ONLY, everywhere, [OWNER]),
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:*",
                "Resource": everywhere,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def test_secret_policy_admits_consumers_and_rotation_and_denies_the_rest(aws_preview) -> None:
    """The superuser secret is read by its own rotator and by the app login's rotator; only
    its own rotator (and the owner role) may store a value or move a stage."""
    prod = aws_preview("prod")
    policy = prod.named("prod/payments/orders-db-admin/policy")
    assert policy.inputs["blockPublicPolicy"] is True
    assert policy.inputs["secretArn"].startswith(f"{ARN}/orders-db-admin-")
    own = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-rotate-payments_orders-db-admin"
    app = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-rotate-payments_orders-db-app"
    doc = json.loads(policy.inputs["policy"])
    assert doc == secret_policy("prod/payments/orders-db-admin", ADMIN, [own, app], own, [])
    # Written out once in full, so the helper above cannot drift from what AWS receives.
    assert doc["Statement"][2] == {
        "Sid": "DenyNewValuesExceptRotationWritersAndOwner",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:PutSecretValue",
        "Resource": f"arn:aws:secretsmanager:*:{PROD_ACCOUNT}:secret:"
        "prod/payments/orders-db-admin-??????",
        "Condition": {
            "ArnNotEquals": {"aws:PrincipalArn": [OWNER, own]},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    assert doc["Statement"][4]["Condition"]["ArnNotEquals"] == {"aws:PrincipalArn": [OWNER]}
    # AWS refuses a policy naming roles that do not exist yet: it waits for both. The owner
    # role is named only in conditions, which AWS does not resolve, so it is no dependency.
    assert sorted(policy.options["dependsOn"]) == [
        "prod/payments/orders-db-admin/rotation-role",
        "prod/payments/orders-db-app/rotation-role",
    ]


def test_secret_policy_of_a_secret_nobody_rotates_leaves_values_to_the_owner(aws_preview) -> None:
    """partner-tls is issued by a bank: no rotation function, so only the owner role may put
    a renewed certificate; its consumer reads it and changes nothing."""
    doc = json.loads(aws_preview("prod").named("prod/payments/partner-tls/policy").inputs["policy"])
    reporting = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-reporting"
    tls = f"{ARN}/partner-tls-??????"
    assert doc == secret_policy("prod/payments/partner-tls", tls, [reporting], None, [])


def test_a_declared_writer_may_put_a_value_and_nothing_else() -> None:
    doc = iam.secret_resource_policy(
        secret_name="prod/payments/webhook-key",
        secret_arn=WEBHOOK,
        readers=[f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-checkout-api"],
        owner=OWNER,
        rotator=f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-rotate-payments_webhook-key",
        writers=[f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-checkout-api"],
    )
    checkout = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-checkout-api"
    rotator = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-rotate-payments_webhook-key"
    assert doc == secret_policy(
        "prod/payments/webhook-key", WEBHOOK, [checkout], rotator, [checkout]
    )
    put, stage = doc["Statement"][2], doc["Statement"][3]
    assert put["Condition"]["ArnNotEquals"]["aws:PrincipalArn"] == [OWNER, checkout, rotator]
    assert checkout not in stage["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]


def test_the_deployed_policy_is_the_generated_one_for_every_secret(
    aws_preview, aws_catalog
) -> None:
    """Every SecretPolicy input, parsed back, is the generator's document for its plan."""
    from seccat.documents.aws_plan import AwsPlan

    for stack in ("dev", "prod"):
        preview = aws_preview(stack)
        plan = AwsPlan(aws_catalog, aws_catalog.environments[stack])
        for secret_id, sp in plan.secrets.items():
            resource = preview.named(f"{stack}/{secret_id}/policy")
            expected = iam.secret_resource_policy(
                secret_name=sp.name,
                secret_arn=sp.arn_pattern,
                readers=sp.readers,
                owner=sp.owner_role_arn,
                rotator=sp.rotator.role_arn if sp.rotator else None,
                writers=sp.writers,
            )
            assert json.loads(resource.inputs["policy"]) == expected, secret_id
            account = {"dev": DEV_ACCOUNT, "prod": PROD_ACCOUNT}[stack]
            assert sp.owner_role_arn == f"arn:aws:iam::{account}:role/payments-secrets-owner"


def test_external_secret_policy_names_its_consumer_role(aws_preview) -> None:
    policy = aws_preview("prod").named("prod/payments/partner-tls/policy")
    doc = json.loads(policy.inputs["policy"])
    reporting = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-reporting"
    assert doc["Statement"][0]["Principal"] == {"AWS": [reporting]}
    assert doc["Statement"][1]["Condition"]["ArnNotEquals"] == {"aws:PrincipalArn": [reporting]}
    assert policy.options["dependsOn"] == ["prod/reporting/role"]


def test_every_listed_principal_cites_aws_and_says_what_it_sets() -> None:
    """A table entry is a claim about AWS: it carries the page that makes it, and a service
    without keys carries why trusting it bare is still bounded."""
    for principal, entry in PRINCIPALS.items():
        assert entry.principal == principal
        assert entry.source.startswith("https://docs.aws.amazon.com/"), principal
        assert bool(entry.keys) != bool(entry.why_none), principal
        if entry.source_arn is not None:
            assert entry.source_arn.startswith("arn:{partition}:"), principal
            assert "{account}" in entry.source_arn and "{region}" in entry.source_arn


def test_build_order_puts_superuser_secrets_first_then_the_rest_by_id() -> None:
    """The order the program creates secrets in: every superuser secret (the one a database
    names as admin_secret, whose ARN configures the rotators that use it) first, each part
    in id order."""
    from pathlib import Path

    from seccat.catalog.loader import load_catalog
    from seccat.documents.aws_plan import aws_plan

    catalog = load_catalog(Path(__file__).resolve().parents[1] / "fixtures/features-catalog.yaml")
    reordered = 0
    for env in catalog.environments.values():
        plan = aws_plan(catalog, env)
        masters = {p.rotator.master_secret for p in plan.secrets.values() if p.rotator}
        order = [p.secret.id for p in plan.build_order()]
        expected = sorted(plan.secrets, key=lambda i: (i not in masters, i))
        assert order == expected
        reordered += order != sorted(order)
        assert plan.build_order() is not plan.build_order()  # a list of the caller's own
    assert reordered == 3  # in every environment a superuser secret moves ahead of others
