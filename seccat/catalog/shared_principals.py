"""No principal reaches two environments unless the catalog says they share identities.

Every identity that can act as a service in an environment is a *reach*: the role a trust
names (``role_arn``), the role seccat creates or the existing role it uses, a service
principal in the environment's account, an OIDC subject of an issuer, a Kubernetes service
account with the audience the environment's Vault requires. Two reaches of different
environments collide when one principal can be both:

- roles: the same ARN;
- service principals: the same principal in the same account (two environments in one
  account share every ECS task, for instance);
- OIDC: the same issuer and two subject patterns some token matches both
  (seccat.catalog.iam_globs). The issuer, not the provider ARN, is what identifies the
  token: one GitHub workflow token is accepted by every account that registered GitHub's
  provider, and the workflow chooses its own audience;
- Kubernetes: the same audience, namespace and service account.

A collision is reported at both places, naming the other, unless one of the environments
lists the other in ``shares_identities_with``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from seccat.catalog.iam_globs import overlapping_pairs
from seccat.catalog.reporting import Report
from seccat.catalog.yamlsource import RawPath


@dataclass(frozen=True)
class Reach:
    """One way a principal becomes (or assumes) a service's role in one environment."""

    env: str
    #: Where the catalog wrote it (the diagnostic is located here).
    path: RawPath
    #: Equal keys mean the same principal (for OIDC: the issuer; subjects compared apart).
    key: Hashable
    #: How messages name the principal.
    label: str
    #: OIDC only: the subject pattern.
    subject: str | None = None
    #: The service's own role (created by seccat or declared existing): two of them under
    #: one ARN are a name collision, which the name registry reports (COLLISION, exempting
    #: declared sharing too), so this check leaves such pairs alone.
    own_role: bool = False


@dataclass(frozen=True)
class _Meeting:
    other: Reach
    #: OIDC: a token subject both patterns match (when they are not the same text).
    witness: str | None = None


def check_shared(report: Report, reaches: Iterable[Reach], envs: dict[str, Any]) -> None:
    """Report every reach that meets a reach of an environment it does not share with."""
    exact: dict[Hashable, list[Reach]] = defaultdict(list)
    oidc: dict[Hashable, list[Reach]] = defaultdict(list)
    for reach in reaches:
        (oidc if reach.subject is not None else exact)[reach.key].append(reach)
    meetings: dict[Reach, dict[str, _Meeting]] = defaultdict(dict)

    def meet(a: Reach, b: Reach, witness: str | None = None) -> None:
        if a.env == b.env or (a.own_role and b.own_role) or _shares(envs, a.env, b.env):
            return
        meetings[a].setdefault(b.env, _Meeting(b, witness))
        meetings[b].setdefault(a.env, _Meeting(a, witness))

    for group in exact.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b.env not in meetings.get(a, {}) or a.env not in meetings.get(b, {}):
                    meet(a, b)
    for group in oidc.values():
        subjects = [r.subject or "" for r in group]
        for i, j, witness in overlapping_pairs(subjects):
            a, b = group[i], group[j]
            meet(a, b, None if a.subject == b.subject else witness)

    # A shared trust acts in several environments from one place: one diagnostic there.
    by_path: dict[RawPath, list[Reach]] = defaultdict(list)
    for reach in meetings:
        by_path[reach.path].append(reach)
    for path, here in by_path.items():
        report.at_value(path, _message(report, here, meetings), "IDENTITY")


def _shares(envs: dict[str, Any], a: str, b: str) -> bool:
    """Declared on either side (an environment that is not schema-valid shares nothing)."""
    return any(
        other in ((envs.get(one) or {}).get("shares_identities_with") or ())
        for one, other in ((a, b), (b, a))
    )


def _message(report: Report, here: list[Reach], meetings: dict[Reach, dict[str, _Meeting]]) -> str:
    path = here[0].path
    envs_here = sorted({r.env for r in here})
    elsewhere: dict[str, _Meeting] = {}
    for reach in here:
        for env, meeting in meetings[reach].items():
            if meeting.other.path != path:
                elsewhere.setdefault(env, meeting)
    places = []
    for env in sorted(elsewhere):
        other = elsewhere[env].other
        line = report.src.value_position(other.path).line
        where = f"{report.src.render(other.path)}, line {line}"
        if elsewhere[env].witness is not None:
            where += (
                f", whose '{other.subject}' overlaps this subject: both match "
                f"'{elsewhere[env].witness}'"
            )
        places.append(f"{env} ({where})")
    reached = f"{_and(envs_here)} here"
    if places:
        reached += f" and also {_and(places)}"
    return (
        f"{here[0].label} reaches {reached}: one principal must not reach two environments; "
        f"give each environment its own (services.{path[1]}.environments.<env>), or declare "
        "the sharing in environments.<env>.shares_identities_with"
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
