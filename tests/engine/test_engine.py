"""The offline engine: recording shape, secrets, options, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from seccat.engine.outputs import outputs_for
from seccat.engine.preview import ProgramError, run_program
from seccat.engine.recording import SECRET_PLACEHOLDER

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "catalog.yaml"


def _program_with_a_secret() -> None:
    parent = pulumi.ComponentResource("test:index:Thing", "thing", {"catalogRef": ["x", "y"]})
    aws.ssm.Parameter(
        "param",
        type="SecureString",
        value=pulumi.Output.secret("hunter2-very-secret"),
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["value"]),
    )


def test_secret_inputs_are_redacted_everywhere(example_catalog):
    preview = run_program(_program_with_a_secret, example_catalog, "dev", "catalog.yaml")
    param = preview.named("param")
    assert param.inputs["value"] == SECRET_PLACEHOLDER
    assert "hunter2" not in json.dumps(preview.to_json())
    assert param.options["additionalSecretOutputs"] == ["value", "valueWo"]


def test_catalog_ref_is_inherited_from_the_nearest_component(example_catalog):
    preview = run_program(_program_with_a_secret, example_catalog, "dev", "catalog.yaml")
    assert preview.named("param").catalog_ref == ("x", "y")
    assert preview.named("thing").catalog_ref == ("x", "y")


def test_outputs_are_realistic_arns(example_catalog):
    def program() -> None:
        role = aws.iam.Role("r", name="svc", assume_role_policy="{}")
        aws.iam.RolePolicy("p", role=role.name, policy=role.arn.apply(lambda a: a))

    preview = run_program(program, example_catalog, "prod", "catalog.yaml")
    assert preview.named("p").inputs["role"] == "svc"
    assert preview.named("p").inputs["policy"] == "arn:aws:iam::222222222222:role/svc"


def test_unknown_stack_is_a_clear_error(example_catalog):
    from seccat.engine.preview import run_preview

    with pytest.raises(ProgramError, match=r"stack 'qa' names no environment .*dev, prod, staging"):
        run_preview(example_catalog, "qa", "catalog.yaml")


def test_runs_are_repeatable(example_catalog):
    from seccat.engine.preview import run_preview

    first = run_preview(example_catalog, "staging", "catalog.yaml").to_json()
    second = run_preview(example_catalog, "staging", "catalog.yaml").to_json()
    assert first == second


def test_program_reads_the_catalog_from_config_like_the_cli(example_catalog):
    """Under `pulumi up` the program loads `seccat:catalog` itself; same resources result."""
    from seccat.engine.preview import run_preview
    from seccat.program import main

    # as the CLI passes stacks/Pulumi.dev.yaml: the program refuses to run without it
    config = {"aws:region": "eu-west-1", "aws:allowedAccountIds": '["111111111111"]'}
    standalone = run_program(main, example_catalog, "dev", str(EXAMPLE_CATALOG), config=config)
    injected = run_preview(
        example_catalog,
        "dev",
        str(EXAMPLE_CATALOG),
        stack_config={"aws:region": "eu-west-1", "aws:allowedAccountIds": ["111111111111"]},
    )
    assert standalone.to_json() == injected.to_json()


def test_program_reports_an_unreadable_catalog(example_catalog, tmp_path):
    from seccat.program import main

    with pytest.raises(ProgramError, match=r"missing\.yaml:1:1: error: cannot read the catalog: "):
        run_program(main, example_catalog, "dev", str(tmp_path / "missing.yaml"))


def test_large_previews_report_progress_on_stderr(tmp_path, capsys):
    import sys as _sys

    from seccat.catalog.loader import load_catalog
    from seccat.engine.preview import run_preview

    _sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from catalog_gen import write

    path = write(150, tmp_path)
    preview = run_preview(load_catalog(path), "dev", path, show_progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == sum(1 for r in preview.resources if r.custom) // 500
    assert lines[0] == "  registered 500 resources..."


def _program_with_a_regional_provider() -> None:
    home = aws.kms.Key("home-key", description="in the environment's region")
    pinned = aws.Provider("pinned", region="ap-southeast-2", allowed_account_ids=["333333333333"])
    away = aws.Provider("away", region="eu-central-1")
    replica = aws.kms.Key("away-key", opts=pulumi.ResourceOptions(provider=away))
    aws.kms.Alias(
        "away-alias",
        name="alias/away",
        target_key_id=replica.key_id,
        opts=pulumi.ResourceOptions(provider=away, depends_on=[home]),
    )
    aws.sns.Topic("pinned-topic", name="pinned", opts=pulumi.ResourceOptions(provider=pinned))


def test_outputs_carry_the_region_and_account_of_the_resources_provider(example_catalog):
    preview = run_program(_program_with_a_regional_provider, example_catalog, "prod", "c.yaml")
    env = example_catalog.environments["prod"].aws
    assert env is not None and env.region != "eu-central-1"
    home, away = preview.named("home-key"), preview.named("away-key")
    assert home.provider is not None and away.provider is not None
    assert (home.provider.urn, home.provider.region, home.provider.account) == (
        None,
        env.region,
        env.account_id,
    )
    assert away.provider.urn == preview.named("away").urn
    assert (away.provider.region, away.provider.account) == ("eu-central-1", env.account_id)
    # The alias targets the key id the replica key got in *its* region.
    alias = preview.named("away-alias")
    _, state = outputs_for("aws:kms/key:Key", "away-key", {}, env.account_id, "eu-central-1")
    _, home_state = outputs_for("aws:kms/key:Key", "away-key", {}, env.account_id, env.region)
    assert alias.inputs["targetKeyId"] == state["keyId"] != home_state["keyId"]
    assert alias.provider == away.provider
    pinned = preview.named("pinned-topic").provider
    assert pinned is not None
    assert (pinned.region, pinned.account) == ("ap-southeast-2", "333333333333")
    shown = preview.to_json()["resources"]
    by_name = {r["name"]: r for r in shown}
    assert by_name["away-key"]["provider"] == {
        "package": "aws",
        "urn": preview.named("away").urn,
        "region": "eu-central-1",
        "account": env.account_id,
    }
    assert by_name["away"]["provider"] is None  # a provider has none of its own


def test_dependencies_record_outputs_used_and_depends_on(example_catalog):
    preview = run_program(_program_with_a_regional_provider, example_catalog, "prod", "c.yaml")
    alias = preview.named("away-alias")
    assert alias.dependencies == tuple(
        sorted({preview.named("away-key").urn, preview.named("home-key").urn})
    )
    assert preview.named("home-key").dependencies == ()


def test_replica_key_arns_name_the_replica_region(example_preview):
    preview = example_preview("prod")
    replicated = [
        r for r in preview.of_type("aws:secretsmanager/secret:Secret") if r.inputs.get("replicas")
    ]
    assert replicated
    for secret in replicated:
        for replica in secret.inputs["replicas"]:
            region = replica["region"]
            assert replica["kmsKeyId"].startswith(f"arn:aws:kms:{region}:"), replica
            key = next(
                k
                for k in preview.of_type("aws:kms/key:Key")
                if k.provider is not None and k.provider.region == region
            )
            assert secret.urn != key.urn and key.urn in secret.dependencies
