"""Pack configs as `seccat check` reads them: the same JSON files `pulumi preview
--policy-pack-config` takes, so both runners enforce a framework identically.

Stricter than the Pulumi CLI in one way, on purpose: a rule id or an option the pack does
not know is an error with a did-you-mean, located at its line in the file, never silently
ignored (a misspelt ``SECCAT-AWS-03`` would otherwise leave the rule at its default).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from seccat.catalog.diagnostics import Diagnostic
from seccat.policies.packs import CONFIG_DIR, FRAMEWORKS
from seccat.policies.registry import RULES, RULES_BY_ID

LEVELS = ("advisory", "mandatory", "disabled", "remediate")


class PackError(ValueError):
    """An unknown pack name or an unreadable / malformed config file (a usage error).

    ``diagnostics`` locates each problem in the config file (empty for an unknown name)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        self.diagnostics = diagnostics or []
        super().__init__(message)


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
            raise PackError(unknown_pack_message(name_or_path, path))
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise PackError(f"cannot read pack config {path}: {reason or exc}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        message = f"not valid JSON: {getattr(exc, 'msg', why)}"
        diagnostic = Diagnostic(str(path), line, column, "", message, "PACK")
        raise PackError(diagnostic.render(), [diagnostic]) from None
    return parse_pack(name, data, file=str(path), positions=_positions(raw, str(path)))


def unknown_pack_message(given: str, path: Path) -> str:
    """What `--pack` says about a name that is neither a pack nor a file."""
    known = ", ".join(FRAMEWORKS)
    if path.suffix == ".json" or "/" in given:
        return f"pack config {given}: no such file (packs: {known}, or a config JSON file)"
    close = _closest_pack(given)
    hint = f"; did you mean '{close}'?" if close else ""
    return f"unknown pack {given!r}{hint} (known: {known}, or a config JSON file)"


def _closest_pack(given: str) -> str | None:
    """``pci`` -> ``pci-dss-4``, ``nist`` -> ``nist-800-53-r5``: a pack named by its
    framework's short name, or a near spelling of a pack name."""
    lowered = given.lower()
    prefixed = [name for name in FRAMEWORKS if lowered and name.startswith(lowered)]
    if len(prefixed) == 1:
        return prefixed[0]
    return closest(lowered, list(FRAMEWORKS), cutoff=0.6)


def parse_pack(
    name: str,
    data: Any,
    *,
    file: str | None = None,
    positions: dict[tuple[str, ...], tuple[int, int]] | None = None,
) -> Pack:
    """Apply Pulumi's config semantics: ``all`` sets every rule, then per-rule entries.

    Every problem is collected and raised at once, located in ``file`` when given."""
    problems = _Problems(name, file, positions or {})
    if not isinstance(data, dict):
        problems.add((), "the config must be a JSON object")
        problems.raise_if_any()
    enforcement: dict[str, str] = {}
    config: dict[str, dict[str, Any]] = {}
    default = data.get("all")
    if default is not None:
        if default not in LEVELS:
            problems.add(("all",), f"'all' must be one of {', '.join(LEVELS)}")
        else:
            enforcement = {r.id: default for r in RULES}
    for key, value in data.items():
        if key == "all":
            continue
        if key not in RULES_BY_ID:
            problems.add((key,), _unknown_rule(key))
            continue
        if isinstance(value, str):
            value = {"enforcementLevel": value}
        if not isinstance(value, dict):
            problems.add((key,), f"{key} must be a level or an object")
            continue
        level = value.get("enforcementLevel")
        if level is not None:
            if level not in LEVELS:
                problems.add(
                    (key, "enforcementLevel"),
                    f"{key}.enforcementLevel {level!r} is not a level (one of {', '.join(LEVELS)})",
                )
            else:
                enforcement[key] = level
        properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
        _check_options(problems, key, properties)
        config[key] = properties
    problems.raise_if_any()
    return Pack(name, enforcement, config)


def _unknown_rule(rule_id: str) -> str:
    close = closest(rule_id, list(RULES_BY_ID), cutoff=0.8) or closest(
        rule_id.upper(), list(RULES_BY_ID), cutoff=0.8
    )
    if close:
        return f"unknown rule {rule_id!r}; did you mean '{close}'?"
    return f"unknown rule {rule_id!r} (every rule id is listed in docs/policies.md)"


def _check_options(problems: _Problems, rule_id: str, properties: dict[str, Any]) -> None:
    """Each option known to the rule and valid against its JSON schema, as the Pulumi CLI
    checks a pack's config; an unknown option is named with the closest known one."""
    known = dict(RULES_BY_ID[rule_id].config_schema)
    for option in properties:
        if option in known:
            continue
        close = closest(option, list(known), cutoff=0.6)
        if close:
            hint = f"; did you mean '{close}'?"
        elif known:
            hint = f" ({rule_id} takes: enforcementLevel, {', '.join(known)})"
        else:
            hint = f" ({rule_id} takes only enforcementLevel)"
        problems.add((rule_id, option), f"{rule_id}: unknown option {option!r}{hint}")
    schema = {"type": "object", "properties": known}
    for error in sorted(Draft202012Validator(schema).iter_errors(properties), key=str):
        path = tuple(str(p) for p in error.absolute_path)
        where = "/".join(path)
        problems.add((rule_id, *path), f"{rule_id}.{where}: {error.message}")


class _Problems:
    """Located pack problems; raised together as one PackError."""

    def __init__(
        self, name: str, file: str | None, positions: dict[tuple[str, ...], tuple[int, int]]
    ) -> None:
        self.name = name
        self.file = file
        self.positions = positions
        self.found: list[Diagnostic] = []

    def add(self, path: tuple[str, ...], message: str) -> None:
        line, column = _closest_position(self.positions, path)
        where = self.file or f"pack {self.name}"
        self.found.append(Diagnostic(where, line, column, "", message, "PACK"))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        found = sorted(self.found)
        if self.file is None:
            text = "\n".join(f"pack {self.name}: {d.message}" for d in found)
        else:
            text = "\n".join(d.render() for d in found)
        raise PackError(text, found if self.file is not None else [])


def closest(word: str, choices: list[str], cutoff: float) -> str | None:
    """The choice most like ``word`` (difflib ratio at least ``cutoff``)."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return found[0] if found else None


def _closest_position(
    positions: dict[tuple[str, ...], tuple[int, int]], path: tuple[str, ...]
) -> tuple[int, int]:
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return positions.get((), (1, 1))


def _positions(raw: bytes, file: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """Where each key of a JSON config is written (JSON is YAML: the catalog reader, which
    records positions, reads it). Best effort: a file it refuses gets no positions."""
    from seccat.catalog.yamlsource import read_yaml

    src = read_yaml(raw, file)
    return {} if src.fatal else dict(src.keys)
