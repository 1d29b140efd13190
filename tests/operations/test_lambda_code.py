"""The deployed-code comparison of `seccat verify` on hand-made zips: what differs is named,
and a download or archive that is no deployment package is refused, never compared.
(tests/operations/test_verify.py replaces a function's code on the operations moto server.)"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from seccat.operations.verify import lambda_code
from seccat.operations.verify.lambda_code import CodeError


def _zip(members: dict[str, bytes], *, folders: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            archive.writestr(zipfile.ZipInfo(folder), b"")
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_packaged_files_are_read_from_the_recorded_archive(tmp_path: Path) -> None:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "a.py").write_bytes(b"A")
    code = {"assetArchive": {"pkg/a.py": {"fileAsset": "functions/a.py"}}}
    assert lambda_code.expected_files(code, tmp_path) == {"pkg/a.py": _sha(b"A")}
    # nothing to compare: not an archive of local files, or a file that is not there
    assert lambda_code.expected_files({"fileArchive": "build/x.zip"}, tmp_path) is None
    assert lambda_code.expected_files(None, tmp_path) is None
    missing = {"assetArchive": {"b.py": {"fileAsset": "functions/b.py"}}}
    assert lambda_code.expected_files(missing, tmp_path) is None


def test_every_difference_is_named_and_folders_are_not_files() -> None:
    live = lambda_code.deployed_files(
        _zip({"pkg/a.py": b"A", "pkg/b.py": b"B2", "extra.py": b""}, folders=("pkg/",))
    )
    expected = {"pkg/a.py": _sha(b"A"), "pkg/b.py": _sha(b"B"), "pkg/c.py": _sha(b"C")}
    assert lambda_code.differences(expected, live) == [
        "extra extra.py",
        "changed pkg/b.py",
        "missing pkg/c.py",
    ]
    # negative control: the very files compare equal
    same = lambda_code.deployed_files(_zip({"pkg/a.py": b"A"}))
    assert lambda_code.differences({"pkg/a.py": _sha(b"A")}, same) == []


def test_code_sha256_is_lambdas() -> None:
    # the base64 of the zip's SHA-256, as GetFunction's CodeSha256
    assert lambda_code.code_sha256(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_what_is_no_deployment_package_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CodeError, match="not a zip archive"):
        lambda_code.deployed_files(b"<html>Access Denied</html>")
    monkeypatch.setattr(lambda_code, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(CodeError, match="unzips to more than 1000 bytes"):
        lambda_code.deployed_files(_zip({"a.py": b"x" * 600, "b.py": b"y" * 600}))
    assert lambda_code.deployed_files(_zip({"a.py": b"x" * 600}))  # under the cap
    monkeypatch.setattr(lambda_code, "MAX_MEMBERS", 2)
    with pytest.raises(CodeError, match="more than 2 files"):
        lambda_code.deployed_files(_zip({"a": b"", "b": b"", "c": b""}))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x.zip", ""])
def test_only_http_locations_are_downloaded(url: str) -> None:
    with pytest.raises(CodeError, match="not an http"):
        lambda_code.download(url)
