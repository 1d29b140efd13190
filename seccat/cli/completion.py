"""Shell completion for the values a user would otherwise look up: the stack names of the
catalog and the pack names. Runs on every <TAB>, so it reads only what it needs (the YAML
of the catalog, the names of the pack files) and never fails: no catalog, no suggestions.

Install with typer's own `seccat --install-completion` (bash, zsh, fish, PowerShell), or
print the script with `seccat --show-completion`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from seccat.datafiles import PACK_CONFIGS

#: The built-in packs are the config files of the policy pack (policies/config/*.json).
_PACK_DIR = PACK_CONFIGS


def stacks(ctx: typer.Context, incomplete: str) -> list[str]:
    """The environment names of the catalog given so far (``--catalog``, else catalog.yaml)."""
    from seccat.catalog.loader import read_bytes
    from seccat.catalog.yamlsource import read_yaml

    catalog = ctx.params.get("catalog") or Path("catalog.yaml")
    try:
        data = read_yaml(read_bytes(catalog), str(catalog)).data
    except Exception:
        return []
    environments = data.get("environments") if isinstance(data, dict) else None
    if not isinstance(environments, dict):
        return []
    return [name for name in environments if isinstance(name, str) and name.startswith(incomplete)]


def packs(incomplete: str) -> list[str]:
    """The built-in pack names (a config file path completes as a file, by the shell)."""
    names = sorted(p.stem for p in _PACK_DIR.glob("*.json"))
    return [name for name in names if name.startswith(incomplete)]
