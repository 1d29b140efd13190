"""How wide an OIDC subject may be, per identity provider.

A trust on an OIDC provider lets every token of that issuer whose ``sub`` matches one of the
catalog's subjects (IAM ``StringLike``) assume the role. What a wildcard opens depends on
the issuer's subject format, so each well-known provider has its own rule, taken from its
documentation; the owner of the workload (GitHub owner, GitLab group, Terraform Cloud
organisation, Kubernetes namespace) is always exact, the repository (project, workspace)
may only be a pattern where the catalog declares ``repository_wildcards: true``, and a
provider seccat does not know gets no wildcard at all without that declaration.

Each function returns the problems of one subject as sentences; identity_checks locates them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from seccat.catalog.iam_globs import has_wildcard, intersects, only_wildcards

DECLARE = "declare repository_wildcards: true on the trust"


@dataclass(frozen=True)
class Provider:
    name: str
    #: Where the provider documents its subject claim.
    docs: str
    #: The shape of a subject, for messages.
    shape: str
    check: Callable[[str, bool], list[str]]


def _github(subject: str, declared: bool) -> list[str]:
    shape = GITHUB.shape
    if not subject.startswith("repo:"):
        return [
            f"'{subject}' is not a GitHub Actions subject: write {shape} (seccat does not "
            f"accept customised subject claims; {GITHUB.docs})"
        ]
    scope, colon, context = subject[len("repo:") :].partition(":")
    owner, slash, repository = scope.partition("/")
    problems = []
    if has_wildcard(owner) or not slash:
        problems.append(
            f"'{subject}' puts a wildcard in the owner part or names no repository: any "
            f"repository of any GitHub account could assume this role; write {shape} with "
            "the owner exact"
        )
        return problems
    if not repository:
        problems.append(f"'{subject}' names no repository after '{owner}/'; write {shape}")
    elif has_wildcard(repository) and not declared:
        problems.append(
            f"'{subject}' has a wildcard in the repository part ('{repository}'): every "
            f"matching repository of {owner} could assume this role; write the repository "
            f"exactly or {DECLARE}"
        )
    if not colon or not context:
        problems.append(
            f"'{subject}' names no context after the repository: add :environment:<name>, "
            ":ref:refs/heads/<branch>, :ref:refs/tags/<tag> or :pull_request, so one "
            "workflow cannot assume every environment's role"
        )
    return problems


def github_pull_request(subject: str) -> bool:
    """Whether a GitHub subject can match a pull request's token (``...:pull_request``),
    which any contributor's branch can obtain."""
    _, _, rest = subject.partition(":")
    _, _, context = rest.partition(":")
    return intersects(context, "pull_request")


def _gitlab(subject: str, declared: bool) -> list[str]:
    shape = GITLAB.shape
    if not subject.startswith("project_path:"):
        return [f"'{subject}' is not a GitLab subject: write {shape} ({GITLAB.docs})"]
    scope, colon, context = subject[len("project_path:") :].partition(":")
    group, slash, project = scope.rpartition("/")
    if not slash or not group or has_wildcard(group):
        return [
            f"'{subject}' puts a wildcard in the group or names no group: projects of any "
            f"group could assume this role; write {shape} with the group path exact"
        ]
    problems = []
    if not project:
        problems.append(f"'{subject}' names no project after '{group}/'; write {shape}")
    elif has_wildcard(project) and not declared:
        problems.append(
            f"'{subject}' has a wildcard in the project part ('{project}'): every matching "
            f"project of {group} (and of its subgroups) could assume this role; write the "
            f"project exactly or {DECLARE}"
        )
    if not colon or not context:
        problems.append(
            f"'{subject}' names no ref after the project: add :ref_type:<branch|tag>:ref:<name>"
        )
    return problems


_TFC_FIELDS = ("organization", "project", "workspace", "run_phase")


def _terraform(subject: str, declared: bool) -> list[str]:
    shape = TERRAFORM.shape
    parts = subject.split(":")
    if len(parts) != 8 or tuple(parts[0::2]) != _TFC_FIELDS:
        return [f"'{subject}' is not a Terraform Cloud subject: write {shape} ({TERRAFORM.docs})"]
    organization, project, workspace = parts[1], parts[3], parts[5]
    if not organization or has_wildcard(organization):
        return [
            f"'{subject}' puts a wildcard in the organization: workspaces of any organization "
            "could assume this role; write the organization exactly"
        ]
    wild = [f"'{p}'" for p in (project, workspace) if has_wildcard(p)]
    if wild and not declared:
        return [
            f"'{subject}' has a wildcard in the project or workspace ({', '.join(wild)}): every "
            f"matching workspace of {organization} could assume this role; write them exactly "
            f"or {DECLARE}"
        ]
    return []


def _eks(subject: str, declared: bool) -> list[str]:
    shape = EKS.shape
    parts = subject.split(":")
    if len(parts) != 4 or parts[:2] != ["system", "serviceaccount"] or not all(parts[2:]):
        return [f"'{subject}' is not an EKS service-account subject: write {shape} ({EKS.docs})"]
    if has_wildcard(subject):
        return [
            f"'{subject}' has a wildcard: an EKS trust names one namespace and one service "
            "account (repository_wildcards does not apply)"
        ]
    return []


def _unknown(subject: str, declared: bool) -> list[str]:
    if has_wildcard(subject) and not declared:
        return [
            f"'{subject}' has a wildcard, and seccat does not know this provider's subject "
            f"format to tell what it opens: write the subject exactly or {DECLARE}"
        ]
    return []


GITHUB = Provider(
    "GitHub Actions",
    "https://docs.github.com/en/actions/reference/security/oidc",
    "repo:<owner>/<repository>:<context>",
    _github,
)
GITLAB = Provider(
    "GitLab",
    "https://docs.gitlab.com/ci/secrets/id_token_authentication/",
    "project_path:<group>/<project>:ref_type:<branch|tag>:ref:<name>",
    _gitlab,
)
TERRAFORM = Provider(
    "Terraform Cloud",
    "https://developer.hashicorp.com/terraform/cloud-docs/workspaces/"
    "dynamic-provider-credentials/workload-identity-tokens",
    "organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase>",
    _terraform,
)
EKS = Provider(
    "Amazon EKS",
    "https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html",
    "system:serviceaccount:<namespace>:<service-account>",
    _eks,
)
UNKNOWN = Provider("an unknown provider", "", "", _unknown)

_EKS_HOST = re.compile(r"oidc\.eks\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/id/[A-Za-z0-9]+")


def provider_of(host: str) -> Provider:
    """The provider an OIDC provider ARN's host (the issuer without https://) belongs to."""
    issuer_host = host.split("/", 1)[0]
    if issuer_host == "token.actions.githubusercontent.com":
        return GITHUB
    if issuer_host == "gitlab.com":
        return GITLAB
    if issuer_host == "app.terraform.io":
        return TERRAFORM
    if _EKS_HOST.fullmatch(host):
        return EKS
    return UNKNOWN


def subject_problems(subject: str, host: str, *, repository_wildcards: bool) -> list[str]:
    """Why ``subject`` is too wide for the provider at ``host`` (empty when it is fine)."""
    if only_wildcards(subject):
        return [
            f"'{subject}' is nothing but wildcards: every token the provider issues would "
            "match it; name the workload it stands for"
        ]
    return provider_of(host).check(subject, repository_wildcards)
