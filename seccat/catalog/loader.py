"""Read catalog YAML. PLACEHOLDER: the hardened loader (positions, duplicate keys,
alias bombs, located errors) replaces this."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from seccat.catalog.build import build_catalog
from seccat.catalog.model import Catalog


def load_catalog(path: str | Path) -> Catalog:
    data = YAML(typ="safe").load(Path(path).read_text())
    return build_catalog(data, source=str(path))
