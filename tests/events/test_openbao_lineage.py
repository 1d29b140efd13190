"""`seccat events` on a real OpenBao audit log: the example catalog's prod environment applied
to a fresh OpenBao (its own audit device), then driven through the generated policies: the
identity team's KV rotator rotates a key twice, the consuming service reads it and is refused
a write, the owner renews a certificate, an etl login is read before and after its static
role rotates, and a dynamic login is issued and revoked. The audit log that produces is the
input; the timeline must say exactly that, and no value may appear in any output."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hvac
import jsonschema
import pytest
from servers.openbao import running_openbao
from servers.postgres import running_postgres
from vault.conftest import prepare_database
from vault.harness import DatabaseTarget, VaultHarness, record
from vault_kv.rotator import rotate, write_version

from seccat.catalog.loader import load_catalog

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "catalog.yaml"
SCHEMA = json.loads((ROOT / "schema" / "events.schema.json").read_text())
TIMELINE = json.loads((ROOT / "schema" / "timeline.schema.json").read_text())
KV = "kv-prod"
KEY = "identity/jwt-signing-key"
CERT = "identity/saml-signing-cert"


@dataclass(frozen=True)
class Lineage:
    log: Path
    #: Every value written or read during the scenario.
    values: tuple[str, ...]
    lease_id: str


@pytest.fixture(scope="module")
def lineage() -> Iterator[Lineage]:
    # A PostgreSQL cluster of its own: the Vault tests' session cluster holds the same logins
    # (vault_admin, etl_loader) with their own passwords, which this scenario would change.
    with running_postgres() as postgres_server, running_openbao() as server:
        example = load_catalog(EXAMPLE)
        password = secrets.token_urlsafe(24)
        prepare_database(postgres_server, example, password)
        harness = VaultHarness(
            server.client(),
            DatabaseTarget(postgres_server.host, postgres_server.port, password),
            server.scratch,
        )
        harness.apply(record(example, "prod", EXAMPLE))
        root = server.client()
        values: list[str] = []

        rotator = server.client(harness.token_for("aws-prod", "kv-rotator-identity"))
        consumer = server.client(harness.token_for("kubernetes-prod", "auth-service"))
        for _ in range(2):
            rotate(rotator, KV, KEY)
            read = consumer.secrets.kv.v2.read_secret_version(path=KEY, mount_point=KV)
            values.append(read["data"]["data"]["value"])
        with pytest.raises(hvac.exceptions.Forbidden):
            write_version(consumer, KV, KEY, {"value": "not-allowed-" + secrets.token_hex(8)}, 2)

        writer_token = root.auth.token.create(
            policies=["seccat-prod-team-identity-writer"], ttl="10m"
        )["auth"]["client_token"]
        writer = server.client(writer_token)
        for version in (0, 1):
            certificate = "-----BEGIN CERTIFICATE-----" + secrets.token_hex(24)
            write_version(writer, KV, CERT, {"value": certificate}, version)
            values.append(certificate)

        etl = server.client(harness.token_for("aws-prod", "etl-runner"))
        first = etl.read("database-prod/static-creds/data.warehouse-etl")["data"]["password"]
        root.write("database-prod/rotate-role/data.warehouse-etl")
        second = etl.read("database-prod/static-creds/data.warehouse-etl")["data"]["password"]
        assert first != second
        values += [first, second]

        reporter = server.client(harness.token_for("aws-prod", "reporting-api"))
        lease = reporter.read("database-prod/creds/data.warehouse-reader")
        values.append(lease["data"]["password"])
        # The lease id in the path keeps the revocation attributable (docs/events.md).
        root.write(f"sys/leases/revoke/{lease['lease_id']}")

        log = server.scratch / "audit-file.log"
        yield Lineage(log, tuple(values), lease["lease_id"])


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "events", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


def steps(timeline: dict) -> list[tuple]:
    return [
        (e["step"], e["operation"], e["actor"]["kind"], e.get("version"), e["status"])
        for e in timeline["events"]
    ]


def test_timeline_from_real_openbao_audit_output(lineage: Lineage) -> None:
    result = run("--stack", "prod", "--vault-audit", str(lineage.log), "--format", "timeline")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, TIMELINE)  # the documented shape (docs/events.md)
    assert document["schema"] == "seccat-lineage/1" and document["stacks"] == ["prod"]
    by_secret = {t["secret"]: t for t in document["timelines"]}
    deployed = ("configured", "create", "operator", None, "Success")  # the KV metadata write
    looked_up = ("read", "read", "operator", None, "Success")  # the deployment reads it back
    # Secrets nobody used in the scenario show only their deployment.
    for untouched in (
        "data/legacy-ftp-password",
        "identity/ldap-bind-password",
        "identity/oauth-client-secret",
    ):
        assert steps(by_secret[untouched]) == [deployed, looked_up], untouched

    key = by_secret[KEY]
    assert (key["environment"], key["team"], key["store"]) == ("prod", "identity", "vault-kv")
    # The rotator writes (reading only metadata, for check-and-set), the service reads and is
    # refused a write.
    assert steps(key) == [
        deployed,
        looked_up,
        ("read", "read", "rotation", None, "Success"),
        ("created", "update", "rotation", "1", "Success"),
        ("read", "read", "service", "1", "Success"),
        ("read", "read", "rotation", None, "Success"),
        ("rotated", "update", "rotation", "2", "Success"),
        ("read", "read", "service", "2", "Success"),
        ("denied", "update", "service", None, "Failure"),
    ]
    services = {e["actor"].get("service") for e in key["events"] if e["actor"]["kind"] == "service"}
    assert services == {"auth-service"}
    assert key["created"]["version"] == "1" and key["created"]["actor"]["kind"] == "rotation"
    assert [(r["step"], r["version"]) for r in key["rotations"]] == [("rotated", "2")]
    assert (key["reads"], key["denied"], key["revoked"]) == (5, 1, None)

    cert = by_secret[CERT]
    assert steps(cert) == [
        deployed,
        looked_up,
        ("created", "update", "owner", "1", "Success"),
        ("renewed", "update", "owner", "2", "Success"),
    ]
    assert [(r["step"], r["version"]) for r in cert["rotations"]] == [("renewed", "2")]

    etl = by_secret["data/warehouse-etl"]
    assert steps(etl) == [
        ("created", "create", "operator", None, "Success"),  # the static role takes the login
        ("read", "read", "service", None, "Success"),
        ("rotated", "update", "operator", None, "Success"),
        ("read", "read", "service", None, "Success"),
    ]
    assert [e["actor"].get("service") for e in etl["events"] if e["step"] == "read"] == [
        "etl-runner",
        "etl-runner",
    ]
    assert len(etl["rotations"]) == 1 and etl["created"]["step"] == "created"

    reader = by_secret["data/warehouse-reader"]
    assert steps(reader) == [
        ("configured", "create", "operator", None, "Success"),
        ("issued", "read", "service", None, "Success"),
        ("revoked", "update", "operator", None, "Success"),
    ]
    assert reader["issued"][0]["actor"]["service"] == "reporting-api"
    assert reader["revoked"]["step"] == "revoked" and reader["rotations"] == []


def test_jsonl_events_follow_the_documented_schema(lineage: Lineage) -> None:
    result = run("--stack", "prod", "--vault-audit", str(lineage.log))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    events = [json.loads(line) for line in lines]
    assert events, "the scenario produced no event"
    for event in events:
        jsonschema.validate(event, SCHEMA)
    issued = next(e for e in events if e["unmapped"]["seccat"]["step"] == "issued")
    assert issued["unmapped"]["seccat"]["details"]["lease_id"] == lineage.lease_id
    assert issued["metadata"]["product"]["name"] == "OpenBao"
    assert issued["actor"]["app_name"] == "reporting-api"
    assert issued["resources"] == [
        {
            "type": "Vault database role",
            "name": "prod/data/warehouse-reader",
            "uid": "database-prod/creds/data.warehouse-reader",
        }
    ]
    # Token creation and the harness's own setup are not secret lineage: left out, counted.
    assert b"not about a seccat secret" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "timeline", "markdown"])
def test_no_value_reaches_any_output(lineage: Lineage, fmt: str) -> None:
    text = lineage.log.read_text()
    # The audit device HMACs values: the precondition the test relies on.
    assert all(v not in text for v in lineage.values)
    result = run("--stack", "prod", "--vault-audit", str(lineage.log), "--format", fmt)
    assert result.returncode == 0, result.stderr
    for value in lineage.values:
        assert value.encode() not in result.stdout + result.stderr


def test_a_raw_logging_device_still_leaks_nothing(lineage: Lineage, tmp_path: Path) -> None:
    """A device with log_raw on writes values in the clear; the normaliser copies no body,
    so they still never reach the output (negative control: they are in the input)."""
    leaked = "raw-" + secrets.token_hex(16)
    raw = tmp_path / "raw.log"
    lines = []
    for line in lineage.log.read_text().splitlines():
        entry = json.loads(line)
        if entry["request"].get("path") == f"{KV}/data/{KEY}" and entry["type"] == "response":
            entry.setdefault("response", {}).setdefault("data", {})["data"] = {"value": leaked}
            entry["request"]["data"] = {"data": {"value": leaked}}
        lines.append(json.dumps(entry))
    raw.write_text("\n".join(lines) + "\n")
    assert leaked in raw.read_text()
    for fmt in ("jsonl", "timeline", "markdown"):
        result = run("--stack", "prod", "--vault-audit", str(raw), "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert leaked.encode() not in result.stdout + result.stderr


def test_other_environments_are_left_out(lineage: Lineage) -> None:
    result = run("--stack", "dev", "--vault-audit", str(lineage.log))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b""
    assert b"other environments" in result.stderr
