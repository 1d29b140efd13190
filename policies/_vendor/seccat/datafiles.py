"""Where seccat's own data files are: the Jinja templates, the Lambda sources in
``functions/``, the catalog schema and the pack configs.

Installed (``uv tool install .``, ``pipx install .``), the wheel carries them inside the
package (pyproject.toml maps ``templates/`` to ``seccat/templates`` and so on); in a checkout
they sit at the top of the repository. Everything that reads one asks here, so the two
layouts never disagree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

#: True in a checkout (templates/ beside the package), False in an installed wheel.
CHECKOUT = not (PACKAGE_DIR / "templates").is_dir() and (PACKAGE_DIR.parent / "templates").is_dir()

#: The folder holding ``templates/``, ``functions/``, ``components/`` and ``policies/``.
SOURCE_ROOT = PACKAGE_DIR.parent if CHECKOUT else PACKAGE_DIR

TEMPLATES = SOURCE_ROOT / "templates"
FUNCTIONS = SOURCE_ROOT / "functions"
PACK_CONFIGS = SOURCE_ROOT / "policies" / "config"


@cache
def shown_path(path: str) -> str:
    """An asset path as previews show it: relative to the source root (``functions/...``,
    the same installed or not), else to the working directory (the project's ``build/``), so
    a preview is identical on every machine."""
    p = Path(path)
    if not p.is_absolute():
        return path
    for base in (SOURCE_ROOT, Path.cwd()):
        if p.is_relative_to(base):
            return p.relative_to(base).as_posix()
    return path
