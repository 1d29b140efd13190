"""The lineage of each credential: creation, then rotations, then revocation.

Built from normalised events (seccat/events/ocsf.py) of secrets the catalog knows. A rotation
is a finished one: Secrets Manager's RotationSucceeded, a new Vault KV version, a Vault static
role's rotate-role, or a value put by anyone but the rotation function itself (an owner's
renewal, an operator's emergency change); the intermediate steps of one rotation
(RotationStarted, the function's own PutSecretValue and stage move) are kept in ``events``
but never counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "seccat-lineage/1"

#: Steps that count as one rotation of the credential.
_ROTATION_STEPS = frozenset({"rotated", "renewed"})


def _entry(event: Mapping[str, Any]) -> dict[str, Any]:
    s = event["unmapped"]["seccat"]
    actor: dict[str, Any] = {"kind": s["actor_kind"]}
    if s.get("service"):
        actor["service"] = s["service"]
    user = (event.get("actor") or {}).get("user") or {}
    if user.get("uid") or user.get("name"):
        actor["identity"] = user.get("uid") or user.get("name")
    out: dict[str, Any] = {
        "time": event["time_dt"],
        "step": s["step"],
        "operation": event["api"]["operation"],
        "status": event["status"],
        "actor": actor,
        "source": event["metadata"]["product"]["name"],
        "uid": event["metadata"].get("uid"),
    }
    if s.get("version") is not None:
        out["version"] = s["version"]
    return out


@dataclass
class Timeline:
    environment: str
    secret: str
    team: str | None
    store: str | None
    created: dict[str, Any] | None = None
    rotations: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    stage_moves: list[dict[str, Any]] = field(default_factory=list)
    issued: list[dict[str, Any]] = field(default_factory=list)
    revoked: dict[str, Any] | None = None
    restored: list[dict[str, Any]] = field(default_factory=list)
    reads: int = 0
    denied: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, event: Mapping[str, Any]) -> None:
        entry = _entry(event)
        step = entry["step"]
        self.events.append(entry)
        if step == "denied":
            self.denied += 1
            return
        if event["status"] != "Success" and step != "rotation-failed":
            return
        if step == "created" and self.created is None:
            self.created = entry
        elif step in _ROTATION_STEPS or (
            step == "value-written" and entry["actor"]["kind"] != "rotation"
        ):
            self.rotations.append(entry)
        elif step == "rotation-failed":
            self.failures.append(entry)
        elif step == "stage-moved" and entry["actor"]["kind"] != "rotation":
            self.stage_moves.append(entry)
        elif step == "issued":
            self.issued.append(entry)
        elif step == "revoked":
            self.revoked = entry
        elif step == "restored":
            self.restored.append(entry)
            self.revoked = None
        elif step == "read":
            self.reads += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "secret": self.secret,
            "team": self.team,
            "store": self.store,
            "created": self.created,
            "rotations": self.rotations,
            "rotation_failures": self.failures,
            "manual_stage_moves": self.stage_moves,
            "issued": self.issued,
            "revoked": self.revoked,
            "restored": self.restored,
            "reads": self.reads,
            "denied": self.denied,
            "events": self.events,
        }


def timelines(events: Iterable[Mapping[str, Any]]) -> list[Timeline]:
    """One timeline per (environment, catalog secret), events in time order."""
    by_key: dict[tuple[str, str], Timeline] = {}
    ordered = sorted(events, key=lambda e: (e["time"], e["metadata"].get("uid") or ""))
    for event in ordered:
        s = event["unmapped"]["seccat"]
        if not s["in_catalog"] or not s["environment"] or not s["secret"]:
            continue
        key = (s["environment"], s["secret"])
        if key not in by_key:
            by_key[key] = Timeline(s["environment"], s["secret"], s["team"], s["store"])
        by_key[key].add(event)
    return [by_key[k] for k in sorted(by_key)]


def document(items: list[Timeline], stacks: list[str]) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "stacks": stacks,
        "timelines": [t.to_json() for t in items],
    }
