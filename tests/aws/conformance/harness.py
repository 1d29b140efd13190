"""Apply every AWS resource of a recorded preview to a real moto server, in the order the
engine recorded, and read each one back.

The recorded preview is the only source: types, camelCase inputs, each resource's provider
(its region and account) and dependencies (``RecordedResource.dependencies``, the URNs the
SDK reported). Mocked ids and ARNs in inputs are replaced by the server's real ones as
their resources are created. Every AWS type needs an applier (registry.py), and any type
without one fails the run: a new type cannot slip past unapplied. Vault resources belong
to the OpenBao harness (tests/vault/harness.py) and are skipped here by name.

Departures from a real ``pulumi up``, each forced by the server and listed in
``Applied.prerequisites`` or in docs/aws-conformance.md:

* what the catalog assumes already exists is created first: a role named by a service's
  ``aws.role_name`` (seccat only attaches a policy to it), and the account's AWS Config
  recorder (seccat's Config rules need one; the landing zone usually owns it);
* moto 5.2.5 answers RotateSecret on a secret without any value with HTTP 500, so the
  SecretRotation applier first stores a throwaway value (never a catalog value) when the
  secret has none (appliers/secretsmanager.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from seccat.engine.outputs import outputs_for
from seccat.engine.preview import Preview
from seccat.engine.recording import RecordedResource
from tests.aws.conformance.model import (
    ApplyError,
    AssetSource,
    Clients,
    Compared,
    Placement,
    Real,
    Target,
    UnknownResourceType,
)
from tests.aws.conformance.registry import applier_for

AWS_PROVIDER = "pulumi:providers:aws"
#: Packages another harness applies (tests/vault/harness.py): skipped here, by name.
OTHER_HARNESSES = frozenset({"vault"})
#: Outputs whose mocked values may appear in later inputs, and so get replaced (when the
#: applier reports the real value under the same name).
_REFERABLE = ("id", "arn", "keyId", "layerArn", "qualifiedArn", "invokeArn")


@dataclass(frozen=True)
class AppliedResource:
    target: Target
    real: Real
    #: The engine's mocked outputs for the resource (what the preview's inputs referred to).
    mocked: dict[str, Any]

    @property
    def recorded(self) -> RecordedResource:
        return self.target.recorded


@dataclass(frozen=True)
class Finding:
    urn: str
    type: str
    compared: Compared


@dataclass
class Applied:
    """One stack applied: URN -> what the server made of it, in apply order."""

    stack: str
    resources: dict[str, AppliedResource] = field(default_factory=dict)
    #: What the harness created because the catalog assumes it exists (not seccat's).
    prerequisites: list[str] = field(default_factory=list)

    @property
    def ids(self) -> dict[str, str]:
        return {urn: a.real.id for urn, a in self.resources.items()}

    @property
    def arns(self) -> dict[str, str]:
        return {
            urn: a.real.outputs["arn"]
            for urn, a in self.resources.items()
            if isinstance(a.real.outputs.get("arn"), str)
        }

    def of_type(self, type_token: str) -> list[AppliedResource]:
        return [a for a in self.resources.values() if a.recorded.type == type_token]

    def types(self) -> set[str]:
        return {a.recorded.type for a in self.resources.values()}


class Substitutions:
    """Mocked value -> real value, applied to every string of later inputs, longest first
    (an ARN is replaced whole before the key id inside it).

    Only ARNs and UUID-shaped ids are replaced, the references inputs make to other
    resources (ARNs, KMS key ids); other mocked outputs (auto-names of policies and
    subscriptions) are never referred to. A string holding neither is left alone without
    looking up each value.
    """

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self._ordered: list[str] = []

    def add(self, mocked: str, real: str) -> None:
        if mocked == real or not _referable(mocked):
            return
        self.values[mocked] = real
        self._ordered = sorted(self.values, key=len, reverse=True)

    def apply(self, value: Any) -> Any:
        if isinstance(value, str):
            if not self.values or not _referable(value):
                return value
            for mocked in self._ordered:
                if mocked in value:
                    value = value.replace(mocked, self.values[mocked])
            return value
        if isinstance(value, dict):
            return {k: self.apply(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.apply(v) for v in value]
        return value


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _referable(value: str) -> bool:
    return "arn:" in value or _UUID.search(value) is not None


def _package(resource: RecordedResource) -> str:
    if resource.type.startswith("pulumi:providers:"):
        return resource.type.removeprefix("pulumi:providers:")
    return resource.type.split(":", 1)[0]


def aws_resources(preview: Preview) -> list[RecordedResource]:
    """The custom resources this harness applies; fails on a package no harness knows."""
    selected = []
    for r in preview.resources:
        if not r.custom:
            continue
        package = _package(r)
        if package == "aws":
            applier_for(r.type)  # fails loudly on an unknown AWS type
            selected.append(r)
        elif package not in OTHER_HARNESSES:
            raise UnknownResourceType(
                f"{r.type} ({r.name}): no conformance harness applies package {package!r}"
            )
    return selected


def dependency_order(preview: Preview, selected: list[RecordedResource]) -> list[RecordedResource]:
    return [r for wave in dependency_waves(preview, selected) for r in wave]


def dependency_waves(
    preview: Preview, selected: list[RecordedResource]
) -> list[list[RecordedResource]]:
    """Kahn's algorithm over the recorded dependencies (a component stands for all custom
    resources below it; a resource also waits for its explicit provider): each wave holds
    what waits only for earlier waves, in preview order."""
    by_urn = {r.urn: r for r in preview.resources}
    children: dict[str, list[str]] = {}
    for r in preview.resources:
        if r.parent:
            children.setdefault(r.parent, []).append(r.urn)

    def customs_below(urn: str) -> Iterable[str]:
        resource = by_urn.get(urn)
        if resource is None:
            raise ApplyError(f"a recorded dependency {urn} is not in the preview")
        if resource.custom:
            yield urn
            return
        for child in children.get(urn, []):
            yield from customs_below(child)

    wanted = {r.urn for r in selected}
    waits: dict[str, set[str]] = {}
    for r in selected:
        deps = {d for dep in r.dependencies for d in customs_below(dep)}
        if r.provider is not None and r.provider.urn:
            deps.add(r.provider.urn)
        waits[r.urn] = {d for d in deps if d in wanted and d != r.urn}
    waves: list[list[RecordedResource]] = []
    done: set[str] = set()
    pending = list(selected)
    while pending:
        ready = [r for r in pending if waits[r.urn] <= done]
        if not ready:
            cycle = ", ".join(r.name for r in pending[:5])
            raise ApplyError(f"dependency cycle among {cycle}")
        waves.append(ready)
        done |= {r.urn for r in ready}
        pending = [r for r in pending if r.urn not in done]
    return waves


def _default_placement(selected: list[RecordedResource]) -> Placement | None:
    for r in selected:
        p = r.provider
        if p is not None and p.urn is None and p.region and p.account:
            return Placement(p.region, p.account)
    return None


def placement_of(resource: RecordedResource, default: Placement | None) -> Placement:
    if resource.type == AWS_PROVIDER:
        region = resource.inputs.get("region")
        allowed = resource.inputs.get("allowedAccountIds")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        account = allowed[0] if isinstance(allowed, list) and len(allowed) == 1 else None
        account = account or (default.account if default else None)
        if not isinstance(region, str) or not account:
            raise ApplyError(f"provider {resource.name} has no region or account")
        return Placement(region, account)
    p = resource.provider
    if p is None or not p.region or not p.account:
        raise ApplyError(f"{resource.type} {resource.name} records no provider region/account")
    return Placement(p.region, p.account)


class AwsHarness:
    """``AwsHarness(server, assets).apply(preview)`` -> ``Applied`` (URN -> real ids);
    ``verify(applied)`` -> every comparison of recorded inputs with the server's state."""

    def __init__(self, clients: Clients, assets: AssetSource, workers: int = 4) -> None:
        self.clients = clients
        self.assets = assets
        #: Concurrent read-back requests (the server is threaded; creation is sequential).
        self.workers = workers

    def plan(self, preview: Preview) -> list[list[RecordedResource]]:
        """The AWS resources of ``preview`` in dependency waves."""
        return dependency_waves(preview, aws_resources(preview))

    def apply(self, preview: Preview) -> Applied:
        """Create every AWS resource of ``preview``, wave after dependency wave; after each
        wave, the real ids of what it created replace the mocked ones in later inputs.

        Creation is sequential: moto's backends are not safe for concurrent writes (with
        concurrent creates, a create_role failed with HTTP 500 once in a few runs; its
        duplicate-name check iterates the role table that other threads grow)."""
        waves = self.plan(preview)
        ordered = [r for wave in waves for r in wave]
        default = _default_placement(ordered)
        applied = Applied(stack=preview.stack)
        applied.prerequisites = self._prerequisites(ordered, default)
        subs = Substitutions()
        for wave in waves:
            targets = [
                Target(r, subs.apply(r.inputs), placement_of(r, default), self.assets) for r in wave
            ]
            for target, real in zip(targets, map(self._apply_one, targets), strict=True):
                resource = target.recorded
                mocked: dict[str, Any] = {}
                if resource.type != AWS_PROVIDER:
                    placement = target.placement
                    mocked_id, state = outputs_for(
                        resource.type,
                        resource.name,
                        resource.inputs,
                        placement.account,
                        placement.region,
                    )
                    mocked = {**state, "id": mocked_id}
                    for key in _REFERABLE:
                        m, r = mocked.get(key), real.outputs.get(key)
                        if isinstance(m, str) and isinstance(r, str):
                            subs.add(m, r)
                applied.resources[resource.urn] = AppliedResource(target, real, mocked)
        return applied

    def _apply_one(self, target: Target) -> Real:
        resource, placement = target.recorded, target.placement
        try:
            return applier_for(resource.type).apply(self.clients, target)
        except Exception as exc:
            raise ApplyError(
                f"{resource.type} {resource.name} in {placement.region}/{placement.account} "
                f"was refused: {exc}"
            ) from exc

    def verify(self, applied: Applied) -> list[Finding]:
        """Read every applied resource back: one Finding per compared input. Only inputs
        the preview records are compared: a default left to the provider is not seccat's
        document (and could not be broken by a negative control). Reads run on
        ``workers`` threads: they do not change the server's tables."""

        def read(a: AppliedResource) -> list[Finding]:
            applier = applier_for(a.recorded.type)
            return [
                Finding(a.recorded.urn, a.recorded.type, compared)
                for compared in applier.read_back(self.clients, a.target, a.real)
                if compared.field in a.target.inputs
            ]

        return [f for found in self._map(read, list(applied.resources.values())) for f in found]

    def _map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if self.workers <= 1 or len(items) <= 1:
            return [fn(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(fn, items))

    def _prerequisites(self, ordered: list[RecordedResource], default: Placement | None) -> list:
        """Create what the catalog assumes exists; return what was created."""
        made = []
        role_names = {r.inputs.get("name") for r in ordered if r.type == "aws:iam/role:Role"}
        for r in ordered:
            if r.type != "aws:iam/rolePolicy:RolePolicy":
                continue
            role = r.inputs.get("role")
            if isinstance(role, str) and role not in role_names:
                placement = placement_of(r, default)
                iam = self.clients.client("iam", placement.region, placement.account)
                trust = {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": f"arn:aws:iam::{placement.account}:root"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
                iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))
                role_names.add(role)
                made.append(f"existing IAM role {role} (a service's aws.role_name)")
        recorders = set()
        for r in ordered:
            if r.type == "aws:cfg/rule:Rule":
                placement = placement_of(r, default)
                if placement in recorders:
                    continue
                config = self.clients.client("config", placement.region, placement.account)
                config.put_configuration_recorder(
                    ConfigurationRecorder={
                        "name": "default",
                        "roleARN": f"arn:aws:iam::{placement.account}:role/aws-config-recorder",
                        "recordingGroup": {"allSupported": True},
                    }
                )
                recorders.add(placement)
                made.append(
                    f"AWS Config recorder in {placement.region}/{placement.account} "
                    "(the landing zone's, which Config rules need)"
                )
        return made
