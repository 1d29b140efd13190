# ruff: noqa: E501 - one catalog entry per line keeps the expected columns readable
"""Per-environment identity: every way issue 8 found to reach another environment's role is
refused by `seccat validate` with its exact located diagnostic, and each declaration
(trusted_accounts, shares_identities_with, repository_wildcards, without_source_keys) opens
exactly what it says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog

DEV, STAGING, PROD = "111111111111", "333333333333", "222222222222"
GH = "token.actions.githubusercontent.com"
ENVS = f"""\
  dev: {{aws: {{account_id: "{DEV}", region: eu-west-1}}}}
  staging: {{aws: {{account_id: "{STAGING}", region: eu-west-1}}}}
  prod: {{aws: {{account_id: "{PROD}", region: eu-west-1}}, protect: true}}
"""
TAIL = """\
secrets:
  data/s: {owner: data, type: generic, store: vault-kv, classification: internal, rotation: {every: 30d, by: owner}, consumers: [{service: app, access: read}]}
"""


def provider(account: str, host: str = GH) -> str:
    return f"arn:aws:iam::{account}:oidc-provider/{host}"


def role(account: str, name: str = "runner") -> str:
    return f"arn:aws:iam::{account}:role/{name}"


@dataclass
class Case:
    text: str

    def at(self, marker: str, nth: int = 1) -> tuple[int, int]:
        """Line and column of the ``nth`` occurrence of ``marker``."""
        offset = -1
        for _ in range(nth):
            offset = self.text.index(marker, offset + 1)
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def line(self, marker: str, nth: int = 1) -> int:
        return self.at(marker, nth)[0]

    def problems(self) -> list[tuple[int, int, str, str]]:
        _, diagnostics = parse_catalog(self.text)
        return [(d.line, d.column, d.code, d.message) for d in diagnostics]


def catalog(services: str, envs: str = ENVS) -> Case:
    text = (
        "version: 1\nteams:\n  data: {contact: data@example.com}\nenvironments:\n"
        f"{envs}services:\n{services}{TAIL}"
    )
    return Case(text)


ACCOUNTS = {"dev": DEV, "staging": STAGING, "prod": PROD}


def per_env(trusts: dict[str, str]) -> str:
    """Service 'app' with one aws.trust per environment (flow YAML, one line each); an
    environment not given trusts its own account's runner role."""
    lines = ["  app:\n    team: data\n    environments:\n"]
    for env, account in ACCOUNTS.items():
        trust = trusts.get(env, f'{{role_arn: "{role(account)}"}}')
        lines.append(f"      {env}: {{aws: {{trust: {trust}}}}}\n")
    return "".join(lines)


def trust_line(case: Case, env: str) -> int:
    return case.line(f"      {env}: {{aws")


OWN = per_env(
    {
        "dev": f'{{role_arn: "{role(DEV)}"}}',
        "staging": f'{{role_arn: "{role(STAGING)}"}}',
        "prod": f'{{role_arn: "{role(PROD)}"}}',
    }
)


def test_own_accounts_per_environment_are_valid() -> None:
    assert catalog(OWN).problems() == []


SHARED_MESSAGE = (
    "give each environment its own (services.app.environments.<env>), or declare the sharing "
    "in environments.<env>.shares_identities_with"
)


def test_dev_and_staging_trusting_a_prod_account_role() -> None:
    """The shipped catalog's old reporting-api: one shared trust on the prod runner role."""
    c = catalog(f'  app: {{team: data, aws: {{trust: {{role_arn: "{role(PROD)}"}}}}}}\n')
    line, column = c.at('"arn:')
    assert c.problems() == [
        (
            line,
            column,
            "TRUST",
            f"role {role(PROD)} is in account {PROD}, not dev's account {DEV} or staging's "
            f"account {STAGING}: a principal of another account may become an environment's "
            "role only if environments.dev.aws.trusted_accounts and "
            f"environments.staging.aws.trusted_accounts list {PROD}",
        ),
        (
            line,
            column,
            "IDENTITY",
            f"role {role(PROD)} reaches dev, prod and staging here: one principal must not "
            f"reach two environments; {SHARED_MESSAGE}",
        ),
    ]


def test_dev_oidc_trusting_the_prod_accounts_provider() -> None:
    c = catalog(
        per_env(
            {
                "dev": f'{{oidc: {{provider_arn: "{provider(PROD)}", subjects: ["repo:example/etl:environment:dev"]}}}}',
                "prod": f'{{oidc: {{provider_arn: "{provider(PROD)}", subjects: ["repo:example/etl:environment:prod"]}}}}',
            }
        )
    )
    assert c.problems() == [
        (
            *c.at('"arn:aws:iam::222222222222:oidc'),
            "TRUST",
            f"OIDC provider {provider(PROD)} is in account {PROD}, not dev's account {DEV}: a "
            "principal of another account may become an environment's role only if "
            f"environments.dev.aws.trusted_accounts lists {PROD}",
        )
    ]


def test_one_main_branch_subject_assuming_dev_staging_and_prod() -> None:
    """Each environment on its own account's provider, all three on the same branch subject:
    one GitHub token (its issuer is GitHub, not the provider ARN) becomes all three roles."""
    trusts = {
        env: f'{{oidc: {{provider_arn: "{provider(account)}", subjects: ["repo:example/etl:ref:refs/heads/main"]}}}}'
        for env, account in (("dev", DEV), ("staging", STAGING), ("prod", PROD))
    }
    c = catalog(per_env(trusts))
    subject = "'repo:example/etl:ref:refs/heads/main'"
    where = "services.app.environments.{}.aws.trust.oidc.subjects[0], line {}"
    lines = {env: trust_line(c, env) for env in ("dev", "staging", "prod")}

    def others(*envs: str) -> str:
        return " and ".join(f"{e} ({where.format(e, lines[e])})" for e in envs)

    expected = [
        (
            lines[env],
            c.at('"repo:', n)[1],
            "IDENTITY",
            f"OIDC subject {subject} of {GH} reaches {env} here and also {others(*rest)}: one "
            f"principal must not reach two environments; {SHARED_MESSAGE}",
        )
        for n, (env, rest) in enumerate(
            (
                ("dev", ("prod", "staging")),
                ("staging", ("dev", "prod")),
                ("prod", ("dev", "staging")),
            ),
            start=1,
        )
    ]
    assert c.problems() == expected


def test_a_branch_pattern_overlapping_another_environments_subject_names_a_token() -> None:
    c = catalog(
        per_env(
            {
                "dev": f'{{oidc: {{provider_arn: "{provider(DEV)}", subjects: ["repo:example/etl:*"]}}}}',
                "prod": f'{{oidc: {{provider_arn: "{provider(PROD)}", subjects: ["repo:example/etl:environment:prod"]}}}}',
            }
        )
    )
    dev, prod = trust_line(c, "dev"), trust_line(c, "prod")
    tail = f"one principal must not reach two environments; {SHARED_MESSAGE}"
    assert c.problems() == [
        (
            *c.at('"repo:example/etl:*"'),
            "IDENTITY",
            f"OIDC subject 'repo:example/etl:*' of {GH} reaches dev here and also prod "
            f"(services.app.environments.prod.aws.trust.oidc.subjects[0], line {prod}, whose "
            "'repo:example/etl:environment:prod' overlaps this subject: both match "
            f"'repo:example/etl:environment:prod'): {tail}",
        ),
        (
            *c.at('"repo:example/etl:environment:prod"'),
            "IDENTITY",
            f"OIDC subject 'repo:example/etl:environment:prod' of {GH} reaches prod here and "
            f"also dev (services.app.environments.dev.aws.trust.oidc.subjects[0], line {dev}, "
            "whose 'repo:example/etl:*' overlaps this subject: both match "
            f"'repo:example/etl:environment:prod'): {tail}",
        ),
    ]


@pytest.mark.parametrize(
    ("account", "why"),
    [(DEV, "a dev-account role"), ("999999999999", "a foreign account's role")],
)
def test_a_prod_consumer_trusting_another_accounts_role(account: str, why: str) -> None:
    c = catalog(
        per_env(
            {
                "dev": f'{{role_arn: "{role(DEV)}"}}',
                "staging": f'{{role_arn: "{role(STAGING)}"}}',
                "prod": f'{{role_arn: "{role(account, "prod-runner")}"}}',
            }
        )
    )
    assert c.problems() == [
        (
            *c.at('"arn:aws:iam::' + account + ":role/prod-runner"),
            "TRUST",
            f"role {role(account, 'prod-runner')} is in account {account}, not prod's account "
            f"{PROD}: a principal of another account may become an environment's role only if "
            f"environments.prod.aws.trusted_accounts lists {account}",
        )
    ], why


def test_trusted_accounts_opens_exactly_the_listed_account() -> None:
    envs = ENVS.replace(
        f'  prod: {{aws: {{account_id: "{PROD}", region: eu-west-1}}',
        f'  prod: {{aws: {{account_id: "{PROD}", region: eu-west-1, trusted_accounts: ["444444444444"]}}',
    )
    ok = OWN.replace(role(PROD), role("444444444444"))
    assert catalog(ok, envs).problems() == []
    other = OWN.replace(role(PROD), role("555555555555"))
    assert [p[2] for p in catalog(other, envs).problems()] == ["TRUST"]
    # trusting an account for prod opens nothing for dev
    dev = OWN.replace(role(DEV), role("444444444444"))
    assert [p[2] for p in catalog(dev, envs).problems()] == ["TRUST"]


def test_shares_identities_with_opens_one_pair_either_side() -> None:
    shared = f'  app: {{team: data, aws: {{trust: {{role_arn: "{role(PROD)}"}}}}}}\n'
    envs = ENVS.replace(
        f'"{DEV}", region: eu-west-1}}',
        f'"{DEV}", region: eu-west-1, trusted_accounts: ["{PROD}"]}}',
    ).replace(
        f'"{STAGING}", region: eu-west-1}}',
        f'"{STAGING}", region: eu-west-1, trusted_accounts: ["{PROD}"]}}',
    )
    c = catalog(shared, envs)
    assert [p[2] for p in c.problems()] == ["IDENTITY"]
    # dev and staging share with prod (declared on prod's side), but not with each other
    one_side = envs.replace(
        "protect: true}", "protect: true, shares_identities_with: [dev, staging]}"
    )
    c = catalog(shared, one_side)
    assert c.problems() == [
        (
            *c.at('"arn:'),
            "IDENTITY",
            f"role {role(PROD)} reaches dev and staging here: one principal must not reach two "
            f"environments; {SHARED_MESSAGE}",
        )
    ]
    both = one_side.replace(
        f'"{DEV}", region: eu-west-1, trusted_accounts: ["{PROD}"]}}',
        f'"{DEV}", region: eu-west-1, trusted_accounts: ["{PROD}"]}}, shares_identities_with: [staging]',
    )
    assert catalog(shared, both).problems() == []


def test_only_wildcard_subject_is_a_located_validate_error() -> None:
    """Before: validate passed and preview/check died of UnsafeName. Now validate refuses."""
    c = catalog(
        per_env({"dev": f'{{oidc: {{provider_arn: "{provider(DEV)}", subjects: ["*?*"]}}}}'})
    )
    assert c.problems() == [
        (
            *c.at('"*?*"'),
            "OIDC",
            "'*?*' is nothing but wildcards: every token the provider issues would match it; "
            "name the workload it stands for",
        )
    ]


GITHUB_SHAPE = "repo:<owner>/<repository>:<context>"


@pytest.mark.parametrize(
    ("subject", "declared", "message"),
    [
        (
            "repo:*",
            False,
            "'repo:*' puts a wildcard in the owner part or names no repository: any repository "
            f"of any GitHub account could assume this role; write {GITHUB_SHAPE} with the owner exact",
        ),
        (
            "repo:exa*/etl:environment:dev",
            True,  # the declaration never opens the owner
            "'repo:exa*/etl:environment:dev' puts a wildcard in the owner part or names no "
            "repository: any repository of any GitHub account could assume this role; write "
            f"{GITHUB_SHAPE} with the owner exact",
        ),
        (
            "repo:example/*:environment:dev",
            False,
            "'repo:example/*:environment:dev' has a wildcard in the repository part ('*'): "
            "every matching repository of example could assume this role; write the "
            "repository exactly or declare repository_wildcards: true on the trust",
        ),
        (
            "repo:example/etl",
            False,
            "'repo:example/etl' names no context after the repository: add "
            ":environment:<name>, :ref:refs/heads/<branch>, :ref:refs/tags/<tag> or "
            ":pull_request, so one workflow cannot assume every environment's role",
        ),
        (
            "repository_owner:example",
            False,
            f"'repository_owner:example' is not a GitHub Actions subject: write {GITHUB_SHAPE} "
            "(seccat does not accept customised subject claims; "
            "https://docs.github.com/en/actions/reference/security/oidc)",
        ),
    ],
)
def test_github_subject_scope(subject: str, declared: bool, message: str) -> None:
    flag = ", repository_wildcards: true" if declared else ""
    c = catalog(
        per_env(
            {"dev": f'{{oidc: {{provider_arn: "{provider(DEV)}", subjects: ["{subject}"]{flag}}}}}'}
        )
    )
    assert c.problems() == [(*c.at(f'"{subject}"'), "OIDC", message)]


def test_declared_repository_wildcard_is_accepted() -> None:
    c = catalog(
        per_env(
            {
                "dev": f'{{oidc: {{provider_arn: "{provider(DEV)}", subjects: ["repo:example/etl-*:environment:dev"], repository_wildcards: true}}}}'
            }
        )
    )
    assert c.problems() == []


@pytest.mark.parametrize(
    "subject", ["repo:example/etl:pull_request", "repo:example/etl:*", "repo:example/etl:pull_*"]
)
def test_pull_request_subjects_are_refused_in_protected_environments(subject: str) -> None:
    trust = f'{{oidc: {{provider_arn: "{provider(PROD)}", subjects: ["{subject}"]}}}}'
    c = catalog(per_env({"prod": trust}))
    assert c.problems() == [
        (
            *c.at(f'"{subject}"'),
            "OIDC",
            f"'{subject}' matches pull-request tokens, which any branch pushed for review "
            "obtains; prod is protected, so its role trusts environment or branch subjects only",
        )
    ]
    dev = catalog(per_env({"dev": trust.replace(PROD, DEV)}))
    assert dev.problems() == []  # dev is not protected


@pytest.mark.parametrize(
    ("host", "subject", "message"),
    [
        (
            "gitlab.com",
            "project_path:*/app:ref_type:branch:ref:main",
            "'project_path:*/app:ref_type:branch:ref:main' puts a wildcard in the group or "
            "names no group: projects of any group could assume this role; write "
            "project_path:<group>/<project>:ref_type:<branch|tag>:ref:<name> with the group path exact",
        ),
        (
            "gitlab.com",
            "project_path:acme/platform/*:ref_type:branch:ref:main",
            "'project_path:acme/platform/*:ref_type:branch:ref:main' has a wildcard in the "
            "project part ('*'): every matching project of acme/platform (and of its "
            "subgroups) could assume this role; write the project exactly or declare "
            "repository_wildcards: true on the trust",
        ),
        (
            "app.terraform.io",
            "organization:acme:project:core:workspace:*:run_phase:apply",
            "'organization:acme:project:core:workspace:*:run_phase:apply' has a wildcard in the "
            "project or workspace ('*'): every matching workspace of acme could assume this "
            "role; write them exactly or declare repository_wildcards: true on the trust",
        ),
        (
            "app.terraform.io",
            "organization:*:project:core:workspace:w:run_phase:apply",
            "'organization:*:project:core:workspace:w:run_phase:apply' puts a wildcard in the "
            "organization: workspaces of any organization could assume this role; write the "
            "organization exactly",
        ),
        (
            "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789",
            "system:serviceaccount:data:*",
            "'system:serviceaccount:data:*' has a wildcard: an EKS trust names one namespace "
            "and one service account (repository_wildcards does not apply)",
        ),
        (
            "idp.example.com",
            "team-*",
            "'team-*' has a wildcard, and seccat does not know this provider's subject format "
            "to tell what it opens: write the subject exactly or declare "
            "repository_wildcards: true on the trust",
        ),
    ],
)
def test_other_providers_subject_scope(host: str, subject: str, message: str) -> None:
    c = catalog(
        per_env(
            {"dev": f'{{oidc: {{provider_arn: "{provider(DEV, host)}", subjects: ["{subject}"]}}}}'}
        )
    )
    assert c.problems() == [(*c.at(f'"{subject}"'), "OIDC", message)]


def test_exact_subjects_of_other_providers_are_accepted() -> None:
    subjects = {
        "gitlab.com": "project_path:acme/platform/app:ref_type:branch:ref:main",
        "app.terraform.io": "organization:acme:project:core:workspace:net-dev:run_phase:apply",
        "oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789": "system:serviceaccount:data:app",
    }
    for host, subject in subjects.items():
        trust = f'{{oidc: {{provider_arn: "{provider(DEV, host)}", subjects: ["{subject}"]}}}}'
        assert catalog(per_env({"dev": trust})).problems() == [], host


def test_a_service_principal_outside_the_cited_table() -> None:
    c = catalog("  app: {team: data, aws: {trust: {service: ec2.amazonaws.com}}}\n")
    assert c.problems() == [
        (
            *c.at("ec2.amazonaws.com"),
            "TRUST",
            "service principal ec2.amazonaws.com is not one seccat knows the confused-deputy "
            "keys of (ecs-tasks.amazonaws.com, lambda.amazonaws.com, scheduler.amazonaws.com, "
            "states.amazonaws.com): without aws:SourceAccount/aws:SourceArn conditions the "
            "service could assume the role for another account's resources; say why that is "
            "acceptable in trust.without_source_keys",
        )
    ]
    declared = catalog(
        "  app: {team: data, aws: {trust: {service: ec2.amazonaws.com, without_source_keys: "
        "Instance profile of the batch hosts}}}\n"
    )
    assert declared.problems() == []


def test_without_source_keys_on_a_listed_principal_is_refused() -> None:
    c = catalog(
        "  app: {team: data, aws: {trust: {service: ecs-tasks.amazonaws.com, without_source_keys: because}}}\n"
    )
    assert c.problems() == [
        (
            *c.at("without_source_keys"),
            "TRUST",
            "ecs-tasks.amazonaws.com is in seccat's list; its trust gets aws:SourceArn and "
            "aws:SourceAccount as the service documents, so there is nothing to declare "
            "(remove without_source_keys)",
        )
    ]


def test_one_account_for_two_environments_shares_every_service_principal() -> None:
    envs = ENVS.replace(f'"{STAGING}"', f'"{DEV}"')
    c = catalog("  app: {team: data, aws: {trust: {service: ecs-tasks.amazonaws.com}}}\n", envs)
    assert c.problems() == [
        (
            *c.at("ecs-tasks.amazonaws.com"),
            "IDENTITY",
            f"service principal ecs-tasks.amazonaws.com in account {DEV} reaches dev and "
            f"staging here: one principal must not reach two environments; {SHARED_MESSAGE}",
        )
    ]
    # distinct accounts: the same principal is a different one in each (aws:SourceAccount)
    assert (
        catalog(
            "  app: {team: data, aws: {trust: {service: ecs-tasks.amazonaws.com}}}\n"
        ).problems()
        == []
    )


def test_a_role_seccat_creates_in_dev_trusted_by_prod() -> None:
    """dev's own role (seccat-dev-app) as prod's trusted principal: dev reaches prod."""
    envs = ENVS.replace(
        f'"{PROD}", region: eu-west-1}}',
        f'"{PROD}", region: eu-west-1, trusted_accounts: ["{DEV}"]}}',
    )
    c = catalog(
        per_env(
            {
                "dev": "{service: ecs-tasks.amazonaws.com}",
                "prod": f'{{role_arn: "{role(DEV, "seccat-dev-app")}"}}',
            }
        ),
        envs,
    )
    dev_line = trust_line(c, "dev")
    assert c.problems() == [
        (
            *c.at("{trust: {service"),
            "IDENTITY",
            f"role {role(DEV, 'seccat-dev-app')} reaches dev here and also prod "
            f"(services.app.environments.prod.aws.trust.role_arn, line {trust_line(c, 'prod')}): "
            f"one principal must not reach two environments; {SHARED_MESSAGE}",
        ),
        (
            *c.at('"arn:aws:iam::111111111111:role/seccat-dev-app"'),
            "IDENTITY",
            f"role {role(DEV, 'seccat-dev-app')} reaches prod here and also dev "
            f"(services.app.environments.dev.aws, line {dev_line}): one principal must not "
            f"reach two environments; {SHARED_MESSAGE}",
        ),
    ]


def test_an_existing_role_in_two_environments_of_one_account_is_reported_once() -> None:
    """The same role in two environments is the name registry's COLLISION (with the same
    shares_identities_with exemption), never a second IDENTITY error for one cause."""
    envs = ENVS.replace(f'"{STAGING}"', f'"{DEV}"')
    c = catalog(
        "  app: {team: data, aws: {role_name: legacy-app, existing: true, reason: Shared fleet}}\n",
        envs,
    )
    found = c.problems()
    assert [code for *_, code, _ in found] == ["COLLISION"]
    assert f"IAM role 'legacy-app' in account {DEV}" in found[0][3]


def test_another_environment_trusting_an_existing_role_is_found() -> None:
    """dev's existing role as prod's trusted principal: whoever holds it reads dev's secrets
    and becomes prod's role."""
    envs = ENVS.replace(
        f'"{PROD}", region: eu-west-1}}',
        f'"{PROD}", region: eu-west-1, trusted_accounts: ["{DEV}"]}}',
    )
    services = (
        "  app:\n    team: data\n    environments:\n"
        "      dev: {aws: {role_name: legacy-app, existing: true, reason: Shared fleet}}\n"
        f'      staging: {{aws: {{trust: {{role_arn: "{role(STAGING)}"}}}}}}\n'
        f'      prod: {{aws: {{trust: {{role_arn: "{role(DEV, "legacy-app")}"}}}}}}\n'
    )
    c = catalog(services, envs)
    assert [(line, code) for line, _, code, _ in c.problems()] == [
        (trust_line(c, "dev"), "IDENTITY"),
        (trust_line(c, "prod"), "IDENTITY"),
    ]


def test_kubernetes_identity_is_per_audience() -> None:
    """Each environment's Vault requires its own audience (vault-<env>), so one service
    account is a different principal in each; one audience for two environments is not."""
    k8s = "  app: {team: data, kubernetes: {namespace: data, service_account: app}}\n"
    assert catalog(k8s).problems() == []
    envs = ENVS.replace(
        "eu-west-1}}\n  staging", "eu-west-1}, vault: {kubernetes_audience: vault}}\n  staging"
    ).replace("eu-west-1}}\n  prod", "eu-west-1}, vault: {kubernetes_audience: vault}}\n  prod")
    c = catalog(k8s, envs)
    assert c.problems() == [
        (
            *c.at("{namespace"),
            "IDENTITY",
            "Kubernetes service account data/app (audience vault) reaches dev and staging "
            f"here: one principal must not reach two environments; {SHARED_MESSAGE}",
        )
    ]


def test_identities_are_checked_only_where_the_service_acts() -> None:
    """A shared prod-account trust on a service consuming in prod only is prod's own."""
    c = catalog(f'  app: {{team: data, aws: {{trust: {{role_arn: "{role(PROD)}"}}}}}}\n')
    text = c.text.replace(
        "consumers: [{service: app, access: read}]",
        "environments: [prod], consumers: [{service: app, access: read}]",
    )
    assert Case(text).problems() == []


def test_the_example_catalog_is_valid() -> None:
    text = (Path(__file__).resolve().parents[2] / "catalog.yaml").read_text()
    assert Case(text).problems() == []
