"""Who may become a service in each environment: the checks on services' identities.

A service's ``aws``/``kubernetes`` settings are the default for every environment, and
``services.<name>.environments.<env>`` replaces them in one environment. Each identity is
checked where it was written, so an error points at the line that made it:

- structure, service principals and OIDC subject formats once per written block;
- per environment the service acts in (it consumes a secret there, or names the
  environment under ``environments:``), on the identity it has there: trusted accounts,
  pull-request subjects in protected environments, and the principals it lets in, which
  no other environment may share unless declared (seccat.catalog.shared_principals).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seccat.catalog.oidc_subjects import GITHUB, github_pull_request, provider_of, subject_problems
from seccat.catalog.reporting import Report
from seccat.catalog.shared_principals import Reach, check_shared
from seccat.catalog.yamlsource import RawPath
from seccat.documents.names import service_role_name
from seccat.documents.service_principals import PRINCIPALS, documented

_TRUST_KINDS = ("service", "role_arn", "oidc")


def check_services(report: Report, view: dict[str, Any]) -> None:
    """Structure every identity must have, shared form and per-environment alike, then
    what each environment's identity lets in."""
    services, envs, teams = view["services"], view["environments"], view["teams"]
    acting = acting_environments(view)
    reaches: list[Reach] = []
    foreign: Foreign = {}
    for name, service in services.items():
        if service is None:
            continue
        path: RawPath = ("services", name)
        report.reference((*path, "team"), "team", service["team"], teams)
        for env in service.get("environments") or {}:
            report.reference_key((*path, "environments", env), "environment", env, envs)
        for where, aws in _aws_blocks(path, service):
            _check_aws(report, where, aws)
        for env in sorted(acting.get(name, ())):
            if envs.get(env) is not None:
                reaches += _check_in_env(report, foreign, name, service, env, envs[env])
    for path, (what, account, where) in foreign.items():
        report.at_value(path, _foreign_message(what, account, where), "TRUST")
    if "environments" not in report.unchecked:
        check_shared(report, reaches, envs)


def acting_environments(view: dict[str, Any]) -> dict[str, set[str]]:
    """Where each service has an identity: the environments it consumes a secret in, and
    those it configures explicitly (defined environments only)."""
    envs = view["environments"]
    out: dict[str, set[str]] = {}
    for name, service in view["services"].items():
        if service is not None:
            out[name] = {e for e in service.get("environments") or {} if e in envs}
    for secret in view["secrets"].values():
        if secret is None:
            continue
        secret_envs = secret.get("environments") or list(envs)
        for consumer in secret.get("consumers") or ():
            if consumer["service"] in out:
                used = consumer.get("environments") or secret_envs
                out[consumer["service"]].update(e for e in used if e in envs)
    return out


def identity(service: dict[str, Any], env: str, key: str) -> dict[str, Any] | None:
    """The raw ``aws`` or ``kubernetes`` block ``service`` has in ``env``."""
    own = (service.get("environments") or {}).get(env) or {}
    return own[key] if key in own else service.get(key)


def identity_path(service: dict[str, Any], name: str, env: str, key: str) -> RawPath:
    """Where the ``aws``/``kubernetes`` block ``service`` has in ``env`` was written."""
    own = (service.get("environments") or {}).get(env) or {}
    if key in own:
        return ("services", name, "environments", env, key)
    return ("services", name, key)


#: Trusts naming an account their environment does not trust: path -> (what is trusted,
#: its account, [(environment, environment's account)]), so a shared trust used in several
#: environments is reported once.
Foreign = dict[RawPath, tuple[str, str, list[tuple[str, str]]]]


def _check_in_env(
    report: Report,
    foreign: Foreign,
    name: str,
    service: dict[str, Any],
    env: str,
    environment: dict[str, Any],
) -> list[Reach]:
    """The identity ``service`` has in ``env``: checks that depend on the environment, and
    the principals it lets in there."""
    reaches: list[Reach] = []
    account = environment.get("aws")
    aws = identity(service, env, "aws")
    if aws is not None and account is not None:
        where = identity_path(service, name, env, "aws")
        own = account["account_id"]
        trust = aws.get("trust")
        role = aws.get("role_name") or service_role_name(env, name)
        if "role_name" in aws or trust is not None:
            # the role itself: whoever holds it reads this environment's secrets, so another
            # environment trusting it is reached from here
            arn = _role_arn(own, role)
            reaches.append(Reach(env, where, ("role", arn), f"role {arn}", own_role=True))
        if trust is not None:
            reaches += _check_trust(report, foreign, (*where, "trust"), trust, env, environment)
    k8s = identity(service, env, "kubernetes")
    if k8s is not None:
        audience = (environment.get("vault") or {}).get("kubernetes_audience", f"vault-{env}")
        reaches.append(
            Reach(
                env,
                identity_path(service, name, env, "kubernetes"),
                ("kubernetes", audience, k8s["namespace"], k8s["service_account"]),
                f"Kubernetes service account {k8s['namespace']}/{k8s['service_account']} "
                f"(audience {audience})",
            )
        )
    return reaches


def _role_arn(account: str, role_name: str) -> str:
    return f"arn:aws:iam::{account}:role/{role_name}"


def _check_trust(
    report: Report,
    foreign: Foreign,
    where: RawPath,
    trust: dict[str, Any],
    env: str,
    environment: dict[str, Any],
) -> list[Reach]:
    account = environment["aws"]
    own = account["account_id"]
    trusted = account.get("trusted_accounts") or ()
    if "role_arn" in trust:
        arn = trust["role_arn"]
        _check_account(foreign, (*where, "role_arn"), f"role {arn}", arn, env, own, trusted)
        return [Reach(env, (*where, "role_arn"), ("role", arn), f"role {arn}")]
    if "service" in trust:
        principal = trust["service"]
        return [
            Reach(
                env,
                (*where, "service"),
                ("service", principal, own),
                f"service principal {principal} in account {own}",
            )
        ]
    if "oidc" not in trust:
        return []
    oidc = trust["oidc"]
    provider_arn = oidc["provider_arn"]
    _check_account(
        foreign,
        (*where, "oidc", "provider_arn"),
        f"OIDC provider {provider_arn}",
        provider_arn,
        env,
        own,
        trusted,
    )
    host = provider_arn.split(":oidc-provider/", 1)[1]
    github = provider_of(host) is GITHUB
    reaches = []
    for i, subject in enumerate(oidc["subjects"]):
        spath = (*where, "oidc", "subjects", str(i))
        if github and environment.get("protect", False) and github_pull_request(subject):
            report.at_value(
                spath,
                f"'{subject}' matches pull-request tokens, which any branch pushed for review "
                f"obtains; {env} is protected, so its role trusts environment or branch "
                "subjects only",
                "OIDC",
            )
        reaches.append(
            Reach(env, spath, ("oidc", host), f"OIDC subject '{subject}' of {host}", subject)
        )
    return reaches


def _check_account(
    foreign: Foreign,
    path: RawPath,
    what: str,
    arn: str,
    env: str,
    own: str,
    trusted: Any,
) -> None:
    account = arn.split(":")[4]
    if account != own and account not in trusted:
        foreign.setdefault(path, (what, account, []))[2].append((env, own))


def _foreign_message(what: str, account: str, where: list[tuple[str, str]]) -> str:
    envs = [env for env, _ in where]
    accounts = " or ".join(f"{env}'s account {own}" for env, own in where)
    lists = " and ".join(f"environments.{env}.aws.trusted_accounts" for env in envs)
    return (
        f"{what} is in account {account}, not {accounts}: a principal of another account "
        f"may become an environment's role only if {lists} "
        f"list{'s' if len(envs) == 1 else ''} {account}"
    )


def _aws_blocks(path: RawPath, service: dict[str, Any]) -> Iterator[tuple[RawPath, dict[str, Any]]]:
    if service.get("aws") is not None:
        yield (*path, "aws"), service["aws"]
    for env, own in (service.get("environments") or {}).items():
        if own.get("aws") is not None:
            yield (*path, "environments", env, "aws"), own["aws"]


def _check_aws(report: Report, where: RawPath, aws: dict[str, Any]) -> None:
    trust = aws.get("trust")
    existing = aws.get("existing", False)
    if existing:
        if "role_name" not in aws:
            report.at_key(where, "existing: true needs role_name, the role to attach to", "TRUST")
        if "reason" not in aws:
            report.at_key(
                (*where, "existing"),
                "an existing role needs a reason (aws.reason): seccat does not manage its "
                "trust, so reviewers must know why it is used",
                "TRUST",
            )
        if trust is not None:
            report.at_key(
                (*where, "trust"),
                "an existing role keeps the trust it has; seccat cannot apply this one "
                "(remove trust, or drop existing: true to let seccat create the role)",
                "TRUST",
            )
    else:
        if trust is None:
            if "role_name" in aws:
                report.at_key(
                    (*where, "role_name"),
                    "role_name names a role seccat does not create: declare it with "
                    "existing: true and a reason, or add aws.trust so seccat creates it",
                    "TRUST",
                )
            else:
                report.at_key(
                    where,
                    "set aws.trust (who may assume the service's role) or aws.role_name with "
                    "existing: true (a role seccat does not create)",
                    "TRUST",
                )
        if "reason" in aws:
            report.at_key((*where, "reason"), "reason applies to existing: true only", "TRUST")
    if trust is not None:
        _check_trust_shape(report, (*where, "trust"), trust)


def _check_trust_shape(report: Report, where: RawPath, trust: dict[str, Any]) -> None:
    kinds = [k for k in _TRUST_KINDS if k in trust]
    if len(kinds) != 1:
        report.at_key(where, "set exactly one of service, role_arn, oidc", "TRUST")
    if "without_source_keys" in trust and "service" not in trust:
        report.at_key(
            (*where, "without_source_keys"),
            "without_source_keys applies to a service principal only",
            "TRUST",
        )
    if "service" in trust:
        _check_service_principal(report, where, trust)
    if "oidc" in trust:
        oidc = trust["oidc"]
        host = oidc["provider_arn"].split(":oidc-provider/", 1)[1]
        declared = bool(oidc.get("repository_wildcards", False))
        for i, subject in enumerate(oidc["subjects"]):
            for problem in subject_problems(subject, host, repository_wildcards=declared):
                report.at_value((*where, "oidc", "subjects", str(i)), problem, "OIDC")


def _check_service_principal(report: Report, where: RawPath, trust: dict[str, Any]) -> None:
    """A service principal gets the confused-deputy keys its service documents; one seccat
    has no citation for is trusted bare only with a stated reason."""
    principal = trust["service"]
    entry = documented(principal)
    if entry is None and "without_source_keys" not in trust:
        known = ", ".join(sorted(PRINCIPALS))
        report.at_value(
            (*where, "service"),
            f"service principal {principal} is not one seccat knows the confused-deputy keys "
            f"of ({known}): without aws:SourceAccount/aws:SourceArn conditions the service "
            "could assume the role for another account's resources; say why that is "
            "acceptable in trust.without_source_keys",
            "TRUST",
        )
    elif entry is not None and "without_source_keys" in trust:
        keys = " and ".join(entry.keys) or "no source key (see docs/threat-model.md)"
        report.at_key(
            (*where, "without_source_keys"),
            f"{principal} is in seccat's list; its trust gets {keys} as the service "
            "documents, so there is nothing to declare (remove without_source_keys)",
            "TRUST",
        )
