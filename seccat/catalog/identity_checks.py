"""Who may become a service in each environment: the checks on services' identities.

A service's ``aws``/``kubernetes`` settings are the default for every environment, and
``services.<name>.environments.<env>`` replaces them in one environment. Each effective
identity is checked where it was written, so an error points at the line that made it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from seccat.catalog.reporting import Report
from seccat.catalog.yamlsource import RawPath

_TRUST_KINDS = ("service", "role_arn", "oidc")


def check_services(report: Report, view: dict[str, Any]) -> None:
    """Structure every identity must have, shared form and per-environment alike."""
    services, envs, teams = view["services"], view["environments"], view["teams"]
    for name, service in services.items():
        if service is None:
            continue
        path: RawPath = ("services", name)
        report.reference((*path, "team"), "team", service["team"], teams)
        for env in service.get("environments") or {}:
            report.reference_key((*path, "environments", env), "environment", env, envs)
        for where, aws in _aws_blocks(path, service):
            _check_aws(report, where, aws)


def identity(service: dict[str, Any], env: str, key: str) -> dict[str, Any] | None:
    """The raw ``aws`` or ``kubernetes`` block ``service`` has in ``env``."""
    own = (service.get("environments") or {}).get(env) or {}
    return own[key] if key in own else service.get(key)


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
