"""The code refers to components and policies by their installed names only
(``seccat.components``, ``seccat.policies``): a bare ``components``/``policies`` import works
in a checkout (its root is on sys.path) but not once installed, and would load a second copy
of every module beside the first."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BARE = re.compile(r"^[ \t]*(?:from|import)[ \t]+(?:components|policies)\b.*$", re.MULTILINE)


def bare_imports(text: str) -> list[str]:
    return [m.group(0).strip() for m in BARE.finditer(text)]


def test_no_module_imports_the_bare_names() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    found = {
        path: bare
        for path in tracked
        if (REPO / path).is_file() and (bare := bare_imports((REPO / path).read_text()))
    }
    assert found == {}


def test_the_scan_finds_a_bare_import() -> None:
    """Negative control: the forms the scan must catch, and the ones it must not."""
    text = (
        "from policies.registry import RULES\n"
        "    import components.aws.package as package\n"
        "from seccat.policies.registry import RULES\n"
        "import policies_helper\n"
    )
    assert bare_imports(text) == [
        "from policies.registry import RULES",
        "import components.aws.package as package",
    ]
