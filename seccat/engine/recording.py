"""What the offline engine records for each registered resource.

The shape mirrors ``pulumi_policy.PolicyResource`` (type, name, props in camelCase, options,
parent) so the policy rules run unchanged on recorded resources and under CrossGuard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import rpc

from seccat.datafiles import shown_path
from seccat.exact_floats import exact_float

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class RecordedResource:
    type: str
    name: str
    urn: str
    parent: str | None
    inputs: dict[str, Any]
    options: dict[str, Any]
    custom: bool
    #: Path in the catalog of the entry that produced this resource (for located reports).
    catalog_ref: tuple[str, ...] | None = None
    #: The provider that manages a custom resource (None for components and providers).
    provider: ProviderRef | None = None
    #: URNs this resource waits for: its explicit dependsOn plus every resource whose
    #: outputs feed its inputs, as the SDK told the engine (sorted).
    dependencies: tuple[str, ...] = ()
    #: True when the recorder saw that every float in ``inputs`` is exact (integral, within
    #: 2**53: seccat.exact_floats) and ``options`` holds only booleans and lists of strings,
    #: so the JSON encoder need not walk them (seccat.reports.exact_json). False for a
    #: resource made any other way. Recorded inputs are never changed afterwards; a copy
    #: with other inputs must not keep True (``dataclasses.replace`` would).
    floats_exact: bool = field(default=False, compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedResource:
        """A resource of a saved preview document (docs/preview-json.md), as ``to_json``
        wrote it (secrets stay placeholders). ``KeyError``/``TypeError``/``ValueError``
        when it is not one."""
        ref, provider = data["catalogRef"], data["provider"]
        return cls(
            type=_text(data["type"]),
            name=_text(data["name"]),
            urn=_text(data["urn"]),
            parent=None if data["parent"] is None else _text(data["parent"]),
            inputs=dict(data["inputs"]),
            options=dict(data["options"]),
            custom=bool(data["custom"]),
            catalog_ref=None if ref is None else tuple(_text(p) for p in ref),
            provider=None if provider is None else ProviderRef.from_json(provider),
            dependencies=tuple(_text(u) for u in data["dependencies"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
            "parent": self.parent,
            "custom": self.custom,
            "catalogRef": list(self.catalog_ref) if self.catalog_ref else None,
            "provider": self.provider.to_json() if self.provider else None,
            "dependencies": list(self.dependencies),
            "inputs": self.inputs,
            "options": self.options,
        }


@dataclass(frozen=True)
class ProviderRef:
    """Which provider instance manages a resource, and where that puts it.

    ``urn`` is None for the stack's default provider of the package. For AWS, ``region`` and
    ``account`` are where the resource lives: an explicit ``aws.Provider`` (a replica region)
    brings its own region, the default provider the environment's.
    """

    package: str
    urn: str | None
    region: str | None = None
    account: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProviderRef:
        urn, region, account = data["urn"], data.get("region"), data.get("account")
        return cls(
            package=_text(data["package"]),
            urn=None if urn is None else _text(urn),
            region=None if region is None else _text(region),
            account=None if account is None else _text(account),
        )

    def to_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"package": self.package, "urn": self.urn}
        if self.region is not None:
            shown["region"] = self.region
        if self.account is not None:
            shown["account"] = self.account
        return shown


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def redact(value: Any) -> Any:
    """Replace every Pulumi secret with a placeholder: no value ever reaches a report."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET_PLACEHOLDER
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def normalise(value: Any, inexact: list[float] | None = None) -> Any:
    """Make recorded inputs JSON-clean; unknowns from a preview become None. Every float
    that is not exact (seccat.exact_floats) is appended to ``inexact``."""
    if isinstance(value, dict):
        return {k: normalise(v, inexact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v, inexact) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, float):
        if inexact is not None and not exact_float(value):
            inexact.append(value)
        return value
    if isinstance(value, Unknown):
        return None
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return _asset(value)
    return str(value)


def _asset(value: pulumi.Asset | pulumi.Archive) -> Any:
    """Lambda code and other assets as what they contain (paths), not an object address."""
    if isinstance(value, pulumi.AssetArchive):
        return {"assetArchive": {k: _asset(v) for k, v in sorted(value.assets.items())}}
    path = getattr(value, "path", None)
    if isinstance(path, str):
        kind = "fileArchive" if isinstance(value, pulumi.Archive) else "fileAsset"
        return {kind: shown_path(path)}
    if isinstance(value, pulumi.StringAsset):
        return {"stringAsset": "[text]"}
    return {"remote": getattr(value, "uri", "")}


@dataclass
class OptionsRecorder:
    """A stack transformation that notes the final options of every resource.

    The mock monitor never sees options such as protect, so they are captured on the SDK
    side, after the parent transformations (protect_data) have run.
    """

    by_key: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: The keys whose options hold something other than booleans and lists of strings (the
    #: SDK does not check that ignore_changes and additional_secret_outputs hold strings).
    unusual: set[tuple[str, str]] = field(default_factory=set)

    def __call__(self, args: pulumi.ResourceTransformationArgs) -> None:
        opts = args.opts
        depends_on = opts.depends_on
        if depends_on is None:
            deps: list[str] = []
        elif isinstance(depends_on, list | tuple):
            deps = [getattr(d, "_name", str(d)) for d in depends_on]
        else:
            deps = [getattr(depends_on, "_name", str(depends_on))]
        secret_outputs = list(dict.fromkeys(opts.additional_secret_outputs or []))
        ignore_changes = list(opts.ignore_changes or [])
        key = (args.type_, args.name)
        self.by_key[key] = {
            "protect": bool(opts.protect),
            "retainOnDelete": bool(opts.retain_on_delete),
            "dependsOn": deps,
            "additionalSecretOutputs": secret_outputs,
            "ignoreChanges": ignore_changes,
            "deleteBeforeReplace": bool(opts.delete_before_replace),
        }
        if any(type(item) is not str for item in (*deps, *secret_outputs, *ignore_changes)):
            self.unusual.add(key)
        return None
