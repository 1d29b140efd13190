"""The access extraction (seccat.access) over the example's prod preview, and over
hand-made documents that show each IAM and Vault rule it applies, with negative controls."""

# ruff: noqa: E501 - expected edges and policy statements read best one per line

from __future__ import annotations

import json

import pytest

from seccat.access import access_graph
from seccat.access.vault import path_matches
from seccat.catalog.loader import load_catalog
from seccat.engine.preview import Preview, run_preview
from seccat.engine.recording import RecordedResource
from tests.diff.conftest import ROOT

READ = {"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}
ROTATE = READ | {"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}


@pytest.fixture(scope="module")
def prod() -> Preview:
    catalog = load_catalog(ROOT / "catalog.yaml")
    return run_preview(catalog, "prod", "catalog.yaml")


def test_prod_edges_are_exactly_the_catalogs_consumers_and_rotators(prod: Preview) -> None:
    graph = access_graph(prod)
    got = {(e.principal.name, e.secret, e.store, frozenset(e.actions)) for e in graph.edges}
    kv_read = frozenset({"data:read", "metadata:read"})
    RENEWAL = frozenset({"secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"})
    kv_write = frozenset({"data:create", "data:update", "metadata:read"})
    # fmt: off
    assert got == {
        ("seccat-prod-billing-worker", "payments/orders-db-app", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-billing-worker", "payments/webhook-signing-key", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-checkout-api", "payments/orders-db-app", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-checkout-api", "payments/partner-tls", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-checkout-api", "payments/stripe-api-key", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-etl-runner", "data/segment-write-key", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-rotate-payments_orders-db-admin", "payments/orders-db-admin", "aws-secretsmanager", frozenset(ROTATE)),
        ("seccat-prod-rotate-payments_orders-db-app", "payments/orders-db-admin", "aws-secretsmanager", frozenset(READ)),
        ("seccat-prod-rotate-payments_orders-db-app", "payments/orders-db-app", "aws-secretsmanager", frozenset(ROTATE)),
        ("seccat-prod-rotate-payments_webhook-signing-key", "payments/webhook-signing-key", "aws-secretsmanager", frozenset(ROTATE)),
        # the renewal check of the owner-rotated secrets reads their metadata, never a value
        ("seccat-prod-renewal-check", "data/segment-write-key", "aws-secretsmanager", RENEWAL),
        ("seccat-prod-renewal-check", "payments/partner-tls", "aws-secretsmanager", RENEWAL),
        ("seccat-prod-renewal-check", "payments/stripe-api-key", "aws-secretsmanager", RENEWAL),
        ("auth-service", "identity/jwt-signing-key", "vault-kv", kv_read),
        ("auth-service", "identity/ldap-bind-password", "vault-kv", kv_read),
        ("auth-service", "identity/oauth-client-secret", "vault-kv", kv_read),
        ("auth-service", "identity/saml-signing-cert", "vault-kv", kv_read),
        ("etl-runner", "data/legacy-ftp-password", "vault-kv", kv_read),
        ("etl-runner", "data/warehouse-etl", "vault-database", frozenset({"static-creds:read"})),
        ("etl-runner", "data/warehouse-reader", "vault-database", frozenset({"creds:read"})),
        # ...and the same check logs in to Vault for the owner-rotated KV secrets' metadata
        ("renewal-check", "identity/oauth-client-secret", "vault-kv", frozenset({"metadata:read"})),
        ("renewal-check", "identity/saml-signing-cert", "vault-kv", frozenset({"metadata:read"})),
        ("kv-rotator-data", "data/legacy-ftp-password", "vault-kv", kv_write),
        ("kv-rotator-identity", "identity/jwt-signing-key", "vault-kv", kv_write),
        ("kv-rotator-identity", "identity/ldap-bind-password", "vault-kv", kv_write),
        ("reporting-api", "data/warehouse-reader", "vault-database", frozenset({"creds:read"})),
        ("user-directory", "identity/ldap-bind-password", "vault-kv", kv_read),
    }
    # fmt: on
    # the same service logs in to Vault through AWS and Kubernetes: two principals
    auth = sorted(
        e.principal.id
        for e in graph.edges
        if e.secret == "identity/jwt-signing-key"
        and e.store == "vault-kv"
        and e.principal.name == "auth-service"
    )
    assert auth == ["vault:aws-prod/role/auth-service", "vault:kubernetes-prod/role/auth-service"]
    aws_login = next(e for e in graph.edges if e.principal.id == auth[0])
    assert aws_login.principal.service == "auth-service"  # via the IAM role it binds


def test_trust_edges_name_who_can_become_each_role(prod: Preview) -> None:
    trust = {(t.role.name, t.trusted, t.action) for t in access_graph(prod).trust}
    assert (
        "seccat-prod-etl-runner",
        "federated:arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com",
        "sts:AssumeRoleWithWebIdentity",
    ) in trust
    assert (
        "seccat-prod-reporting-api",
        "aws:arn:aws:iam::222222222222:role/reporting-runner",
        "sts:AssumeRole",
    ) in trust
    assert ("user-directory", "kubernetes:identity/user-directory", "vault:login") in trust
    etl = next(t for t in access_graph(prod).trust if t.role.name == "seccat-prod-etl-runner")
    assert (
        "StringLike token.actions.githubusercontent.com:sub=repo:example/etl:environment:prod"
        in etl.conditions
    )


SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:dev/team/key-AbCdEf"


def _preview(*resources: tuple[str, str, dict]) -> Preview:
    preview = Preview("dev", "catalog.yaml")
    for type_, name, inputs in resources:
        preview.resources.append(
            RecordedResource(type_, name, f"urn:{name}", None, inputs, {}, True, None)
        )
    return preview


def _secret(*policy_statements: dict) -> list[tuple[str, str, dict]]:
    out = [
        (
            "aws:secretsmanager/secret:Secret",
            "dev/team/key",
            {"name": "dev/team/key", "tags": {"seccat:catalog-id": "team/key"}},
        )
    ]
    if policy_statements:
        doc = {"Version": "2012-10-17", "Statement": list(policy_statements)}
        out.append(
            (
                "aws:secretsmanager/secretPolicy:SecretPolicy",
                "dev/team/key/policy",
                {"secretArn": SECRET_ARN, "policy": json.dumps(doc)},
            )
        )
    return out


def _role(name: str, *statements: dict) -> list[tuple[str, str, dict]]:
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    return [
        ("aws:iam/role:Role", f"{name}-role", {"name": name, "assumeRolePolicy": "{}"}),
        (
            "aws:iam/rolePolicy:RolePolicy",
            f"{name}-policy",
            {"role": name, "policy": json.dumps(doc)},
        ),
    ]


def _edges(preview: Preview) -> dict[str, set[str]]:
    return {e.principal.name: set(e.actions) for e in access_graph(preview).edges}


def test_a_wildcard_identity_policy_reaches_every_secret() -> None:
    broad = {"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}
    edges = _edges(_preview(*_secret(), *_role("admin", broad)))
    assert "secretsmanager:GetSecretValue" in edges["admin"] and len(edges["admin"]) == 19
    # negative control: another secret's ARN pattern, and a non-secret action, reach nothing
    other = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": SECRET_ARN.replace("key-", "other-"),
    }
    kms = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
    assert _edges(_preview(*_secret(), *_role("narrow", other, kms))) == {}


def test_not_action_grants_everything_it_does_not_exclude() -> None:
    most = {"Effect": "Allow", "NotAction": "secretsmanager:GetSecretValue", "Resource": "*"}
    edges = _edges(_preview(*_secret(), *_role("ops", most)))
    assert "secretsmanager:GetSecretValue" not in edges["ops"]
    assert "secretsmanager:PutSecretValue" in edges["ops"]


def test_brackets_are_letters_to_iam_not_character_classes() -> None:
    """AWS matches ``*`` and ``?`` only: ``[k]`` is two brackets and a letter. fnmatch would
    read a character class and show access AWS never grants (or hide a Deny it applies)."""
    bracket_resource = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "arn:aws:secretsmanager:*:*:secret:dev/team/[k]ey-*",
    }
    bracket_action = {
        "Effect": "Allow",
        "Action": "secretsmanager:Get[S]ecretValue",
        "Resource": "*",
    }
    assert (
        _edges(_preview(*_secret(), *_role("r", bracket_resource), *_role("a", bracket_action)))
        == {}
    )
    # negative control: the same statements with the letter itself grant the read
    plain_resource = dict(
        bracket_resource, Resource=bracket_resource["Resource"].replace("[k]", "k")
    )
    plain_action = dict(bracket_action, Action="secretsmanager:Get?ecretValue")
    assert _edges(_preview(*_secret(), *_role("r", plain_resource), *_role("a", plain_action))) == {
        "r": {"secretsmanager:GetSecretValue"},
        "a": {"secretsmanager:GetSecretValue"},
    }
    # a Deny excepting an ArnNotLike pattern with brackets spares no real role
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": {
            "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/[r]eader"]}
        },
    }
    assert _edges(_preview(*_secret(deny), *_role("reader", plain_resource))) == {}


def test_a_resource_policy_deny_on_the_principal_arn_removes_access() -> None:
    read = {
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "arn:aws:secretsmanager:*:111111111111:secret:dev/team/key-??????",
    }
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": {
            "ArnNotEquals": {"aws:PrincipalArn": ["arn:aws:iam::111111111111:role/reader"]},
            "BoolIfExists": {"aws:PrincipalIsAWSService": "false"},
        },
    }
    edges = _edges(_preview(*_secret(deny), *_role("reader", read), *_role("intruder", read)))
    assert edges == {"reader": {"secretsmanager:GetSecretValue"}}
    # a Deny that depends on the request (TLS) is not applied: access is shown, not hidden
    tls = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "secretsmanager:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert _edges(_preview(*_secret(tls), *_role("intruder", read))) == {
        "intruder": {"secretsmanager:GetSecretValue"}
    }


def test_a_resource_policy_alone_grants_to_the_principals_it_names() -> None:
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::999999999999:role/partner", "*"]},
        "Action": ["secretsmanager:GetSecretValue"],
        "Resource": "*",
    }
    graph = access_graph(_preview(*_secret(allow)))
    assert {(e.principal.id, e.principal.kind) for e in graph.edges} == {
        ("arn:aws:iam::999999999999:role/partner", "aws-principal"),
        ("*", "aws-principal"),
    }


def _vault(policy: str, *, kind: str = "kv") -> Preview:
    return _preview(
        (
            "vault:index/mount:Mount",
            "kv",
            {"path": "kv-dev", "type": "kv", "options": {"version": "2"}},
        ),
        ("vault:generic/endpoint:Endpoint", "meta-a", {"path": "kv-dev/metadata/team/a"}),
        ("vault:generic/endpoint:Endpoint", "meta-b", {"path": "kv-dev/metadata/team/b"}),
        ("vault:index/policy:Policy", "p", {"name": "reader", "policy": policy}),
        (
            "vault:aws/authBackendRole:AuthBackendRole",
            "role",
            {
                "backend": "aws-dev",
                "role": "svc",
                "tokenPolicies": ["reader"],
                "boundIamPrincipalArns": ["arn:aws:iam::1:role/x"],
            },
        ),
    )


def test_vault_globs_and_deny() -> None:
    glob = 'path "kv-dev/data/team/*" { capabilities = ["read"] }\n'
    edges = {(e.secret, frozenset(e.actions)) for e in access_graph(_vault(glob)).edges}
    assert edges == {("team/a", frozenset({"data:read"})), ("team/b", frozenset({"data:read"}))}
    # the more specific path wins inside one policy: deny on one secret
    deny = glob + 'path "kv-dev/data/team/b" { capabilities = ["deny"] }\n'
    edges = {(e.secret, frozenset(e.actions)) for e in access_graph(_vault(deny)).edges}
    assert edges == {("team/a", frozenset({"data:read"}))}
    # negative control: a policy on another mount grants nothing here
    assert (
        access_graph(_vault('path "kv-prod/data/team/*" { capabilities = ["read"] }')).edges == ()
    )


def test_vault_path_matching_by_example() -> None:
    assert path_matches("kv/data/+/key", "kv/data/team/key")
    assert not path_matches("kv/data/+/key", "kv/data/a/b/key")
    assert path_matches("kv/data/te*", "kv/data/team/key")
    assert not path_matches("kv/data/team", "kv/data/team/key")
    assert path_matches("kv/+/team/*", "kv/metadata/team/key")
