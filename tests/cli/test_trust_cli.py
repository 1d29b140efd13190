"""Trust problems as a user meets them on the command line: a located error and exit 1
from every command, never a traceback; and the declared-principal path through `check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_preview_cli import ROOT, run

EXAMPLE = (ROOT / "catalog.yaml").read_text(encoding="utf-8")
DEV_SUBJECT = '"repo:example/etl:environment:dev"'


def located(text: str, marker: str) -> tuple[int, int]:
    offset = text.index(marker)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("preview", "--stack", "dev"),
        ("render", "--stack", "dev", "--out", "{tmp}/rendered"),
        ("check", "--stack", "dev"),
    ],
)
def test_only_wildcard_subject_is_located_by_every_command(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """Before: validate passed it and preview/render/check died of UnsafeName."""
    text = EXAMPLE.replace(DEV_SUBJECT, '"*"')
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    line, column = located(text, '"*"')
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    if command[0] == "validate":
        args.append(str(catalog))
    else:
        args += ["--catalog", str(catalog)]
    result = run(*args)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    where = "services.etl-runner.environments.dev.aws.trust.oidc.subjects[0]"
    expected = (
        f"{catalog}:{line}:{column}: error: {where}: '*' is nothing but wildcards: every token "
        "the provider issues would match it; name the workload it stands for (OIDC)"
    )
    assert expected in (result.stdout + result.stderr).splitlines()
    assert not (tmp_path / "rendered").exists()


def test_a_declared_principal_passes_validate_and_check_needs_its_waiver(tmp_path: Path) -> None:
    """without_source_keys lets validate accept ec2.amazonaws.com; SECCAT-IAM-007 still
    reports the deployed trust at the service's line until an expiring waiver covers it."""
    text = EXAMPLE.replace(
        "aws: {trust: {service: lambda.amazonaws.com}}",
        "aws: {trust: {service: ec2.amazonaws.com, without_source_keys: "
        "Instance profile of the billing hosts}}",
    )
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    assert run("validate", str(catalog)).returncode == 0

    result = run("check", "--stack", "prod", "--catalog", str(catalog))
    assert result.returncode == 1, result.stderr
    line, column = located(text, "billing-worker:")
    assert (
        f"{catalog}:{line}:{column}: error: SECCAT-IAM-007 high: assumeRolePolicy statement "
        "'AssumedByAwsService': trusts ec2.amazonaws.com with no aws:SourceAccount/"
        "aws:SourceArn condition (confused deputy), and seccat knows no documentation saying "
        "the service sets none [aws:iam/role:Role prod/billing-worker/role]"
    ) in result.stdout.splitlines()

    waived = text.replace(
        "waivers:\n",
        "waivers:\n"
        "  - rule: SECCAT-IAM-007\n"
        "    target: billing-worker\n"
        "    reason: EC2 sets no source keys on instance-profile role assumption\n"
        '    expires: "2027-06-30"\n'
        "    approved_by: security@example.com\n",
    )
    catalog.write_text(waived, encoding="utf-8")
    result = run("check", "--stack", "prod", "--catalog", str(catalog))
    assert result.returncode == 0, result.stdout
    assert "0 mandatory, 0 advisory, 3 waived" in result.stdout
