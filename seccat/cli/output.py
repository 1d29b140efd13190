"""How the CLI writes: machine output as exact UTF-8 bytes, human lines on stderr.

Every report (JSON, SARIF, JUnit, Markdown, the text tree) is a string a pure renderer
returned; it reaches stdout or the ``--out`` file as the same bytes, never through a console
library. A console would "helpfully" rewrite it: rich turns ``:secret:`` (in every Secrets
Manager ARN) into an emoji and eats ``[secret]`` as markup. Writing bytes to the binary
streams also keeps the output independent of the locale's encoding and of newline
translation, so ``seccat ... > file`` and ``seccat ... --out file`` are byte-identical.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: C0 and C1 control characters except tab and newline (escape sequences, carriage returns,
#: bells) and the bidirectional overrides: a human line never carries them raw to a terminal.
#: Lone surrogates too (JSON input can spell ``\udcff``): UTF-8 cannot encode them, so a
#: report quoting one failed to be written at all.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def encode(text: str | bytes) -> bytes:
    """The bytes seccat writes for a rendered report: UTF-8, newlines as given. A renderer
    that already made the bytes (the preview JSON, 146 MB at 10,000 secrets) returns them,
    and they are written as they are."""
    return text if isinstance(text, bytes) else text.encode("utf-8")


def write_stdout(text: str | bytes) -> None:
    """Write a rendered report to stdout unchanged."""
    write_stdout_pieces((encode(text),))


def write_stdout_pieces(pieces: Iterable[bytes]) -> None:
    """Write a report made in pieces (the preview JSON) to stdout's bytes as they come."""
    stream = sys.stdout
    stream.flush()
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding host's capture): still no markup
        for piece in pieces:
            stream.write(piece.decode("utf-8"))
        return
    for piece in pieces:
        buffer.write(piece)
    buffer.flush()


def write_file(path: Path, text: str | bytes) -> None:
    """Write a rendered report to ``path`` as exactly the bytes stdout would get."""
    write_file_pieces(path, (encode(text),))


def write_file_pieces(path: Path, pieces: Iterable[bytes]) -> None:
    """Write a report made in pieces to ``path``, each piece as it comes (one write call
    each, no copy through a buffer).

    A write that fails (disk full, a file size limit, an interrupt, a renderer's error)
    leaves nothing that could pass for the report: a file this call created is removed, an
    existing one left empty (its old contents were gone once it was opened, as with any
    ``> file``). What is not a regular file (``/dev/null``, a FIFO) is left alone.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | os.O_EXCL, 0o666)
        created = True
    except FileExistsError:
        fd = os.open(path, flags | os.O_TRUNC, 0o666)
        created = False
    with open(fd, "wb", buffering=0) as raw:
        try:
            for piece in pieces:
                view = memoryview(piece)
                while view:  # a regular file's write may be short (a size limit reached)
                    view = view[raw.write(view) :]
        except BaseException:
            _discard(fd, path, created)
            raise


def _discard(fd: int, path: Path, created: bool) -> None:
    """Undo a partial write as far as it can be (see :func:`write_file_pieces`)."""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        os.ftruncate(fd, 0)
        if created:
            os.unlink(path)
    except OSError:
        pass  # the write's own error is the one to report


@contextmanager
def open_sink(path: Path | None) -> Iterator[BinaryIO]:
    """Where a report streamed in pieces goes: the ``--out`` file, or stdout's bytes."""
    if path is not None:
        with path.open("wb") as handle:
            yield handle
        return
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding host's capture)
        yield _TextSink()
        return
    yield buffer
    buffer.flush()


class _TextSink:
    """Bytes written to a text-only stdout, decoded back (no markup either way)."""

    def write(self, data: bytes) -> int:
        sys.stdout.write(data.decode("utf-8"))
        return len(data)

    def flush(self) -> None:
        sys.stdout.flush()


def escape_for_terminal(text: str) -> str:
    """``text`` with control and bidi-override characters shown as ``\\xNN`` escapes."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def say(line: str) -> None:
    """One human line on stderr (progress, summaries, errors), terminal-safe: escaped first,
    then coloured by position when stderr is a terminal (see ``seccat.cli.terminal``)."""
    from seccat.cli.terminal import print_line

    safe = escape_for_terminal(line)
    if not print_line(safe):
        sys.stderr.write(safe + "\n")
    sys.stderr.flush()


def shown_path(path: Path | str) -> str:
    """A file name a user typed, as a report line shows it (escaped and capped)."""
    from seccat.catalog.untrusted import MAX_MESSAGE, safe_field

    return safe_field(str(path), MAX_MESSAGE)
