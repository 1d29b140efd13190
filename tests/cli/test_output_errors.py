"""Writing a report fails as a user sees it: one located error line, exit 2, no traceback,
and no partial ``--out`` file left looking like a report.

The preview JSON is written in pieces as they are made (seccat.cli.output), so a failure can
come after some of it is out: a full disk (/dev/full), a file size limit (RLIMIT_FSIZE, a
real short write then EFBIG), a reader closing the pipe, a path that cannot be opened.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.cli import output

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]
PREVIEW = ("preview", "--stack", "dev", "--format", "json")  # about 300 kB


def run(*args: str, limit: int | None = None, **kwargs) -> subprocess.CompletedProcess[bytes]:
    def limited() -> None:  # Python ignores SIGXFSZ: the write fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [*SECCAT, *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
        preexec_fn=limited if limit else None,
        timeout=120,
        **kwargs,
    )


def lines(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return result.stderr.decode().splitlines()


def test_the_whole_report_is_written(tmp_path: Path) -> None:
    """The control: without a limit the same commands write the whole document."""
    out = tmp_path / "preview.json"
    written = run(*PREVIEW, "--out", str(out))
    printed = run(*PREVIEW)
    assert written.returncode == printed.returncode == 0, written.stderr
    assert out.read_bytes() == printed.stdout
    assert len(printed.stdout) > 200_000 and printed.stdout.endswith(b"\n  ]\n}\n")


def test_a_full_disk_on_out_and_on_stdout() -> None:
    result = run(*PREVIEW, "--out", "/dev/full")
    assert (result.returncode, lines(result)) == (
        2,
        ["seccat: error: /dev/full: No space left on device"],
    )
    assert result.stdout == b""
    with open("/dev/full", "wb") as full:
        result = run(*PREVIEW, stdout=full)
    assert (result.returncode, lines(result)) == (
        2,
        ["seccat: error: stdout: No space left on device"],
    )
    assert os.path.exists("/dev/full")  # not a regular file: never truncated nor removed


def test_a_size_limit_leaves_no_partial_out_file(tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    result = run(*PREVIEW, "--out", str(new), limit=100_000)
    assert (result.returncode, lines(result)) == (2, [f"seccat: error: {new}: File too large"])
    assert not new.exists()  # created by seccat, half written, removed
    existing = tmp_path / "existing.json"
    existing.write_text('{"an": "older report"}\n')
    result = run(*PREVIEW, "--out", str(existing), limit=100_000)
    assert (result.returncode, lines(result)) == (
        2,
        [f"seccat: error: {existing}: File too large"],
    )
    assert existing.read_bytes() == b""  # its old contents were gone; nothing half written


def test_a_closed_pipe_is_a_quiet_exit_1() -> None:
    """`seccat preview ... | head`: the reader goes away; no traceback, click's exit 1."""
    process = subprocess.Popen(
        [*SECCAT, *PREVIEW],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(10) == b'{\n  "schem'
    process.stdout.close()  # 300 kB do not fit in the pipe: the next write finds it closed
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert stderr == b""


def test_an_out_that_cannot_be_opened(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "preview.json"
    result = run(*PREVIEW, "--out", str(out))
    assert (result.returncode, lines(result)) == (
        2,
        [f"seccat: error: {out}: No such file or directory"],
    )
    assert sorted(tmp_path.iterdir()) == []


def _pieces_then(error: BaseException):
    yield b'{\n  "resources": ['
    raise error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), TypeError("a renderer's bug")])
def test_a_renderer_that_stops_leaves_no_partial_file(tmp_path: Path, error) -> None:
    new, existing = tmp_path / "new.json", tmp_path / "existing.json"
    existing.write_bytes(b"old")
    for path in (new, existing):
        with pytest.raises(type(error)):
            output.write_file_pieces(path, _pieces_then(error))
    assert not new.exists() and existing.read_bytes() == b""
    # the control: the same pieces, complete, are written as they are
    output.write_file_pieces(new, iter([b"{", b"}\n"]))
    assert new.read_bytes() == b"{}\n"
    # not a regular file: written to, never truncated or removed
    with pytest.raises(type(error)):
        output.write_file_pieces(Path(os.devnull), _pieces_then(error))
    assert Path(os.devnull).exists()
