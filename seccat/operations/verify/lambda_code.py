"""A rotation function's deployed code against the files the program packages.

A rotation function holds its secret's value while it runs, so its code is where a value
would leak. Code replaced in place (the console's editor, ``update-function-code``) keeps
every setting verify compares, so settings alone cannot show it. GetFunction's
``Code.Location`` is a presigned URL of the deployed zip; its bytes are checked against
``CodeSha256`` (the package AWS runs, not some other download) and its members against the
files the program's ``AssetArchive`` names, by SHA-256. Only names and digests are shown.
"""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Lambda's own limits on a zip uploaded directly and on its unzipped size: a download or
#: an archive beyond them is no deployment package.
MAX_ZIP_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_MEMBERS = 20_000
DOWNLOAD_TIMEOUT_S = 60.0
#: How many differing members a finding names: a replaced package may hold 20,000 files
#: with names of up to 64 KiB, every one of them the replacer's text.
MAX_NAMED = 20
#: What ``deployed_files`` gives a name the zip holds more than once, in place of a digest.
TWICE = "twice"


class CodeError(Exception):
    """The deployed code could not be read or is no deployment package."""


def expected_files(code: Any, root: Path) -> dict[str, str] | None:
    """Member name -> SHA-256 of each file the recorded ``code`` input packages, or None when
    it is not an archive of local files (then there is nothing to compare)."""
    archive = code.get("assetArchive") if isinstance(code, Mapping) else None
    if not isinstance(archive, Mapping) or not archive:
        return None
    out: dict[str, str] = {}
    for name, asset in archive.items():
        path = asset.get("fileAsset") if isinstance(asset, Mapping) else None
        if not isinstance(name, str) or not isinstance(path, str):
            return None
        try:
            out[name] = hashlib.sha256((root / path).read_bytes()).hexdigest()
        except OSError:
            return None
    return out


def download(url: str) -> bytes:
    """The presigned URL's bytes, at most MAX_ZIP_BYTES; http(s) only."""
    if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
        raise CodeError("the code location is not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data = response.read(MAX_ZIP_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise CodeError(f"downloading the deployed code failed: {reason}") from None
    if len(data) > MAX_ZIP_BYTES:
        raise CodeError(f"the deployed code is larger than {MAX_ZIP_BYTES} bytes")
    return data


def code_sha256(data: bytes) -> str:
    """Lambda's ``CodeSha256``: the base64 of the zip's SHA-256 digest."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def deployed_files(data: bytes) -> dict[str, str]:
    """Member name -> SHA-256 of each file in a deployment zip (folders are not files)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise CodeError("the deployed code is not a zip archive") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise CodeError(f"the deployed code has more than {MAX_MEMBERS} files")
        out: dict[str, str] = {}
        left = MAX_UNZIPPED_BYTES
        for member in members:
            digest = hashlib.sha256()
            try:
                with archive.open(member) as handle:
                    # read in chunks against the limit: the header's size can lie
                    while chunk := handle.read(min(1 << 20, left + 1)):
                        left -= len(chunk)
                        if left < 0:
                            raise CodeError(
                                f"the deployed code unzips to more than {MAX_UNZIPPED_BYTES} bytes"
                            )
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                raise CodeError("the deployed code is a damaged zip archive") from None
            # a name twice: which copy Lambda runs is not for seccat to guess, and one
            # holding the packaged bytes must not hide the other
            out[member.filename] = TWICE if member.filename in out else digest.hexdigest()
    return out


def differences(expected: Mapping[str, str], live: Mapping[str, str]) -> list[str]:
    """What differs, by member name: ``changed``, ``missing`` (packaged, not deployed),
    ``extra`` (deployed, not packaged) and ``twice`` (in the zip more than once), in name
    order. Names are raw: ``described`` shows them."""
    out = []
    for name in sorted(expected.keys() | live.keys()):
        if name not in live:
            out.append(f"missing {name}")
        elif name not in expected:
            out.append(f"extra {name}")
        elif live[name] == TWICE:
            out.append(f"twice {name}")
        elif expected[name] != live[name]:
            out.append(f"changed {name}")
    return out


def named(differing: list[str]) -> set[str]:
    """The member names of the differences a finding names (the first MAX_NAMED)."""
    return {d.split(" ", 1)[1] for d in differing[:MAX_NAMED]}


def described(differing: list[str]) -> str:
    """The differences for a finding's message: the first MAX_NAMED, each name escaped and
    capped (a line break in one would start a forged line of the text report, an escape
    sequence would reach the terminal), then how many more."""
    from seccat.catalog.untrusted import MAX_SHOWN, clip

    shown = []
    for difference in differing[:MAX_NAMED]:
        kind, name = difference.split(" ", 1)
        shown.append(f"{kind} {clip(name, MAX_SHOWN)}")
    more = len(differing) - MAX_NAMED
    return ", ".join(shown) + (f", and {more} more" if more > 0 else "")
