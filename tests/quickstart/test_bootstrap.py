"""The quick start on a fresh machine whose only Python is the distribution's, externally
managed (PEP 668): scripts/bootstrap finds no uv, installs one into a private, git-ignored
virtualenv without touching the system interpreter, and `make preview` works with runtime
dependencies only.

Runs a copy of the working tree (tracked and new files) with a PATH that holds the system
python3 and the usual system directories, and no uv. The uv and pip caches are the user's, so
a warm machine needs no download.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_DIRS = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]


def _externally_managed_python() -> Path:
    """A system Python 3.11+ whose stdlib carries the EXTERNALLY-MANAGED marker."""
    probe = (
        "import os, sys, sysconfig; "
        "sys.exit(0 if sys.version_info >= (3, 11) and os.path.exists(os.path.join("
        "sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')) else 1)"
    )
    for name in ("python3", "python3.13", "python3.12", "python3.11"):
        for directory in SYSTEM_DIRS:
            candidate = Path(directory) / name
            if candidate.exists() and subprocess.run([candidate, "-c", probe]).returncode == 0:
                return candidate
    pytest.fail(
        "no externally managed system Python 3.11+ in "
        + ":".join(SYSTEM_DIRS)
        + " (Debian/Ubuntu's python3 is one; this test proves the quick start on it)"
    )


def _site_listing(python: Path) -> dict[str, list[str]]:
    """Every package directory of the interpreter: system, local and user site."""
    code = (
        "import json, site, sys, sysconfig; "
        "paths = set(site.getsitepackages() + [site.getusersitepackages(), "
        "sysconfig.get_path('purelib'), sysconfig.get_path('platlib')]); "
        "print(json.dumps(sorted(paths)))"
    )
    paths = json.loads(subprocess.check_output([python, "-c", code], text=True))
    return {p: sorted(os.listdir(p)) for p in paths if os.path.isdir(p)}


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    python = _externally_managed_python()
    base = tmp_path_factory.mktemp("fresh")
    repo, bin_dir = base / "repo", base / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(python)
    files = subprocess.check_output(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT
    ).split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():  # a file deleted in the working tree is not copied
            target = repo / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    path = ":".join([str(bin_dir), *(d for d in SYSTEM_DIRS if not (Path(d) / "uv").exists())])
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIRTUAL_ENV", "PYENV", "CONDA", "UV_PYTHON", "PYTHON", "MAKE"))
        and k not in ("MFLAGS", "MAKEFLAGS")
    }
    env["PATH"] = path
    return repo, env


def test_bootstrap_on_an_externally_managed_python(fresh_clone) -> None:
    repo, env = fresh_clone
    python = Path(env["PATH"].split(":")[0]) / "python3"
    assert shutil.which("uv", path=env["PATH"]) is None, "the fresh machine must have no uv"
    # the negative control: pip refuses this interpreter, so `pip install uv` cannot work
    refused = subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--no-index", "uv"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "externally-managed-environment" in refused.stdout + refused.stderr
    before = _site_listing(python)

    boot = subprocess.run(
        ["scripts/bootstrap"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert boot.returncode == 0, boot.stderr
    assert "installing uv 0.13.9 into .bootstrap/venv" in boot.stderr
    assert _site_listing(python) == before, "the system interpreter was changed"
    uv = repo / ".bootstrap" / "bin" / "uv"
    assert uv.resolve() == (repo / ".bootstrap" / "venv" / "bin" / "uv").resolve()
    # runtime dependencies only: seccat and pulumi, none of the dev group
    assert (repo / ".venv" / "bin" / "seccat").exists()
    assert not (repo / ".venv" / "bin" / "pytest").exists()
    assert not (repo / ".venv" / "bin" / "moto_server").exists()
    # the private virtualenv is git-ignored
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    ignored = subprocess.run(
        ["git", "check-ignore", ".bootstrap/venv/bin/uv", ".bootstrap/bin/uv"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == [".bootstrap/venv/bin/uv", ".bootstrap/bin/uv"]


def test_make_preview_then_the_dev_group_for_make_test(fresh_clone) -> None:
    repo, env = fresh_clone
    preview = subprocess.run(
        ["make", "preview"], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "Previewing update (offline) of seccat stack 'dev' from catalog.yaml" in preview.stdout
    assert "installing uv" not in preview.stderr  # found the private one
    assert not (repo / ".venv" / "bin" / "pytest").exists()
    # `make test`'s setup adds the dev group; a later `make preview` leaves it in place
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "test"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert dry.stdout.splitlines()[0] == "scripts/bootstrap --dev"
    dev = subprocess.run(
        ["scripts/bootstrap", "--dev"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert dev.returncode == 0, dev.stderr
    assert (repo / ".venv" / "bin" / "pytest").exists()
    again = subprocess.run(["scripts/bootstrap"], cwd=repo, env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert (repo / ".venv" / "bin" / "pytest").exists()


def test_the_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    assert [c for c in commands if c] == ["make preview", "make test"]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in ci
