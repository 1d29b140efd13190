"""seccat as a user installs it: the wheel built from this checkout, installed with
`uv tool install` into a folder of its own, run from a project folder outside the
repository. The wheel holds one top-level package, and the installed tool finds its schema,
templates and Lambda sources: its preview is the golden file byte for byte and its rendered
documents are the checkout's."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "preview-prod.json"


def _uv() -> str:
    local = REPO / ".bootstrap" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    assert found, "uv is missing: run `make setup` (scripts/bootstrap installs it)"
    return found


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=timeout, check=False)


@dataclass(frozen=True)
class Installed:
    wheel: Path
    seccat: Path
    project: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return _run([str(self.seccat), *args], self.project, self.env, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("tool")
    built = _run([_uv(), "build", "--wheel", "--out-dir", str(base / "dist"), str(REPO)], base)
    assert built.returncode == 0, built.stderr.decode()
    (wheel,) = (base / "dist").glob("seccat-*.whl")
    # The versions uv.lock pins, so the installed tool is the one the suite tests.
    constraints = base / "constraints.txt"
    exported = _run(
        [
            _uv(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--no-hashes",
            "--quiet",
            "--format",
            "requirements-txt",
            "--output-file",
            str(constraints),
        ],
        REPO,
    )
    assert exported.returncode == 0, exported.stderr.decode()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"UV_TOOL_DIR": str(base / "tools"), "UV_TOOL_BIN_DIR": str(base / "bin")}
    tool = _run(
        [_uv(), "tool", "install", "--constraints", str(constraints), str(wheel)], base, env
    )
    assert tool.returncode == 0, tool.stderr.decode()
    # A user's project: their catalog, Pulumi.yaml and stack files; no seccat source.
    project = base / "project"
    project.mkdir()
    for name in ("catalog.yaml", "Pulumi.yaml"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "stacks", project / "stacks")
    run_env = {k: v for k, v in env.items() if k not in ("NO_COLOR",)}
    return Installed(wheel, base / "bin" / "seccat", project, run_env)


def test_the_wheel_installs_one_top_level_package(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"seccat", "seccat-0.1.0.dist-info"}
    for data in (
        "seccat/components/__init__.py",
        "seccat/components/aws/package.py",
        "seccat/policies/registry.py",
        "seccat/policies/config/pci-dss-4.json",
        "seccat/catalog/catalog.schema.json",
        "seccat/templates/aws/secret-policy.json.j2",
        "seccat/functions/rotation/generated.py",
        "seccat/functions/vault_kv/__init__.py",
    ):
        assert data in names, data
    assert not [n for n in names if "/_vendor/" in n or "__pycache__" in n or n.endswith(".pyc")]


def test_the_installed_tool_imports_nothing_from_the_checkout(installed: Installed) -> None:
    python = next((installed.seccat.parent.parent / "tools" / "seccat" / "bin").glob("python"))
    probe = (
        "import seccat, seccat.components, seccat.policies, importlib.util as u;"
        "print(seccat.CHECKOUT_SUBPACKAGES, u.find_spec('components'), u.find_spec('policies'));"
        "print(seccat.policies.__file__)"
    )
    done = _run([str(python), "-c", probe], installed.project, installed.env)
    assert done.returncode == 0, done.stderr.decode()
    first, second = done.stdout.decode().splitlines()
    assert first == "{} None None"
    assert second.endswith("/site-packages/seccat/policies/__init__.py")
    assert not second.startswith(str(REPO))


def test_version_and_validate(installed: Installed) -> None:
    version = installed.run("--version")
    assert (version.returncode, version.stdout) == (0, b"seccat 0.1.0\n")
    valid = installed.run("validate", "catalog.yaml")
    assert valid.returncode == 0, valid.stderr
    assert valid.stderr.startswith(b"catalog.yaml: valid (13 secrets")
    (installed.project / "broken.yaml").write_text("version: 1\nsecrets: 3\n")
    broken = installed.run("validate", "broken.yaml")
    assert broken.returncode == 1
    # the schema, found in the installed package, locates the error
    assert b"broken.yaml:2:10: error: secrets: expected a mapping" in broken.stdout
    assert b"(SCHEMA)" in broken.stdout


def test_preview_json_is_the_golden_file(installed: Installed) -> None:
    preview = installed.run("preview", "--stack", "prod", "--format", "json")
    assert preview.returncode == 0, preview.stderr
    assert preview.stdout == GOLDEN.read_bytes()
    assert b'"fileAsset": "functions/rotation/generated.py"' in preview.stdout


def test_render_writes_what_the_checkout_renders(installed: Installed, tmp_path: Path) -> None:
    rendered = installed.run("render", "--stack", "prod", "--out", "rendered")
    assert rendered.returncode == 0, rendered.stderr
    expected = tmp_path / "expected"
    from_checkout = _run(
        [
            str(REPO / ".venv" / "bin" / "seccat"),
            "render",
            "--stack",
            "prod",
            "--out",
            str(expected),
        ],
        REPO,
    )
    assert from_checkout.returncode == 0, from_checkout.stderr
    ours = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    theirs = sorted(
        p.relative_to(installed.project / "rendered")
        for p in (installed.project / "rendered").rglob("*")
        if p.is_file()
    )
    assert theirs == ours and len(ours) > 10
    _, mismatch, errors = filecmp.cmpfiles(
        expected, installed.project / "rendered", [str(p) for p in ours], shallow=False
    )
    assert (mismatch, errors) == ([], [])
