"""The handlers import with only what Lambda provides: its runtime's boto3 plus our layer.

Catches a handler that quietly depends on the dev environment (psycopg, seccat, moto...).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import botocore
import pytest

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
ENTRY_POINTS = (
    "rotation.generated.handler",
    "rotation.postgres.handler",
    "vault_kv.rotator.handler",
)
#: What the AWS Python Lambda runtimes bring besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "six", "urllib3")


@pytest.fixture(scope="module")
def lambda_path(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    sys.path.insert(0, str(FUNCTIONS))
    try:
        import build_layer
    finally:
        sys.path.remove(str(FUNCTIONS))
    tmp = tmp_path_factory.mktemp("lambda")
    layer = build_layer.build_layer(tmp / "layer")
    runtime = tmp / "runtime"
    runtime.mkdir()
    site = Path(boto3.__file__).parents[1]
    assert Path(botocore.__file__).parents[1] == site
    for name in RUNTIME_PACKAGES:
        source = site / name if (site / name).is_dir() else site / f"{name}.py"
        assert source.exists(), source
        (runtime / source.name).symlink_to(source)
    return [FUNCTIONS, layer, runtime]


def test_handlers_import_with_runtime_and_layer_only(lambda_path: list[Path]) -> None:
    script = f"""
import importlib, sys
sys.path[:0] = {[str(p) for p in lambda_path]!r}
for entry in {ENTRY_POINTS!r}:
    module, _, function = entry.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function)), entry
for absent in ("psycopg", "seccat", "moto", "pytest"):
    try:
        importlib.import_module(absent)
    except ImportError:
        continue
    raise SystemExit(f"{{absent}} is importable: the isolation is broken")
print("ok")
"""
    # -I -S: no site-packages, no cwd, no PYTHONPATH: only the paths above and the stdlib.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=lambda_path[1],
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_layer_has_no_compiled_modules(lambda_path: list[Path]) -> None:
    layer = lambda_path[1]
    assert not list(layer.rglob("*.so"))
    assert (layer / "pg8000").is_dir() and (layer / "hvac").is_dir()
