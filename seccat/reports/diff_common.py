"""What the text and Markdown renderings of `seccat diff` share: how a principal, a set of
actions and a catalog change read, and the order things are listed in."""

from __future__ import annotations

from dataclasses import dataclass

from seccat.access.model import Principal, TrustEdge
from seccat.diff.model import AccessChange, DiffResult, Location, StackDiff

_KIND = {"aws-role": "AWS role", "aws-principal": "AWS principal", "vault-role": "Vault role"}


def principal_label(p: Principal) -> str:
    """``billing-worker (AWS role seccat-prod-billing-worker)``, ``auth-service (Vault role)``."""
    kind = _KIND.get(p.kind, p.kind)
    if p.kind == "vault-role":
        # One service may log in through several auth mounts: name the mount.
        mount = p.id.removeprefix("vault:").split("/role/", 1)[0]
        return f"{p.service or p.name} (Vault role {p.name} on {mount})"
    if p.ref and len(p.ref) == 2 and p.ref[0] == "secrets":
        return f"rotation of {p.ref[1]} ({kind} {p.name})"
    if p.service and p.service != p.name:
        return f"{p.service} ({kind} {p.name})"
    return f"{p.name} ({kind})"


def short_actions(actions: frozenset[str] | set[str]) -> str:
    """``DescribeSecret, GetSecretValue`` (the service prefix is implied by the store)."""
    return ", ".join(sorted(a.removeprefix("secretsmanager:") for a in actions))


def approval_text(stack: str, change: AccessChange) -> str:
    """The ``--approve`` value that would approve this grant."""
    who = change.principal.service or change.principal.name
    return f"{stack}:{change.secret}:{who}"


def trust_label(t: TrustEdge) -> str:
    conditions = f" if {'; '.join(t.conditions)}" if t.conditions else ""
    return f"{t.trusted} ({t.action}){conditions}"


@dataclass(frozen=True)
class CatalogRow:
    """One catalog change, with every stack it happens in (the same change in dev, staging
    and prod is one row)."""

    stacks: tuple[str, ...]
    secret: str
    kind: str
    text: str
    location: Location
    warning: bool = False


def catalog_rows(result: DiffResult) -> list[CatalogRow]:
    merged: dict[tuple[str, str, str, Location, bool], list[str]] = {}

    def add(
        s: StackDiff, secret: str, kind: str, text: str, where: Location, warn: bool = False
    ) -> None:
        merged.setdefault((secret, kind, text, where, warn), []).append(s.stack)

    for s in result.stacks:
        for c in s.added:
            add(s, c.secret, "added", f"added ({c.classification})", c.location)
        for c in s.removed:
            text = f"removed ({c.classification}, lifecycle {c.lifecycle})"
            if c.unretired_removal:
                text += ": removed from a protected environment without lifecycle: retired first"
            add(s, c.secret, "removed", text, c.location, c.unretired_removal)
        rotation = {r.secret: r for r in s.rotation}
        for c in s.changed:
            for f in c.changes:
                text = f"{f.field}: {f.before} -> {f.after}"
                if f.field == "rotation" and c.secret in rotation:
                    direction = rotation[c.secret].direction
                    if direction != "same":
                        text += f" ({direction})"
                elif f.field == "classification":
                    cls = next((x for x in s.classification if x.secret == c.secret), None)
                    if cls is not None:
                        text += f" ({cls.direction})"
                add(s, c.secret, "changed", text, c.location)
    order = {"removed": 0, "added": 1, "changed": 2}
    rows = [CatalogRow(tuple(stacks), *key[:4], key[4]) for key, stacks in merged.items()]
    return sorted(rows, key=lambda r: (not r.warning, order[r.kind], r.secret, r.text))


def access_rows(result: DiffResult) -> list[tuple[StackDiff, str, AccessChange]]:
    """(stack, "granted"|"revoked", change): grants needing approval first."""
    rows = [
        (s, kind, c)
        for s in result.stacks
        for kind, changes in (("granted", s.granted), ("revoked", s.revoked))
        for c in changes
    ]
    return sorted(
        rows,
        key=lambda r: (
            not r[2].unapproved,
            not r[2].needs_approval,
            r[1] != "granted",
            r[2].secret,
            r[2].principal.name,
        ),
    )
