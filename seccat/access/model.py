"""Who can do what to which secret, and who can become whom: the values the access extraction
produces. Plain frozen values with a stable order, so two graphs compare with set operations
and reports list them the same way every run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

PrincipalKind = Literal["aws-role", "aws-principal", "vault-role"]
Store = Literal["aws-secretsmanager", "vault-kv", "vault-database"]


@dataclass(frozen=True, order=True)
class Principal:
    """An identity that holds permissions: an IAM role (or another AWS principal a resource
    policy names) or a Vault auth role."""

    #: Stable identity: the role ARN (AWS), ``vault:<auth mount>/role/<name>`` (Vault).
    id: str
    kind: PrincipalKind
    #: The short name people use: the IAM role name, the Vault role name.
    name: str
    #: The catalog entry behind it (``("services", "checkout-api")``) when the preview
    #: records one; rotation roles point at their secret.
    ref: tuple[str, ...] | None = field(default=None, compare=False)

    @property
    def service(self) -> str | None:
        """The catalog service this principal acts for, when known."""
        if self.ref and len(self.ref) >= 2 and self.ref[0] == "services":
            return self.ref[1]
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "catalogRef": list(self.ref) if self.ref else None,
        }


@dataclass(frozen=True, order=True)
class AccessEdge:
    """``principal`` may perform ``actions`` on catalog secret ``secret``.

    AWS actions are IAM action names (``secretsmanager:GetSecretValue``); Vault actions are
    ``<path kind>:<capability>`` (``data:read``, ``metadata:read``, ``creds:read``)."""

    principal: Principal
    secret: str
    store: Store
    actions: frozenset[str] = field(compare=False)
    #: Names of the preview resources whose documents grant it.
    sources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.principal.id, self.secret, self.store)

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": self.principal.to_json(),
            "secret": self.secret,
            "store": self.store,
            "actions": sorted(self.actions),
            "sources": list(self.sources),
        }


@dataclass(frozen=True, order=True)
class TrustEdge:
    """``trusted`` may become ``role``: an IAM trust policy statement's principal, or the
    identity a Vault auth role binds."""

    role: Principal
    #: Who: ``service:ecs-tasks.amazonaws.com``, ``aws:<arn>``, ``federated:<provider arn>``,
    #: ``aws-iam:<arn>`` (a Vault AWS login), ``kubernetes:<namespace>/<service account>``.
    trusted: str
    #: ``sts:AssumeRole``, ``sts:AssumeRoleWithWebIdentity``, ``vault:login``.
    action: str
    #: Conditions that narrow it, each ``Operator key=value[,value]``, sorted.
    conditions: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role.to_json(),
            "trusted": self.trusted,
            "action": self.action,
            "conditions": list(self.conditions),
            "source": self.source,
        }


@dataclass(frozen=True)
class AccessGraph:
    """Every access and trust edge of one stack's preview."""

    stack: str
    edges: tuple[AccessEdge, ...] = ()
    trust: tuple[TrustEdge, ...] = ()

    def by_key(self) -> dict[tuple[str, str, str], AccessEdge]:
        return {e.key: e for e in self.edges}

    def to(self, secret: str) -> list[AccessEdge]:
        return [e for e in self.edges if e.secret == secret]

    def of(self, principal_id: str) -> list[AccessEdge]:
        return [e for e in self.edges if e.principal.id == principal_id]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "access": [e.to_json() for e in self.edges],
            "trust": [t.to_json() for t in self.trust],
        }


def merge_edges(edges: Iterable[AccessEdge]) -> tuple[AccessEdge, ...]:
    """One edge per (principal, secret, store): actions and sources united, sorted."""
    merged: dict[tuple[str, str, str], AccessEdge] = {}
    for e in edges:
        if not e.actions:
            continue
        old = merged.get(e.key)
        if old is None:
            merged[e.key] = e
            continue
        merged[e.key] = AccessEdge(
            old.principal,
            e.secret,
            e.store,
            old.actions | e.actions,
            tuple(sorted(set(old.sources) | set(e.sources))),
        )
    return tuple(sorted(merged.values()))
