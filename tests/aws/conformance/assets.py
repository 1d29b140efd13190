"""Lambda code and layers, packaged as the zip bytes AWS (and moto) take.

Previews record assets as repository paths (``{"assetArchive": {name: {"fileAsset":
path}}}`` for the rotation functions, ``{"fileArchive": dir}`` for the dependency layer).
Zips are built deterministically (sorted names, fixed timestamps), so the same recorded
asset always gives the same bytes and the same CodeSha256.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.aws.conformance.model import ApplyError, repo_path

ROOT = Path(__file__).resolve().parents[3]
_EPOCH = (1980, 1, 1, 0, 0, 0)


class RepositoryAssets:
    """Builds archives from the repository; ``directories`` stands in for recorded folder
    paths that are build outputs (``build/lambda-layer``), built by the test session."""

    def __init__(self, root: Path = ROOT, directories: Mapping[str, Path] | None = None) -> None:
        self.root = root
        self.directories = dict(directories or {})
        self._cache: dict[str, bytes] = {}

    def archive(self, spec: Mapping[str, Any]) -> bytes:
        key = json.dumps(spec, sort_keys=True)
        if key not in self._cache:
            self._cache[key] = self._build(spec)
        return self._cache[key]

    def _build(self, spec: Mapping[str, Any]) -> bytes:
        if set(spec) == {"assetArchive"}:
            members: list[tuple[str, Path]] = []
            for name, asset in sorted(spec["assetArchive"].items()):
                if set(asset) != {"fileAsset"}:
                    raise ApplyError(f"unsupported archive member {name}: {asset}")
                members.append((name, self._file(asset["fileAsset"])))
            return _zip(members)
        if set(spec) == {"fileArchive"}:
            shown = spec["fileArchive"]
            folder = self.directories.get(shown) or repo_path(self.root, shown)
            if not folder.is_dir():
                raise ApplyError(
                    f"{shown} (the recorded fileArchive) is not a directory: build it first "
                    "(functions/build_layer.py) or give the harness its location"
                )
            files = sorted(p for p in folder.rglob("*") if p.is_file())
            return _zip([(p.relative_to(folder).as_posix(), p) for p in files])
        raise ApplyError(f"unsupported asset {spec}")

    def _file(self, shown: str) -> Path:
        path = repo_path(self.root, shown)
        if not path.is_file():
            raise ApplyError(f"recorded file asset {shown} does not exist")
        return path


def _zip(members: list[tuple[str, Path]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def code_sha256(data: bytes) -> str:
    """Lambda's CodeSha256: the base64 of the SHA-256 of the zip."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()
