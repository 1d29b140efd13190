"""Framework packs: which rules a framework turns on, at which enforcement, with which
config. policies/config/*.json are generated from here (`python -m seccat.policies.packs`) and a
test keeps the files and this module in step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from seccat.policies.registry import RULES

CONFIG_DIR = Path(__file__).resolve().parent / "config"

#: Pack name -> control-tag prefix (None: the baseline, every rule at its default).
FRAMEWORKS: dict[str, str | None] = {
    "baseline": None,
    "pci-dss-4": "pci-dss-4.0.1",
    "soc2": "soc2",
    "nist-800-53-r5": "nist-800-53-r5",
    "cis-aws-3": "cis-aws-3.0",
}

#: Rules every pack keeps: an expired waiver must never silently start to count.
ALWAYS_ON = frozenset({"SECCAT-CAT-007"})


def pack_config(name: str) -> dict[str, Any]:
    """The `--policy-pack-config` JSON for one pack."""
    prefix = FRAMEWORKS[name]
    # Rules this file does not list (a newer pack version) stay off in framework packs.
    out: dict[str, Any] = {"all": "advisory" if prefix is None else "disabled"}
    for rule in RULES:
        in_scope = (
            prefix is None
            or rule.id in ALWAYS_ON
            or any(tag.split(":", 1)[0] == prefix for tag in rule.controls)
        )
        entry: dict[str, Any] = {"enforcementLevel": rule.enforcement if in_scope else "disabled"}
        if in_scope:
            # The 90-day PCI limit applies to secrets whose catalog entry lists pci-dss
            # (pciMaxDays); the catalog's compliance field, not the pack, defines scope.
            entry.update(rule.defaults())
        out[rule.id] = entry
    return out


def write_all() -> None:
    for name in FRAMEWORKS:
        text = json.dumps(pack_config(name), indent=2) + "\n"
        (CONFIG_DIR / f"{name}.json").write_text(text)


if __name__ == "__main__":
    write_all()
