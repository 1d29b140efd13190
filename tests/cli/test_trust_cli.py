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

    # catalog.yaml has no waiver of its own (its owner-rotated secrets are watched)
    assert "waivers:" not in text
    waived = (
        text + "\nwaivers:\n"
        "  - rule: SECCAT-IAM-007\n"
        "    target: billing-worker\n"
        "    reason: EC2 sets no source keys on instance-profile role assumption\n"
        '    expires: "2027-06-30"\n'
        "    approved_by: security@example.com\n"
    )
    catalog.write_text(waived, encoding="utf-8")
    result = run("check", "--stack", "prod", "--catalog", str(catalog))
    assert result.returncode == 0, result.stdout
    assert "0 mandatory, 0 advisory, 1 waived" in result.stdout


DEV, STAGING, PROD = "111111111111", "333333333333", "222222222222"
ENVS = ("dev", "staging", "prod")
GITHUB = "token.actions.githubusercontent.com"
RUNNER = "arn:aws:iam::{}:role/reporting-runner"
PROVIDER = "arn:aws:iam::{}:oidc-provider/" + GITHUB
SUBJECT = "services.etl-runner.environments.{}.aws.trust.oidc.subjects[0]"
ROLE = "services.reporting-api.environments.{}.aws.trust.role_arn"
SPLIT = (
    "one principal must not reach two environments; give each environment its own "
    "(services.{}.environments.<env>), or declare the sharing in "
    "environments.<env>.shares_identities_with"
)
PER_ENV_RUNNERS = "".join(
    f'      {env}: {{aws: {{trust: {{role_arn: "{RUNNER.format(account)}"}}}}}}\n'
    for env, account in (("dev", DEV), ("staging", STAGING), ("prod", PROD))
)


def nth(text: str, marker: str, n: int) -> tuple[int, int]:
    offset = -1
    for _ in range(n):
        offset = text.index(marker, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def foreign(what: str, account: str, *envs: tuple[str, str]) -> str:
    owners = " or ".join(f"{env}'s account {own}" for env, own in envs)
    lists = " and ".join(f"environments.{env}.aws.trusted_accounts" for env, _ in envs)
    verb = "lists" if len(envs) == 1 else "list"
    return (
        f"{what} is in account {account}, not {owners}: a principal of another account may "
        f"become an environment's role only if {lists} {verb} {account} (TRUST)"
    )


def main_subject(env: str, lines: dict[str, int], others: tuple[str, ...]) -> str:
    also = " and ".join(f"{o} ({SUBJECT.format(o)}, line {lines[o]})" for o in others)
    return (
        f"OIDC subject 'repo:example/etl:ref:refs/heads/main' of {GITHUB} reaches {env} here "
        f"and also {also}: {SPLIT.format('etl-runner')} (IDENTITY)"
    )


def wide_subject(env: str, line: int) -> str:
    subject = f"repo:example/etl:environment:{env}"
    return (
        f"OIDC subject '{subject}' of {GITHUB} reaches {env} here and also prod "
        f"({SUBJECT.format('prod')}, line {line}, whose 'repo:*' overlaps this subject: both "
        f"match '{subject}'): {SPLIT.format('etl-runner')} (IDENTITY)"
    )


def why_cases() -> dict[str, tuple[str, list[tuple[str, int, str, str]]]]:
    """Issue 8's identity findings applied to the shipped catalog: name -> (catalog text,
    [(marker, nth occurrence, path, message)] in the order validate prints them)."""
    ex = EXAMPLE
    cases: dict[str, tuple[str, list[tuple[str, int, str, str]]]] = {}

    # the shipped catalog before issue 8: dev and staging trusted prod's runner role
    shared = ex.replace(
        "    environments:\n" + PER_ENV_RUNNERS,
        f'    aws: {{trust: {{role_arn: "{RUNNER.format(PROD)}"}}}}\n',
    )
    at = "services.reporting-api.aws.trust.role_arn"
    cases["dev and staging trust a prod-account role"] = (
        shared,
        [
            (
                '"' + RUNNER.format(PROD),
                1,
                at,
                foreign(f"role {RUNNER.format(PROD)}", PROD, ("dev", DEV), ("staging", STAGING)),
            ),
            (
                '"' + RUNNER.format(PROD),
                1,
                at,
                f"role {RUNNER.format(PROD)} reaches dev, prod and staging here: "
                f"{SPLIT.format('reporting-api')} (IDENTITY)",
            ),
        ],
    )

    dev_provider = ex.replace(PROVIDER.format(DEV), PROVIDER.format(PROD))
    cases["dev etl-runner trusts the prod account's OIDC provider"] = (
        dev_provider,
        [
            (
                PROVIDER.format(PROD),
                1,
                "services.etl-runner.environments.dev.aws.trust.oidc.provider_arn",
                foreign(f"OIDC provider {PROVIDER.format(PROD)}", PROD, ("dev", DEV)),
            )
        ],
    )

    main = ex
    for env in ENVS:
        main = main.replace(
            f"repo:example/etl:environment:{env}", "repo:example/etl:ref:refs/heads/main"
        )
    lines = {env: nth(main, '"repo:', n)[0] for n, env in enumerate(ENVS, start=1)}
    cases["one main-branch subject assumes dev, staging and prod"] = (
        main,
        [
            ('"repo:', 1, SUBJECT.format("dev"), main_subject("dev", lines, ("prod", "staging"))),
            (
                '"repo:',
                2,
                SUBJECT.format("staging"),
                main_subject("staging", lines, ("dev", "prod")),
            ),
            ('"repo:', 3, SUBJECT.format("prod"), main_subject("prod", lines, ("dev", "staging"))),
        ],
    )

    dev_role = ex.replace(
        f'prod: {{aws: {{trust: {{role_arn: "{RUNNER.format(PROD)}"',
        f'prod: {{aws: {{trust: {{role_arn: "{RUNNER.format(DEV)}"',
    )
    dev_line, prod_line = (nth(dev_role, '"' + RUNNER.format(DEV), n)[0] for n in (1, 2))

    def reaches(env: str, other: str, line: int) -> str:
        return (
            f"role {RUNNER.format(DEV)} reaches {env} here and also {other} "
            f"({ROLE.format(other)}, line {line}): {SPLIT.format('reporting-api')} (IDENTITY)"
        )

    cases["a prod consumer trusts a dev-account role"] = (
        dev_role,
        [
            ('"' + RUNNER.format(DEV), 1, ROLE.format("dev"), reaches("dev", "prod", prod_line)),
            (
                '"' + RUNNER.format(DEV),
                2,
                ROLE.format("prod"),
                foreign(f"role {RUNNER.format(DEV)}", DEV, ("prod", PROD)),
            ),
            ('"' + RUNNER.format(DEV), 2, ROLE.format("prod"), reaches("prod", "dev", dev_line)),
        ],
    )

    alien = "999999999999"
    foreign_role = ex.replace(
        f'prod: {{aws: {{trust: {{role_arn: "{RUNNER.format(PROD)}"',
        f'prod: {{aws: {{trust: {{role_arn: "{RUNNER.format(alien)}"',
    )
    cases["a prod consumer trusts a foreign account's role"] = (
        foreign_role,
        [
            (
                '"' + RUNNER.format(alien),
                1,
                ROLE.format("prod"),
                foreign(f"role {RUNNER.format(alien)}", alien, ("prod", PROD)),
            )
        ],
    )

    open_subject = ex.replace('"repo:example/etl:environment:prod"', '"repo:*"')
    dev_line, staging_line, prod_line = (nth(open_subject, '"repo:', n)[0] for n in (1, 2, 3))
    cases["repo:* lets any GitHub workflow become the prod role"] = (
        open_subject,
        [
            ('"repo:', 1, SUBJECT.format("dev"), wide_subject("dev", prod_line)),
            ('"repo:', 2, SUBJECT.format("staging"), wide_subject("staging", prod_line)),
            (
                '"repo:*"',
                1,
                SUBJECT.format("prod"),
                "'repo:*' puts a wildcard in the owner part or names no repository: any "
                "repository of any GitHub account could assume this role; write "
                "repo:<owner>/<repository>:<context> with the owner exact (OIDC)",
            ),
            (
                '"repo:*"',
                1,
                SUBJECT.format("prod"),
                f"OIDC subject 'repo:*' of {GITHUB} reaches prod here and also dev "
                f"({SUBJECT.format('dev')}, line {dev_line}, whose "
                "'repo:example/etl:environment:dev' overlaps this subject: both match "
                "'repo:example/etl:environment:dev') and staging "
                f"({SUBJECT.format('staging')}, line {staging_line}, whose "
                "'repo:example/etl:environment:staging' overlaps this subject: both match "
                f"'repo:example/etl:environment:staging'): {SPLIT.format('etl-runner')} "
                "(IDENTITY)",
            ),
        ],
    )

    bare = ex.replace("service: lambda.amazonaws.com", "service: ec2.amazonaws.com")
    cases["a service principal with no confused-deputy keys"] = (
        bare,
        [
            (
                "ec2.amazonaws.com",
                1,
                "services.billing-worker.aws.trust.service",
                "service principal ec2.amazonaws.com is not one seccat knows the "
                "confused-deputy keys of (ecs-tasks.amazonaws.com, lambda.amazonaws.com, "
                "scheduler.amazonaws.com, states.amazonaws.com): without "
                "aws:SourceAccount/aws:SourceArn conditions the service could assume the role "
                "for another account's resources; say why that is acceptable in "
                "trust.without_source_keys (TRUST)",
            )
        ],
    )
    for name, (text, _) in cases.items():
        assert text != ex, name  # every replacement found its target
    return cases


WHY = why_cases()


@pytest.mark.parametrize("case", sorted(WHY))
@pytest.mark.parametrize("command", ["validate", "check"])
def test_issue_8_identity_findings_are_located_errors(
    tmp_path: Path, case: str, command: str
) -> None:
    """Each way issue 8 found to reach another environment's role (all of which passed
    `validate` and `check` before) is refused by both, exit 1, with exactly these errors."""
    text, expected = WHY[case]
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(text, encoding="utf-8")
    lines = []
    for marker, n, path, message in expected:
        line, column = nth(text, marker, n)
        lines.append(f"{catalog}:{line}:{column}: error: {path}: {message}")
    if command == "validate":
        result = run("validate", str(catalog))
    else:
        result = run("check", "--stack", "prod", "--catalog", str(catalog))
        count = f"{len(lines)} error{'s' if len(lines) > 1 else ''}"
        lines.append(
            f"seccat check FAILED: stack prod, pack baseline: the catalog is invalid ({count}); "
            "no rule ran"
        )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == lines
