"""Offline: the Vault resources seccat's real program registers, as the preview records them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from seccat.catalog.loader import load_catalog
from seccat.components.vault.config import OFFLINE_PASSWORD
from seccat.engine.preview import Preview, run_preview

ROTATION = Path(__file__).resolve().parent / "rotation-catalog.yaml"
ROOT = Path(__file__).resolve().parents[2]

PreviewOf = Callable[[str], Preview]


def _vault(preview: Preview) -> list:  # type: ignore[type-arg]
    return [r for r in preview.resources if r.type.startswith("vault:")]


def test_every_vault_resource_is_a_child_of_the_platform(example_preview: PreviewOf) -> None:
    preview = example_preview("prod")
    platform = preview.of_type("seccat:index:SecretsPlatform")[0]
    resources = _vault(preview)
    # 31, and the renewal check's policy and AWS auth role (owner-rotated KV secrets)
    assert len(resources) == 33
    assert {r.parent for r in resources} == {platform.urn}


def test_kv_mount_and_config(example_preview: PreviewOf) -> None:
    for env, protect in (("dev", False), ("prod", True)):
        preview = example_preview(env)
        mount = preview.named(f"{env}-vault-kv")
        assert mount.inputs["path"] == f"kv-{env}"
        assert (mount.inputs["type"], mount.inputs["options"]) == ("kv", {"version": "2"})
        assert mount.inputs["maxLeaseTtlSeconds"] <= 86400
        config = preview.named(f"{env}-vault-kv-config").inputs
        assert config["maxVersions"] >= 10
        assert config["casRequired"] is protect
        assert config["deleteVersionAfter"] >= 3 * 180 * 86400  # the slowest rotation kept 3x
        assert mount.options["protect"] is protect and mount.options["retainOnDelete"] is protect


def test_kv_metadata_never_deletes_and_writes_only_metadata(example_preview: PreviewOf) -> None:
    preview = example_preview("prod")
    endpoints = preview.of_type("vault:generic/endpoint:Endpoint")
    assert sorted(e.inputs["path"] for e in endpoints) == [
        "kv-prod/metadata/data/legacy-ftp-password",
        "kv-prod/metadata/identity/jwt-signing-key",
        "kv-prod/metadata/identity/ldap-bind-password",
        "kv-prod/metadata/identity/oauth-client-secret",
        "kv-prod/metadata/identity/saml-signing-cert",
    ]
    for e in endpoints:
        assert e.inputs["disableDelete"] is True
        assert e.options["protect"] is True


def test_database_connection_roles_and_no_password_in_the_preview(
    example_preview: PreviewOf,
) -> None:
    preview = example_preview("prod")
    conn = preview.named("prod-vault-db-warehouse-db").inputs
    assert conn["backend"] == "database-prod"
    assert conn["allowedRoles"] == ["data.warehouse-etl", "data.warehouse-reader"]
    assert conn["verifyConnection"] is True
    assert conn["postgresql"] == "[secret]"
    assert OFFLINE_PASSWORD not in json.dumps(preview.to_json())
    static = preview.named("prod-vault-db-role-data.warehouse-etl").inputs
    assert (static["username"], static["rotationPeriod"]) == ("etl_loader", 30 * 86400)
    assert "rotationSchedule" not in static
    dynamic = preview.named("prod-vault-db-role-data.warehouse-reader").inputs
    assert (dynamic["defaultTtl"], dynamic["maxTtl"]) == (3600, 8 * 3600)
    assert dynamic["creationStatements"][1] == 'GRANT "warehouse_reader" TO "{{name}}";'


def test_auth_roles_bind_service_roles_with_short_tokens(example_preview: PreviewOf) -> None:
    preview = example_preview("prod")
    aws_roles = {
        r.inputs["role"]: r.inputs
        for r in preview.of_type("vault:aws/authBackendRole:AuthBackendRole")
    }
    assert sorted(aws_roles) == [
        "auth-service",
        "etl-runner",
        "kv-rotator-data",
        "kv-rotator-identity",
        "renewal-check",
        "reporting-api",
    ]
    etl = aws_roles["etl-runner"]
    assert etl["backend"] == "aws-prod" and etl["authType"] == "iam"
    assert etl["boundIamPrincipalArns"] == ["arn:aws:iam::222222222222:role/seccat-prod-etl-runner"]
    assert etl["tokenPolicies"] == ["seccat-prod-service-etl-runner"]
    assert etl["resolveAwsUniqueIds"] is True
    rotator = aws_roles["kv-rotator-identity"]
    assert rotator["boundIamPrincipalArns"] == [
        "arn:aws:iam::222222222222:role/seccat-prod-kv-rotator-identity"
    ]
    assert rotator["tokenPolicies"] == ["seccat-prod-kv-rotator-identity"]
    # restricted jwt key: 15 min / 1 h; confidential only: 30 min / 4 h.
    assert (aws_roles["auth-service"]["tokenTtl"], aws_roles["auth-service"]["tokenMaxTtl"]) == (
        900,
        3600,
    )
    assert (etl["tokenTtl"], etl["tokenMaxTtl"]) == (1800, 4 * 3600)
    k8s = {
        r.inputs["roleName"]: r.inputs
        for r in preview.of_type("vault:kubernetes/authBackendRole:AuthBackendRole")
    }
    assert sorted(k8s) == ["auth-service", "reporting-api", "user-directory"]
    assert k8s["user-directory"]["boundServiceAccountNamespaces"] == ["identity"]
    assert k8s["user-directory"]["boundServiceAccountNames"] == ["user-directory"]
    for role in [*aws_roles.values(), *k8s.values()]:
        assert 0 < role["tokenTtl"] <= 3600 and role["tokenTtl"] <= role["tokenMaxTtl"] <= 86400


def test_audit_device_in_every_environment(example_preview: PreviewOf) -> None:
    for env, path in (("dev", "file-dev"), ("staging", "file-staging"), ("prod", "file")):
        audit = example_preview(env).of_type("vault:index/audit:Audit")
        assert len(audit) == 1
        assert (audit[0].inputs["type"], audit[0].inputs["path"]) == ("file", path)
        assert audit[0].inputs["options"]["log_raw"] == "false"


def test_kv_rotation_schedules_a_least_privilege_function(example_preview: PreviewOf) -> None:
    preview = example_preview("prod")
    schedules = {
        json.loads(r.inputs["target"]["input"])["path"]: r.inputs
        for r in preview.of_type("aws:scheduler/schedule:Schedule")
        if r.name.startswith("prod-kv-rotation-")
    }
    # Generated KV types only: the generic and certificate KV secrets are filled by owners.
    assert sorted(schedules) == [
        "data/legacy-ftp-password",
        "identity/jwt-signing-key",
        "identity/ldap-bind-password",
    ]
    jwt = schedules["identity/jwt-signing-key"]
    assert jwt["scheduleExpression"] == "rate(30 days)"
    assert jwt["groupName"] == "seccat-prod-kv-rotation"
    assert json.loads(jwt["target"]["input"])["mount"] == "kv-prod"
    fn = preview.named("prod-kv-rotator-identity-function").inputs
    assert fn["handler"] == "vault_kv.rotator.handler"
    assert fn["environment"]["variables"]["SECCAT_VAULT_AUTH_ROLE"] == "kv-rotator-identity"
    assert fn["environment"]["variables"]["VAULT_ADDR"] == "https://vault.prod.example.com:8200"
    logs = json.loads(preview.named("prod-kv-rotator-identity-logs-policy").inputs["policy"])
    assert [s["Action"] for s in logs["Statement"]] == [
        ["logs:CreateLogStream", "logs:PutLogEvents"]
    ]
    invoke = json.loads(preview.named("prod-kv-rotator-identity-scheduler-policy").inputs["policy"])
    assert invoke["Statement"][0]["Resource"] == (
        "arn:aws:lambda:eu-west-1:222222222222:function:seccat-prod-kv-rotator-identity"
    )


def test_aws_auth_roles_bind_the_iam_roles_the_program_creates(example_preview: PreviewOf) -> None:
    for env in ("dev", "staging", "prod"):
        preview = example_preview(env)
        iam_roles = {r.inputs["name"]: r.name for r in preview.of_type("aws:iam/role:Role")}
        for role in preview.of_type("vault:aws/authBackendRole:AuthBackendRole"):
            (arn,) = role.inputs["boundIamPrincipalArns"]
            name = arn.split(":role/", 1)[1]
            assert name in iam_roles, f"{role.name} binds {arn}, which nothing creates"
            # Vault resolves the role's unique id on write, so the IAM role must exist first;
            # and no role takes logins before the mount requires the server-id header.
            assert role.options["dependsOn"] == [iam_roles[name], f"{env}-vault-auth-aws-client"]


def test_static_role_schedule_becomes_standard_cron_with_window() -> None:
    """By default (HashiCorp Vault 1.15+) a catalog schedule is a rotation_schedule."""
    catalog = load_catalog(ROTATION)
    role = run_preview(catalog, "ci", ROTATION).named("ci-vault-db-role-shop.batch-login")
    assert role.inputs["rotationSchedule"] == "0 4 * * 0"
    assert role.inputs["rotationWindow"] == 3 * 3600
    assert "rotationPeriod" not in role.inputs


def test_data_bearing_vault_resources_are_protected_only_where_the_env_protects(
    example_preview: PreviewOf,
) -> None:
    kinds = (
        "vault:index/mount:Mount",
        "vault:kv/secretBackendV2:SecretBackendV2",
        "vault:generic/endpoint:Endpoint",
        "vault:database/secretBackendConnection:SecretBackendConnection",
        "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
        "vault:index/audit:Audit",
        "vault:index/authBackend:AuthBackend",
    )
    for env, protect in (("dev", False), ("prod", True)):
        for r in example_preview(env).resources:
            if r.type in kinds:
                assert (r.options["protect"], r.options["retainOnDelete"]) == (protect, protect)
            elif r.type.startswith("vault:"):
                assert r.options["protect"] is False, r.name


def test_aws_auth_mount_requires_the_environments_server_id_header(
    example_preview: PreviewOf,
) -> None:
    """Structural only: OpenBao has no AWS auth method to apply it to (docs/vault.md)."""
    for env in ("dev", "staging", "prod"):
        preview = example_preview(env)
        (client,) = preview.of_type("vault:aws/authBackendClient:AuthBackendClient")
        assert client.name == f"{env}-vault-auth-aws-client"
        assert client.inputs == {
            "backend": f"aws-{env}",
            "iamServerIdHeaderValue": f"seccat-{env}",
            "stsEndpoint": "https://sts.eu-west-1.amazonaws.com",
            "stsRegion": "eu-west-1",
        }
        assert client.options["dependsOn"] == [f"{env}-vault-auth-aws"]
        # The KV rotator signs the very value the mount requires, for the same STS region.
        for fn in preview.of_type("aws:lambda/function:Function"):
            if fn.name.startswith(f"{env}-kv-rotator-"):
                variables = fn.inputs["environment"]["variables"]
                assert variables["SECCAT_VAULT_IAM_SERVER_ID"] == f"seccat-{env}"
                assert variables["SECCAT_VAULT_STS_REGION"] == "eu-west-1"
                assert variables["SECCAT_VAULT_AUTH_MOUNT"] == f"aws-{env}"


def test_kubernetes_roles_bind_the_environments_audience(example_preview: PreviewOf) -> None:
    for env in ("dev", "staging", "prod"):
        roles = example_preview(env).of_type("vault:kubernetes/authBackendRole:AuthBackendRole")
        assert roles
        assert {r.inputs["audience"] for r in roles} == {f"vault-{env}"}


def test_a_catalog_sets_its_own_header_and_audience() -> None:
    from seccat.catalog.loader import parse_catalog

    text = (
        (ROOT / "catalog.yaml")
        .read_text()
        .replace(
            "vault: {kv_mount: kv-prod, database_mount: database-prod,",
            "vault: {aws_auth_header: vault.prod.example.com, kubernetes_audience: "
            '"https://vault.prod.example.com", kv_mount: kv-prod, database_mount: database-prod,',
        )
    )
    catalog, diagnostics = parse_catalog(text)
    assert diagnostics == [] and catalog is not None
    preview = run_preview(catalog, "prod", "catalog.yaml")
    (client,) = preview.of_type("vault:aws/authBackendClient:AuthBackendClient")
    assert client.inputs["iamServerIdHeaderValue"] == "vault.prod.example.com"
    roles = preview.of_type("vault:kubernetes/authBackendRole:AuthBackendRole")
    assert {r.inputs["audience"] for r in roles} == {"https://vault.prod.example.com"}
    fn = preview.named("prod-kv-rotator-identity-function")
    assert fn.inputs["environment"]["variables"]["SECCAT_VAULT_IAM_SERVER_ID"] == (
        "vault.prod.example.com"
    )
