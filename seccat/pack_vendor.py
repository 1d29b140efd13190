"""The policy pack's vendored copy of the seccat modules its rules import.

`pulumi policy publish` uploads the pack folder (policies/) alone, and Pulumi Cloud installs
it on every machine that previews or updates a stack of the organisation, from that folder
and PyPI only. So the folder carries the few seccat modules the rules need (the catalog
model, the schedule parser, the Vault layout, ...) in ``policies/_vendor/seccat/``, byte for
byte. This module works out which ones, from the import statements of the rule code and,
recursively, of what they import; ``python -m seccat.pack_vendor`` rewrites the copy and
``--check`` (and a test) fails while it is not current.
"""

from __future__ import annotations

import ast
import filecmp
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from seccat.datafiles import CHECKOUT, SOURCE_ROOT

PACK_DIR = SOURCE_ROOT / "policies"
VENDOR = "_vendor"
#: Subpackages that are not vendored: the pack itself, and the Pulumi components it never uses.
_NOT_VENDORED = ("seccat.policies", "seccat.components")


def _module_file(root: Path, module: str) -> Path | None:
    """``seccat.catalog.model`` -> ``<root>/seccat/catalog/model.py`` (or its package)."""
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(tree: ast.AST, root: Path) -> set[str]:
    """The ``seccat.*`` modules a module imports (``from seccat.x import y`` counts ``y``
    when it is a module of its own)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "seccat")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "seccat":
                continue
            found.add(node.module)
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if _module_file(root, sub) is not None:
                    found.add(sub)
    return found


def _with_parents(modules: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for module in modules:
        parts = module.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


def vendored_modules(pack_dir: Path = PACK_DIR, root: Path = SOURCE_ROOT) -> list[Path]:
    """Files under ``<root>/seccat`` the pack's code needs, relative to ``root``, sorted."""
    pending = [p for p in pack_dir.rglob("*.py") if VENDOR not in p.relative_to(pack_dir).parts[:1]]
    seen: set[str] = set()
    files: set[Path] = set()
    while pending:
        source = pending.pop()
        for module in _with_parents(_imported(ast.parse(source.read_bytes()), root)):
            if module in seen or module.startswith(_NOT_VENDORED):
                continue
            seen.add(module)
            path = _module_file(root, module)
            if path is None:
                raise LookupError(f"{source}: imports {module}, which is not in {root / 'seccat'}")
            files.add(path.relative_to(root))
            pending.append(path)
    return sorted(files)


def stale(pack_dir: Path = PACK_DIR, root: Path = SOURCE_ROOT) -> list[str]:
    """What differs between the vendored copy and the sources: missing, changed or extra
    files (``_vendor/...`` paths); empty when the copy is current."""
    vendor = pack_dir / VENDOR
    wanted = {rel.as_posix() for rel in vendored_modules(pack_dir, root)}
    present = {
        p.relative_to(vendor).as_posix()
        for p in vendor.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    problems = [f"{VENDOR}/{rel}: missing" for rel in sorted(wanted - present)]
    problems += [f"{VENDOR}/{rel}: not needed" for rel in sorted(present - wanted)]
    problems += [
        f"{VENDOR}/{rel}: differs from {rel}"
        for rel in sorted(wanted & present)
        if not filecmp.cmp(vendor / rel, root / rel, shallow=False)
    ]
    return problems


def write(pack_dir: Path = PACK_DIR, root: Path = SOURCE_ROOT) -> list[Path]:
    """Replace ``<pack>/_vendor`` with a fresh copy; the files copied."""
    files = vendored_modules(pack_dir, root)
    vendor = pack_dir / VENDOR
    shutil.rmtree(vendor, ignore_errors=True)
    for rel in files:
        (vendor / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, vendor / rel)
    return files


def main(argv: list[str]) -> int:
    if not CHECKOUT:
        sys.stderr.write("seccat.pack_vendor works on a checkout of the repository\n")
        return 2
    if argv == ["--check"]:
        problems = stale()
        for line in problems:
            sys.stderr.write(f"policies/{line}\n")
        if problems:
            sys.stderr.write("the pack's vendored seccat is stale: run `make pack`\n")
        return 1 if problems else 0
    if argv:
        sys.stderr.write("usage: python -m seccat.pack_vendor [--check]\n")
        return 2
    for rel in write():
        sys.stdout.write(f"policies/{VENDOR}/{rel.as_posix()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
