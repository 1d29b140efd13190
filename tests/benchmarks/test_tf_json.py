"""The benchmark's preview -> Terraform JSON converter: checkov must see the same resources
`seccat check` evaluates, with Terraform's type and argument names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from tf_json import convert, count, main, terraform_type  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "preview-prod.json"


def _golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_type_tokens_map_to_terraform_types():
    assert terraform_type("aws:kms/key:Key") == "aws_kms_key"
    assert terraform_type("aws:secretsmanager/secretRotation:SecretRotation") == (
        "aws_secretsmanager_secret_rotation"
    )
    assert terraform_type("aws:cfg/rule:Rule") == "aws_config_config_rule"
    assert terraform_type("vault:index/policy:Policy") == "vault_policy"
    assert terraform_type("vault:kv/secretBackendV2:SecretBackendV2") == (
        "vault_kv_secret_backend_v2"
    )
    # components and providers have no Terraform resource
    assert terraform_type("seccat:aws:ManagedSecret") is None
    assert terraform_type("pulumi:providers:aws") is None


def test_every_custom_resource_of_the_prod_preview_is_converted_once():
    preview = _golden()
    document = convert(preview)
    resources = preview["resources"]
    custom = [r for r in resources if r["custom"] and r["type"] != "pulumi:providers:aws"]
    assert count(document) == len(custom)
    by_type: dict[str, int] = {}
    for r in custom:
        tf_type = terraform_type(r["type"])
        by_type[tf_type] = by_type.get(tf_type, 0) + 1
    assert {t: len(v) for t, v in document["resource"].items()} == by_type


def test_arguments_are_snake_case_blocks_with_integers_and_verbatim_map_keys():
    resources = convert(_golden())["resource"]
    rotation = resources["aws_secretsmanager_secret_rotation"][
        "prod_payments_orders-db-admin_rotation-schedule"
    ]
    assert rotation == {
        "rotation_rules": {"duration": "3h", "schedule_expression": "cron(0 4 ? * SUN *)"},
        "rotation_lambda_arn": (
            "arn:aws:lambda:eu-west-1:222222222222:function:"
            "seccat-prod-rotate-payments_orders-db-admin"
        ),
        "rotate_immediately": False,
        "secret_id": (
            "arn:aws:secretsmanager:eu-west-1:222222222222:secret:"
            "prod/payments/orders-db-admin-CQ562c"
        ),
    }
    logs = resources["aws_cloudwatch_log_group"]["prod-kv-rotator-data-logs"]
    assert logs["retention_in_days"] == 365 and type(logs["retention_in_days"]) is int
    assert logs["tags"]["seccat:catalog-id"] == "teams/data/kv-rotator"
    function = resources["aws_lambda_function"]["prod-kv-rotator-data-function"]
    assert function["filename"] == "rotation.zip" and "code" not in function
    assert "SECCAT_VAULT_KV_MOUNT" in function["environment"]["variables"]


def test_the_command_writes_main_tf_json(tmp_path, capsys):
    main([str(GOLDEN), str(tmp_path / "tf")])
    written = json.loads((tmp_path / "tf" / "main.tf.json").read_text(encoding="utf-8"))
    assert written == convert(_golden())
    assert capsys.readouterr().err == f"156 resources -> {tmp_path / 'tf' / 'main.tf.json'}\n"
