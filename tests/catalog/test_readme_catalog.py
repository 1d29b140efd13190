"""The catalog README.md shows under "The catalog" is one a user can copy: it validates."""

from __future__ import annotations

import re
from pathlib import Path

from seccat.catalog.loader import parse_catalog

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_catalog_validates() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## The catalog\n", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert match is not None and match.group(1).startswith("# yaml-language-server")
    catalog, diagnostics = parse_catalog(match.group(1))
    assert [d.render() for d in diagnostics] == []
    assert catalog is not None and set(catalog.environments) == {"dev", "prod"}
