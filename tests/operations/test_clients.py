"""The shared connections: AWS credentials are checked against the environment's account
before anything runs, and Vault logins come from the documented variables."""

from __future__ import annotations

from pathlib import Path

import boto3
import hvac
import pytest
from servers.moto import MotoServer
from servers.openbao import OpenBaoServer

from seccat.catalog.model import AwsAccount, Catalog, Environment, VaultSettings
from seccat.operations.clients import connect_aws, connect_vault
from seccat.operations.errors import OperationError
from seccat.operations.targets import build_targets, select_environments


def _env(name: str, account: str) -> Environment:
    return Environment(
        name=name,
        aws=AwsAccount(account, "eu-west-1"),
        protect=False,
        detective_controls=False,
        vault=VaultSettings(kv_mount=f"kv-{name}", database_mount=f"database-{name}"),
    )


def assumed(server: MotoServer, role_arn: str) -> boto3.Session:
    """Credentials of an assumed role, as an operator's CLI gets them from STS: moto puts
    every later request made with them in the role's account."""
    sts = boto3.client(
        "sts",
        region_name="eu-west-1",
        endpoint_url=server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="operator")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_credentials_of_the_environment_account_connect(moto_server: MotoServer) -> None:
    session = assumed(moto_server, "arn:aws:iam::222222222222:role/payments-secrets-owner")
    conn = connect_aws(
        _env("prod", "222222222222"), endpoint_url=moto_server.endpoint, session=session
    )
    assert conn.account_id == "222222222222"
    assert conn.region == "eu-west-1"
    assert ":assumed-role/payments-secrets-owner/operator" in conn.caller_arn
    # the clients act in that account: a secret created through them lives there
    arn = conn.client("secretsmanager").create_secret(Name="clients-test/x")["ARN"]
    assert ":222222222222:secret:clients-test/x-" in arn


def test_another_accounts_credentials_are_refused(moto_server: MotoServer) -> None:
    session = assumed(moto_server, "arn:aws:iam::111111111111:role/dev-operator")
    with pytest.raises(OperationError) as refused:
        connect_aws(
            _env("prod", "222222222222"), endpoint_url=moto_server.endpoint, session=session
        )
    assert refused.value.code == 2
    assert "account 111111111111" in refused.value.message
    assert "prod in account 222222222222" in refused.value.message


def test_vault_token_from_the_environment(openbao_server: OpenBaoServer) -> None:
    conn = connect_vault(
        environ={"VAULT_ADDR": openbao_server.address, "VAULT_TOKEN": openbao_server.root_token}
    )
    assert conn.auth == "token"
    assert conn.client.is_authenticated()


def test_vault_token_helper_file(openbao_server: OpenBaoServer, tmp_path: Path) -> None:
    (tmp_path / ".vault-token").write_text(openbao_server.root_token + "\n")
    conn = connect_vault(environ={"VAULT_ADDR": openbao_server.address, "HOME": str(tmp_path)})
    assert conn.client.is_authenticated()


def test_vault_token_with_a_trailing_newline(openbao_server: OpenBaoServer) -> None:
    """As `export VAULT_TOKEN="$(cat file)"` leaves it when the file ends in two newlines:
    trimmed, as the helper file is (requests refused the header as InvalidHeader)."""
    conn = connect_vault(
        environ={
            "VAULT_ADDR": openbao_server.address,
            "VAULT_TOKEN": f" {openbao_server.root_token}\n",
        }
    )
    assert conn.client.is_authenticated()


@pytest.mark.parametrize("token", ["s.a\nb", "s.a b", "s.\x00", "s.\u00e9"])
def test_a_malformed_vault_token_is_named_never_quoted(
    openbao_server: OpenBaoServer, token: str
) -> None:
    with pytest.raises(OperationError) as refused:
        connect_vault(environ={"VAULT_ADDR": openbao_server.address, "VAULT_TOKEN": token})
    assert refused.value.code == 2
    assert refused.value.message == (
        "the Vault token holds spaces, control or non-ASCII characters, which no token has: "
        "check VAULT_TOKEN or ~/.vault-token"
    )


def test_vault_rejected_and_missing_tokens(openbao_server: OpenBaoServer, tmp_path: Path) -> None:
    with pytest.raises(OperationError, match="refused the token credentials"):
        connect_vault(environ={"VAULT_ADDR": openbao_server.address, "VAULT_TOKEN": "s.nope"})
    with pytest.raises(OperationError, match="no Vault token"):
        connect_vault(environ={"VAULT_ADDR": openbao_server.address, "HOME": str(tmp_path)})
    with pytest.raises(OperationError, match="no Vault address"):
        connect_vault(environ={"VAULT_TOKEN": "x"})


def test_vault_approle_login(openbao_server: OpenBaoServer) -> None:
    root: hvac.Client = openbao_server.client()
    if "ops-approle/" not in root.sys.list_auth_methods()["data"]:
        root.sys.enable_auth_method("approle", path="ops-approle")
    root.sys.create_or_update_policy(
        "ops-test-reader", 'path "sys/health" { capabilities = ["read"] }'
    )
    root.auth.approle.create_or_update_approle(
        "operator", token_policies=["ops-test-reader"], mount_point="ops-approle"
    )
    role_id = root.auth.approle.read_role_id("operator", mount_point="ops-approle")["data"][
        "role_id"
    ]
    secret_id = root.auth.approle.generate_secret_id("operator", mount_point="ops-approle")["data"][
        "secret_id"
    ]
    conn = connect_vault(
        environ={
            "VAULT_ADDR": openbao_server.address,
            "SECCAT_VAULT_AUTH": "approle",
            "SECCAT_VAULT_AUTH_MOUNT": "ops-approle",
            "VAULT_ROLE_ID": role_id,
            "VAULT_SECRET_ID": secret_id,
        }
    )
    assert conn.auth == "approle"
    assert conn.client.auth.token.lookup_self()["data"]["policies"] == [
        "default",
        "ops-test-reader",
    ]
    with pytest.raises(OperationError, match="refused the approle credentials"):
        connect_vault(
            environ={
                "VAULT_ADDR": openbao_server.address,
                "SECCAT_VAULT_AUTH": "approle",
                "SECCAT_VAULT_AUTH_MOUNT": "ops-approle",
                "VAULT_ROLE_ID": role_id,
                "VAULT_SECRET_ID": "00000000-0000-0000-0000-000000000000",
            }
        )


def test_select_environments(example_catalog: Catalog) -> None:
    assert select_environments(example_catalog, "prod", False) == ["prod"]
    assert select_environments(example_catalog, None, True) == ["dev", "staging", "prod"]
    for stack, every in ((None, False), ("prod", True), ("qa", False)):
        with pytest.raises(OperationError) as refused:
            select_environments(example_catalog, stack, every)
        assert refused.value.code == 2


def test_targets_index_the_preview(example_catalog: Catalog, example_preview) -> None:
    targets = build_targets(example_catalog, "prod", example_preview("prod"))
    app = targets.secrets["payments/orders-db-app"]
    assert app.aws is not None and app.vault is None
    assert app.aws.name == "prod/payments/orders-db-app"
    assert app.aws.rotation_function == "seccat-prod-rotate-payments_orders-db-app"
    assert app.aws.log_group == "/seccat/prod/rotation/payments/orders-db-app"
    assert app.aws.master_secret == "payments/orders-db-admin"
    assert app.aws.owner_role_arn == "arn:aws:iam::222222222222:role/payments-secrets-owner"
    assert app.consumers == ("billing-worker", "checkout-api")
    tls = targets.secrets["payments/partner-tls"]
    assert tls.aws is not None and not tls.aws.managed_rotation
    assert targets.secrets["payments/webhook-signing-key"].aws.replicas == ("eu-central-1",)  # type: ignore[union-attr]
    etl = targets.secrets["data/warehouse-etl"]
    assert (
        etl.vault is not None
        and etl.vault.read_path == "database-prod/static-creds/data.warehouse-etl"
    )
    assert etl.vault.config_path == "database-prod/static-roles/data.warehouse-etl"
    assert (
        targets.by_vault_path("/v1/kv-prod/data/identity/jwt-signing-key").id
        == "identity/jwt-signing-key"
    )  # type: ignore[union-attr]
    assert (
        targets.by_vault_path("kv-prod/metadata/identity/jwt-signing-key").id
        == "identity/jwt-signing-key"
    )  # type: ignore[union-attr]
    arn = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/orders-db-app-AbCdEf"
    assert targets.by_aws_arn(arn) is app
    assert targets.by_aws_arn(arn.replace("222222222222", "111111111111")) is None
    assert (
        "payments/stripe-api-key"
        not in build_targets(example_catalog, "staging", example_preview("staging")).secrets
    )
