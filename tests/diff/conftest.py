"""The catalog change issue 10 describes, applied to a copy of catalog.yaml: one consumer
added to a restricted secret in prod, one rotation lengthened, one secret removed from prod."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def modified_catalog(text: str) -> str:
    # 1. billing-worker may now read the restricted Stripe key, in prod only
    consumer = "      - {service: checkout-api, access: read, environments: [dev, prod]}\n"
    text = edit(
        text,
        consumer,
        consumer + "      - {service: billing-worker, access: read, environments: [prod]}\n",
    )
    # 2. the LDAP bind password rotates every 90 days instead of 60
    text = edit(text, "    rotation: {every: 60d}\n", "    rotation: {every: 90d}\n")
    # 3. the webhook signing key leaves prod (without being retired there first)
    return edit(
        text,
        "    compliance: [soc2]\n    replicas: [eu-central-1]\n",
        "    compliance: [soc2]\n    environments: [dev, staging]\n    replicas: [eu-central-1]\n",
    )


@pytest.fixture(scope="session")
def change_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder (no Pulumi project, so no stack files) with base.yaml, the example catalog,
    and catalog.yaml, the changed copy."""
    folder = tmp_path_factory.mktemp("change")
    original = (ROOT / "catalog.yaml").read_text()
    (folder / "base.yaml").write_text(original)
    (folder / "catalog.yaml").write_text(modified_catalog(original))
    return folder


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run(
        [*SECCAT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        timeout=300,
    )
