"""Pack configs as `seccat check` reads them: the same JSON files `pulumi preview
--policy-pack-config` takes, so both runners enforce a framework identically."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from policies.packs import CONFIG_DIR, FRAMEWORKS
from policies.registry import RULES, RULES_BY_ID

LEVELS = ("advisory", "mandatory", "disabled", "remediate")


class PackError(ValueError):
    """An unknown pack name or an unreadable / malformed config file (a usage error)."""


@dataclass(frozen=True)
class Pack:
    name: str
    enforcement: dict[str, str] = field(default_factory=dict)
    config: dict[str, dict[str, Any]] = field(default_factory=dict)

    def level(self, rule_id: str) -> str:
        return self.enforcement.get(rule_id, RULES_BY_ID[rule_id].enforcement)

    def rule_config(self, rule_id: str) -> dict[str, Any]:
        return RULES_BY_ID[rule_id].config(self.config.get(rule_id))


def load_pack(name_or_path: str) -> Pack:
    """A framework pack by name (baseline, pci-dss-4, ...) or a config JSON file by path."""
    if name_or_path in FRAMEWORKS:
        path = CONFIG_DIR / f"{name_or_path}.json"
        name = name_or_path
    else:
        path = Path(name_or_path)
        name = path.stem
        if not path.is_file():
            known = ", ".join(FRAMEWORKS)
            raise PackError(f"unknown pack {name_or_path!r} (known: {known}, or a JSON file)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise PackError(f"cannot read pack config {path}: {exc}") from None
    return parse_pack(name, data)


def parse_pack(name: str, data: Any) -> Pack:
    """Apply Pulumi's config semantics: ``all`` sets every rule, then per-rule entries."""
    if not isinstance(data, dict):
        raise PackError(f"pack {name}: the config must be a JSON object")
    enforcement: dict[str, str] = {}
    config: dict[str, dict[str, Any]] = {}
    default = data.get("all")
    if default is not None:
        if default not in LEVELS:
            raise PackError(f"pack {name}: 'all' must be one of {', '.join(LEVELS)}")
        enforcement = {r.id: default for r in RULES}
    for key, value in data.items():
        if key == "all":
            continue
        if key not in RULES_BY_ID:
            continue  # like the Pulumi CLI: config for policies a pack lacks is ignored
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, dict):
            raise PackError(f"pack {name}: {key} must be a level or an object")
        level = value.get("enforcementLevel")
        if level is not None:
            if level not in LEVELS:
                raise PackError(f"pack {name}: {key}.enforcementLevel {level!r} is not a level")
            enforcement[key] = level
        properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
        _validate_config(name, key, properties)
        config[key] = properties
    return Pack(name, enforcement, config)


def _validate_config(pack: str, rule_id: str, properties: dict[str, Any]) -> None:
    """Check a rule's config against its JSON schema, as the Pulumi CLI does for the pack."""
    schema = {"type": "object", "properties": dict(RULES_BY_ID[rule_id].config_schema)}
    errors = sorted(Draft202012Validator(schema).iter_errors(properties), key=str)
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise PackError(f"pack {pack}: {rule_id}.{where}: {errors[0].message}")
