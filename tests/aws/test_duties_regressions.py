"""Issue 8's segregation-of-duties cases, as users meet them: located errors from
`seccat validate`, and what the program deploys when a role is declared existing.

- ``role_name`` naming a role seccat does not create (an admin role) is refused unless
  declared ``existing: true`` with a reason, and then it only ever gets the read policy;
- a waiver with ``target: "*"`` (silencing a rule for the whole catalog) is refused.
"""

from __future__ import annotations

import copy
import json

from seccat.documents.aws_plan import AwsPlan
from seccat.documents.iam import OWNER_ONLY_ACTIONS, PUT_VALUE_ACTIONS
from tests.aws.conftest import BASE, PROD_ACCOUNT, catalog_from, preview_of
from tests.cli.test_validate_cli import seccat

DUTIES = "tests/aws/duties-catalog.yaml"


def test_validate_refuses_each_case_where_it_was_written() -> None:
    result = seccat("validate", DUTIES)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{DUTIES}:11:11: error: services.reporting.aws.role_name: role_name names a role "
        "seccat does not create: declare it with existing: true and a reason, or add aws.trust "
        "so seccat creates it (TRUST)",
        f"{DUTIES}:25:35: error: secrets.payments/key.consumers[1].access: service 'legacy' "
        "uses an existing role in 'prod', which only ever gets the read policy (access: read) "
        "(CONSUMER)",
        f"{DUTIES}:27:36: error: waivers[0].target: '*' is not a waiver target (SCHEMA)",
    ]
    assert result.stderr.strip() == f"{DUTIES}: 3 error(s); the catalog is invalid"


def admin_catalog(access: str):
    """BASE with a service attached to the account's admin role, declared existing, and
    (bypassing validation, as a bug upstream would) asking for write access."""
    data = copy.deepcopy(BASE)
    data["services"]["ops"] = {
        "team": "payments",
        "aws": {
            "role_name": "OrganizationAccountAccessRole",
            "existing": True,
            "reason": "Shared administration role until the ops tooling migrates",
        },
    }
    secret = data["secrets"]["payments/stripe-api-key"]
    secret["consumers"].append({"service": "ops", "access": access})
    return catalog_from(data)


ADMIN_ROLE = f"arn:aws:iam::{PROD_ACCOUNT}:role/OrganizationAccountAccessRole"


def test_an_existing_role_never_gets_more_than_the_read_policy() -> None:
    for access in ("read", "write"):
        catalog = admin_catalog(access)
        plan = AwsPlan(catalog, catalog.environments["prod"])
        ops = plan.services["ops"]
        assert (ops.create_role, ops.role_arn, ops.writes) == (False, ADMIN_ROLE, ())
        assert ADMIN_ROLE not in plan.secrets["payments/stripe-api-key"].writers

        prod = preview_of(catalog, "prod")
        assert not [r for r in prod.of_type("aws:iam/role:Role") if r.name == "prod/ops/role"]
        attached = [
            r
            for r in prod.of_type("aws:iam/rolePolicy:RolePolicy")
            if r.inputs["role"] == "OrganizationAccountAccessRole"
        ]
        assert len(attached) == 1
        doc = json.loads(attached[0].inputs["policy"])
        actions = {
            a
            for s in doc["Statement"]
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        assert actions == {
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
            "kms:Decrypt",
        }, access
        # The secret's policy lets it read, and keeps it from every change.
        policy = json.loads(prod.named("prod/payments/stripe-api-key/policy").inputs["policy"])
        by_sid = {s["Sid"]: s for s in policy["Statement"]}
        assert ADMIN_ROLE in by_sid["ReadByConsumersAndRotation"]["Principal"]["AWS"]
        for sid in (
            "DenyNewValuesExceptRotationWritersAndOwner",
            "DenyStageMovesExceptRotationAndOwner",
            "DenyChangesExceptOwner",
        ):
            assert ADMIN_ROLE not in by_sid[sid]["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        assert by_sid["DenyChangesExceptOwner"]["Action"] == list(OWNER_ONLY_ACTIONS)
        assert (
            by_sid["DenyNewValuesExceptRotationWritersAndOwner"]["Action"] == (PUT_VALUE_ACTIONS[0])
        )


def test_a_created_role_with_write_access_does_get_the_write_policy() -> None:
    """Control: the same request from a role seccat creates is honoured, so the test above
    shows the existing-role rule and not a write path that never works."""
    data = copy.deepcopy(BASE)
    data["secrets"]["payments/stripe-api-key"]["consumers"] = [
        {"service": "checkout-api", "access": "write"}
    ]
    catalog = catalog_from(data)
    plan = AwsPlan(catalog, catalog.environments["prod"])
    checkout = f"arn:aws:iam::{PROD_ACCOUNT}:role/seccat-prod-checkout-api"
    assert plan.services["checkout-api"].writes == ("payments/stripe-api-key",)
    assert plan.secrets["payments/stripe-api-key"].writers == (checkout,)
