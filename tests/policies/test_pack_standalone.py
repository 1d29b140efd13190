"""The policy pack where Pulumi runs it: policies/ copied alone to a folder of another name
(as Pulumi unpacks a published pack), its virtualenv made the way Pulumi's pip toolchain
makes it (`python3 -m venv venv`, `pip install --upgrade pip setuptools wheel`, `pip install
-r requirements.txt`, from PyPI), and the pack started the way pulumi-analyzer-policy-python
starts it (`venv/bin/python -u -m pulumi.policy <engine> .`). Every rule's fixtures then go
over gRPC to that process: the analyzer servicer in the copied pack, importing nothing from
this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from policy_harness import (
    analyze_request,
    analyze_stack_request,
    configure_request,
    fixtures,
)
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from seccat import pack_vendor
from seccat.policies.registry import RULES, RULES_BY_ID

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "policies"
PACK_RULES = [r for r in RULES if r.scope != "catalog"]
START_TIMEOUT = 120


def _copy_pack(dest: Path) -> Path:
    """The pack folder as `pulumi policy publish` uploads it (.pulumiignore: no venv/, no
    bytecode), under a name that is not `policies`."""
    shutil.copytree(PACK, dest, ignore=shutil.ignore_patterns("venv", "__pycache__", "*.pyc"))
    return dest


def _python3() -> str:
    """The interpreter Pulumi's pip toolchain uses: PULUMI_PYTHON_CMD, else python3 on PATH."""
    found = shutil.which(os.environ.get("PULUMI_PYTHON_CMD") or "python3")
    assert found, "no python3 on PATH: Pulumi could not make the pack's virtualenv either"
    return found


def _venv_env(venv: Path) -> dict[str, str]:
    """ActivateVirtualEnv, as Pulumi sets it; nothing of this repository on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def pack_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The copied pack with the virtualenv Pulumi would make for it."""
    pack = _copy_pack(tmp_path_factory.mktemp("unpacked") / "seccat-0.1.0")
    venv = pack / "venv"
    env = _venv_env(venv)
    _run([_python3(), "-m", "venv", str(venv)], pack, os.environ.copy())
    python = str(venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "--upgrade", "pip", "setuptools", "wheel"], pack, env)
    _run([python, "-m", "pip", "install", "-r", "requirements.txt"], pack, env)
    return pack


class _PackProcess:
    """`python -u -m pulumi.policy <engine> .` in a pack folder: the port it prints, then gRPC."""

    def __init__(self, pack: Path, python: Path) -> None:
        self.process = subprocess.Popen(
            [str(python), "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."],
            cwd=pack,
            env=_venv_env(python.parents[1]),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.first_line = ""
        reader = threading.Thread(target=self._read_port, daemon=True)
        reader.start()
        reader.join(START_TIMEOUT)

    def _read_port(self) -> None:
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()

    def stop(self) -> str:
        self.process.kill()
        _, stderr = self.process.communicate(timeout=30)
        return stderr


@pytest.fixture(scope="module")
def analyzer(pack_copy: Path) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    pack = _PackProcess(pack_copy, pack_copy / "venv" / "bin" / "python")
    try:
        port = pack.first_line.strip()
        if not port.isdigit():
            pytest.fail(f"the copied pack did not start: {pack.first_line!r}\n{pack.stop()}")
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        pack.stop()


def test_the_copied_pack_environment_holds_no_seccat(pack_copy: Path) -> None:
    """The rules can only come from the pack folder: nothing named seccat is installed."""
    python = pack_copy / "venv" / "bin" / "python"
    probe = "import importlib.util as u; print(u.find_spec('seccat'), u.find_spec('policies'))"
    found = subprocess.run(
        [str(python), "-c", probe],
        cwd=pack_copy.parent,
        env=_venv_env(pack_copy / "venv"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout == "None None\n"


def test_the_copied_pack_registers_every_resource_and_stack_rule(
    analyzer: analyzer_pb2_grpc.AnalyzerStub,
) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "seccat"
    assert [p.name for p in info.policies] == [r.id for r in PACK_RULES]
    for policy, rule in zip(info.policies, PACK_RULES, strict=True):
        assert policy.displayName == rule.title
        assert policy.description == rule.description


@pytest.mark.parametrize("rule_id", [r.id for r in PACK_RULES])
def test_every_rule_runs_in_the_copied_pack(
    analyzer: analyzer_pb2_grpc.AnalyzerStub, rule_id: str
) -> None:
    """Each rule's passing and failing fixtures, as the engine sends them (Configure, then
    Analyze or AnalyzeStack): the rule reports exactly what it reports in-process."""
    rule = RULES_BY_ID[rule_id]
    for kind in ("pass", "fail"):
        for case in fixtures(rule_id)[kind]:
            analyzer.Configure(configure_request(rule, case.get("config")))
            if rule.scope == "resource":
                response = analyzer.Analyze(analyze_request(case))
            else:
                response = analyzer.AnalyzeStack(analyze_stack_request(case))
            assert not response.not_applicable, (kind, case["name"])
            mine = [d for d in response.diagnostics if d.policyName == rule_id]
            messages = [d.message for d in mine]
            if kind == "pass":
                assert messages == [], (case["name"], messages)
                continue
            assert messages, case["name"]
            assert all(d.enforcementLevel == analyzer_pb2.MANDATORY for d in mine)
            for expected in case["expect"]:
                assert any(expected in m for m in messages), (expected, messages)


def test_without_its_vendored_modules_the_pack_fails_as_it_did(
    pack_copy: Path, tmp_path: Path
) -> None:
    """Negative control: the same copy minus _vendor/ is the old pack, which could not start
    away from the repository."""
    broken = _copy_pack(tmp_path / "seccat-0.1.0")
    shutil.rmtree(broken / "_vendor")
    pack = _PackProcess(broken, pack_copy / "venv" / "bin" / "python")
    pack.process.wait(timeout=START_TIMEOUT)
    stderr = pack.stop()
    assert pack.process.returncode == 1
    assert not pack.first_line.strip().isdigit()
    assert "No module named 'seccat'" in stderr


# --- the pack folder is current -----------------------------------------------------------


def test_the_vendored_seccat_modules_are_current() -> None:
    problems = pack_vendor.stale()
    assert problems == [], "\n".join([*problems, "regenerate with `make pack`"])


def test_a_stale_vendored_copy_is_reported(tmp_path: Path) -> None:
    """Negative control for the check above: a changed, a missing and an extra file."""
    root = tmp_path / "checkout"
    shutil.copytree(REPO / "seccat", root / "seccat", ignore=shutil.ignore_patterns("__pycache__"))
    pack = _copy_pack(root / "policies")
    assert pack_vendor.stale(pack, root) == []
    model = pack / "_vendor" / "seccat" / "catalog" / "model.py"
    model.write_text(model.read_text() + "\n")
    (pack / "_vendor" / "seccat" / "catalog" / "alphabets.py").unlink()
    (pack / "_vendor" / "seccat" / "program.py").write_text("")
    assert pack_vendor.stale(pack, root) == [
        "_vendor/seccat/catalog/alphabets.py: missing",
        "_vendor/seccat/program.py: not needed",
        "_vendor/seccat/catalog/model.py: differs from seccat/catalog/model.py",
    ]


def test_the_vendored_modules_are_what_the_rules_import() -> None:
    """The import graph, not a hand-kept list: the schedule parser, the catalog model, the
    Vault layout and the IAM constants the rules use, with what they import in turn."""
    names = [p.as_posix() for p in pack_vendor.vendored_modules()]
    for needed in (
        "seccat/__init__.py",
        "seccat/catalog/model.py",
        "seccat/catalog/schedule.py",
        "seccat/documents/vault_layout.py",
        "seccat/documents/iam.py",
    ):
        assert needed in names
    assert not any(
        n.startswith(("seccat/engine/", "seccat/cli/", "seccat/reports/")) for n in names
    )


def _uv() -> str:
    local = REPO / ".bootstrap" / "bin" / "uv"
    found = str(local) if local.exists() else shutil.which("uv")
    assert found, "uv is missing: run `make setup` (scripts/bootstrap installs it)"
    return found


def _pins(text: str) -> list[str]:
    """requirements.txt without its comment lines."""
    return [line for line in text.splitlines() if not line.lstrip().startswith("#")]


def test_the_pack_requirements_are_exported_from_the_project_lock(tmp_path: Path) -> None:
    out = tmp_path / "requirements.txt"
    export = ["export", "--frozen", "--only-group", "policy-pack", "--no-emit-project"]
    subprocess.run(
        [_uv(), *export, "--format", "requirements-txt", "--quiet", "--output-file", str(out)],
        cwd=REPO,
        check=True,
        timeout=120,
    )
    committed = (PACK / "requirements.txt").read_text()
    assert _pins(committed) == _pins(out.read_text()), "regenerate with `make pack`"


def test_the_pack_requirements_pin_every_package_with_hashes() -> None:
    """Hash-checking mode for pip: every entry an exact version followed by its hashes, and
    the versions of pulumi and pulumi-policy the test suite runs."""
    from importlib.metadata import version

    lines = (PACK / "requirements.txt").read_text().splitlines()
    entries = [(i, line) for i, line in enumerate(lines) if line and line[0] not in " #"]
    pins = {}
    for i, line in entries:
        name, sep, rest = line.partition("==")
        assert sep and rest.endswith(" \\"), line
        assert lines[i + 1].lstrip().startswith("--hash=sha256:"), line
        pins[name] = rest.split()[0].rstrip(";")
    assert {"pulumi", "pulumi-policy", "jinja2", "grpcio", "protobuf"} <= set(pins)
    assert pins["pulumi"] == version("pulumi")
    assert pins["pulumi-policy"] == version("pulumi-policy")


def test_the_pack_makes_its_own_virtualenv_and_never_publishes_it() -> None:
    from ruamel.yaml import YAML

    runtime = YAML(typ="safe").load((PACK / "PulumiPolicy.yaml").read_text())["runtime"]
    assert runtime == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    ignored = (PACK / ".pulumiignore").read_text().split()
    assert "venv/" in ignored and "__pycache__/" in ignored
