"""Reading a file a user named on the command line (a saved preview, a baseline)."""

from __future__ import annotations

import errno
import stat
from pathlib import Path


def read_regular(path: Path) -> bytes:
    """``path``'s bytes; an ``OSError`` whose ``strerror`` says why for anything that is not
    a regular file or a pipe: a device (/dev/zero, /dev/random) never ends, and was read
    until memory ran out. A pipe (``<(zcat saved.json.gz)``) is read like a file."""
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return path.read_bytes()
