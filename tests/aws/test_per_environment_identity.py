# ruff: noqa: E501 - one catalog entry per line keeps the catalog readable
"""The components take each environment's own identity: trust, role, policy attachment,
Vault AWS and Kubernetes auth bindings all differ per environment when the catalog says so."""

from __future__ import annotations

import json

from seccat.catalog.loader import parse_catalog
from tests.aws.conftest import DEV_ACCOUNT, PROD_ACCOUNT, REGION, preview_of

CATALOG = f"""\
version: 1
teams:
  shop: {{contact: shop@example.com, aws: {{owner_role: shop-owner}}}}
environments:
  dev: {{aws: {{account_id: "{DEV_ACCOUNT}", region: {REGION}}}}}
  prod: {{aws: {{account_id: "{PROD_ACCOUNT}", region: {REGION}}}, protect: true}}
services:
  api:
    team: shop
    environments:
      dev:
        aws: {{trust: {{service: ecs-tasks.amazonaws.com}}}}
        kubernetes: {{namespace: shop-dev, service_account: api}}
      prod:
        aws: {{role_name: legacy-api, existing: true, reason: Runs on the legacy fleet}}
        kubernetes: {{namespace: shop, service_account: api-prod}}
secrets:
  shop/token:
    {{owner: shop, type: api-key, store: aws-secretsmanager, classification: internal, rotation: {{every: 30d}}, consumers: [{{service: api, access: read}}]}}
  shop/kv:
    {{owner: shop, type: api-key, store: vault-kv, classification: internal, rotation: {{every: 30d}}, consumers: [{{service: api, access: read}}]}}
"""


def _preview(stack: str):
    catalog, diagnostics = parse_catalog(CATALOG)
    assert [d.render() for d in diagnostics] == []
    assert catalog is not None
    return preview_of(catalog, stack)


def _one(preview, type_token: str):
    found = preview.of_type(type_token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


AWS_AUTH = "vault:aws/authBackendRole:AuthBackendRole"
K8S_AUTH = "vault:kubernetes/authBackendRole:AuthBackendRole"


def test_dev_creates_its_ecs_role_and_binds_it() -> None:
    dev = _preview("dev")
    role = dev.named("dev/api/role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{REGION}:{DEV_ACCOUNT}:*"},
        "StringEquals": {"aws:SourceAccount": DEV_ACCOUNT},
    }
    assert dev.named("dev/api/secrets-policy").inputs["role"] == "seccat-dev-api"
    aws_auth = [r for r in dev.of_type(AWS_AUTH) if r.inputs.get("role") == "api"]
    assert [r.inputs["boundIamPrincipalArns"] for r in aws_auth] == [
        [f"arn:aws:iam::{DEV_ACCOUNT}:role/seccat-dev-api"]
    ]
    k8s = _one(dev, K8S_AUTH)
    assert k8s.inputs["boundServiceAccountNamespaces"] == ["shop-dev"]
    assert k8s.inputs["boundServiceAccountNames"] == ["api"]


def test_prod_uses_its_existing_role_and_its_own_service_account() -> None:
    prod = _preview("prod")
    assert not [r for r in prod.resources if r.name == "prod/api/role"]
    assert prod.named("prod/api/secrets-policy").inputs["role"] == "legacy-api"
    aws_auth = [r for r in prod.of_type(AWS_AUTH) if r.inputs.get("role") == "api"]
    assert [r.inputs["boundIamPrincipalArns"] for r in aws_auth] == [
        [f"arn:aws:iam::{PROD_ACCOUNT}:role/legacy-api"]
    ]
    k8s = _one(prod, K8S_AUTH)
    assert k8s.inputs["boundServiceAccountNamespaces"] == ["shop"]
    assert k8s.inputs["boundServiceAccountNames"] == ["api-prod"]
