"""Thresholds several rules share, each with its source."""

from __future__ import annotations

from typing import Any

from seccat.catalog.model import MAX_ROTATION_DAYS

#: PCI DSS 4.0.1 8.3.9 / 8.6.3 (mapped via Security Hub SecretsManager.1): at most 90 days.
PCI_MAX_ROTATION_DAYS = 90

ROTATION_CONFIG_SCHEMA: dict[str, dict[str, Any]] = {
    "maxDays": {
        "type": "object",
        "description": "Longest rotation interval in days, per classification.",
        "properties": {
            c: {"type": "integer", "minimum": 1, "maximum": 1000} for c in MAX_ROTATION_DAYS
        },
        "default": MAX_ROTATION_DAYS,
    },
    "pciMaxDays": {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "description": "Longest rotation interval in days for PCI-scope secrets.",
        "default": PCI_MAX_ROTATION_DAYS,
    },
}

DAY = 86400.0


def max_rotation_days(config: dict[str, Any], classification: str, pci: bool) -> float:
    limits = {**MAX_ROTATION_DAYS, **(config.get("maxDays") or {})}
    limit = float(limits.get(classification, MAX_ROTATION_DAYS["restricted"]))
    if pci:
        limit = min(limit, float(config.get("pciMaxDays", PCI_MAX_ROTATION_DAYS)))
    return limit
