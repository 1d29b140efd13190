"""seccat: a secrets catalog turned into Pulumi resources, checked by policy-as-code.

One installed package: the wheel maps the repository's ``components/`` and ``policies/``
folders to ``seccat.components`` and ``seccat.policies`` (pyproject.toml), so nothing else
lands at the top of site-packages. In a checkout the two folders stay at the top of the
repository; the finder below resolves the same two names to them, so the code imports
``seccat.components`` and ``seccat.policies`` everywhere, installed or not.
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from importlib.util import spec_from_file_location
from pathlib import Path

_HERE = Path(__file__).resolve().parent

#: ``seccat.<name>`` -> the checkout folder it comes from, for folders that are beside this
#: package rather than inside it (empty once installed: the wheel puts them inside).
CHECKOUT_SUBPACKAGES: dict[str, Path] = {
    f"{__name__}.{name}": _HERE.parent / name
    for name in ("components", "policies")
    if not (_HERE / name).is_dir() and (_HERE.parent / name / "__init__.py").is_file()
}


class _CheckoutFinder(MetaPathFinder):
    """Finds exactly the mapped subpackages; their own submodules then load normally."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> ModuleSpec | None:
        folder = CHECKOUT_SUBPACKAGES.get(fullname)
        if folder is None:
            return None
        return spec_from_file_location(
            fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


if CHECKOUT_SUBPACKAGES and not any(isinstance(f, _CheckoutFinder) for f in sys.meta_path):
    sys.meta_path.append(_CheckoutFinder())


def version() -> str:
    """The installed seccat version (`seccat --version`, SARIF's semanticVersion)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("seccat")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
