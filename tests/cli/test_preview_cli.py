"""`seccat preview` and `seccat render` as a user runs them: a subprocess, stdout, exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]


def run(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None):
    return subprocess.run(
        [*SECCAT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        timeout=120,
    )


def test_text_preview_is_a_tree_with_counts():
    result = run("preview", "--stack", "prod")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Previewing update (offline) of seccat stack 'prod' from catalog.yaml"
    assert " +   pulumi:pulumi:Stack" in lines[3]
    assert any("└─ seccat:index:SecretsPlatform" in line for line in lines)
    kms = next(line for line in lines if " prod-kms " in line)
    assert kms.endswith("protected, retained")
    assert "Resources:" in lines
    assert "By type:" in lines
    assert "\x1b[" not in result.stdout  # NO_COLOR


def test_json_preview_is_the_documented_shape():
    result = run("preview", "--stack", "dev", "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schemaVersion"] == 1
    assert doc["stack"] == "dev"
    assert doc["summary"]["resources"] == len(doc["resources"])
    key = next(r for r in doc["resources"] if r["name"] == "dev-kms")
    assert set(key) == {
        "type",
        "name",
        "urn",
        "parent",
        "custom",
        "catalogRef",
        "provider",
        "dependencies",
        "inputs",
        "options",
    }
    assert key["options"]["protect"] is False
    assert key["catalogRef"] == ["environments", "dev"]
    assert key["provider"] == {
        "package": "aws",
        "urn": None,
        "region": "eu-west-1",
        "account": "111111111111",
    }
    assert key["dependencies"] == []


def test_markdown_preview():
    result = run("preview", "--stack", "staging", "--format", "markdown")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("### seccat preview: stack `staging`\n")
    # alarms, and the renewals of data (Secrets Manager) and identity (Vault KV)
    assert "| `aws:sns/topic:Topic` | 3 |" in result.stdout


def test_unknown_stack_exits_2_with_the_known_ones():
    result = run("preview", "--stack", "qa")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "seccat: error: stack 'qa' names no environment in catalog.yaml (known: dev, prod, staging)"
    )


def test_missing_catalog_exits_2(tmp_path):
    result = run("preview", "--stack", "dev", "--catalog", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert result.stderr == (
        f"{tmp_path / 'nope.yaml'}:1:1: error: cannot read the catalog: no such file (READ)\n"
    )


def test_invalid_catalog_exits_1_with_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "catalog.yaml").read_text().replace("owner: payments", "owner: nobody"))
    result = run("preview", "--stack", "dev", "--catalog", str(bad))
    assert result.returncode == 1
    assert f"{bad}:" in result.stderr
    assert "nobody" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2():
    result = run("preview")
    assert result.returncode == 2
    assert "--stack" in result.stderr


def test_help_shows_examples():
    result = run("preview", "--help")
    assert result.returncode == 0
    assert "seccat preview --stack prod --format json" in result.stdout


def test_render_writes_documents_and_inventory(tmp_path):
    out = tmp_path / "rendered"
    result = run("render", "--stack", "prod", "--out", str(out))
    assert result.returncode == 0, result.stderr
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    files.remove(".seccat-render.json")  # the manifest --clean reads: every file but itself
    manifest = json.loads((out / ".seccat-render.json").read_text())
    assert manifest == {"schemaVersion": 1, "files": sorted(files)}
    assert "inventory.json" in files
    assert "kms/key-policies/prod-kms.json" in files
    policy = json.loads((out / "kms/key-policies/prod-kms.json").read_text())
    assert policy["Id"] == "seccat-prod-key-policy"
    inventory = json.loads((out / "inventory.json").read_text())
    assert inventory["stack"] == "prod"
    assert result.stderr.startswith(f"wrote {len(files)} files to ")


def test_render_writes_vault_policies_and_sql(tmp_path):
    out = tmp_path / "rendered"
    assert run("render", "--stack", "prod", "--out", str(out)).returncode == 0
    hcl = (out / "vault/policies/prod-vault-policy-service-user-directory.hcl").read_text()
    paths = [line for line in hcl.splitlines() if line.startswith("path ")]
    assert paths == [
        'path "kv-prod/data/identity/ldap-bind-password" {',
        'path "kv-prod/metadata/identity/ldap-bind-password" {',
    ]
    rotation = out / "vault/sql/rotation/prod-vault-db-role-data.warehouse-etl.sql"
    assert rotation.read_text() == "ALTER ROLE \"{{name}}\" WITH PASSWORD '{{password}}';\n"
    creation = out / "vault/sql/creation/prod-vault-db-role-data.warehouse-reader.sql"
    assert 'GRANT "warehouse_reader" TO "{{name}}";' in creation.read_text()
