"""`seccat events` on input a careless or hostile hand made: never a traceback, always a
located usage error (exit 2) or events that follow the documented schema.

Found by a red-team pass: a 5,000-digit number or 100,000 nested brackets made the JSON
parser raise something other than JSONDecodeError, and a record whose fields had other types
than AWS and Vault write (``userIdentity: 5``, ``token_policies: "root"``, ``response: []``,
an ``eventTime`` that is no time) crashed the normalisers with a traceback and exit 1.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seccat.events import collect
from seccat.events.sources import EventsInputError, cloudtrail_file, vault_audit_file

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA = json.loads((ROOT / "schema" / "events.schema.json").read_text())
ACCOUNT = "222222222222"
STRIPE = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:prod/payments/stripe-api-key-AbCdEf"

#: A Secrets Manager record of catalog.yaml's prod with every field seccat reads.
TRAIL_RECORD: dict[str, Any] = {
    "eventVersion": "1.08",
    "userIdentity": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEID:alice",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/payments-secrets-owner/alice",
        "accountId": ACCOUNT,
        "invokedBy": "cloudformation.amazonaws.com",
        "sessionContext": {
            "sessionIssuer": {
                "arn": f"arn:aws:iam::{ACCOUNT}:role/payments-secrets-owner",
                "userName": "payments-secrets-owner",
            },
            "attributes": {"creationDate": "2026-11-01T08:00:00Z", "mfaAuthenticated": "true"},
        },
    },
    "eventTime": "2026-11-01T09:00:00Z",
    "eventSource": "secretsmanager.amazonaws.com",
    "eventName": "RotateSecret",
    "eventType": "AwsApiCall",
    "awsRegion": "eu-west-1",
    "sourceIPAddress": "192.0.2.10",
    "requestParameters": {
        "secretId": STRIPE,
        "clientRequestToken": "tok-1",
        "versionStage": "AWSCURRENT",
        "recoveryWindowInDays": 7,
        "rotateImmediately": True,
        "rotationRules": {"automaticallyAfterDays": 30, "duration": "2h"},
    },
    "responseElements": {"arn": STRIPE, "name": "prod/payments/stripe-api-key", "versionId": "v2"},
    "additionalEventData": {"SecretId": STRIPE},
    "resources": [{"ARN": STRIPE}],
    "requestID": "1111",
    "eventID": "2222",
    "recipientAccountId": ACCOUNT,
    "errorCode": "AccessDenied",
    "errorMessage": "refused",
}

#: A response entry of an OpenBao file audit device on catalog.yaml's prod KV mount.
AUDIT_ENTRY: dict[str, Any] = {
    "time": "2026-11-01T09:00:00.123456789Z",
    "type": "response",
    "auth": {
        "display_name": "approle",
        "entity_id": "ent-1",
        "token_type": "service",
        "policies": ["default", "seccat-prod-service-checkout-api"],
        "token_policies": ["default", "seccat-prod-service-checkout-api"],
        "metadata": {"role_name": "checkout-api"},
        "policy_results": {"allowed": True},
    },
    "request": {
        "id": "req-1",
        "operation": "update",
        "mount_type": "kv",
        "mount_running_version": "v2.1.0+builtin.bao",
        "path": "kv-prod/data/identity/jwt-signing-key",
        "remote_address": "127.0.0.1",
        "remote_port": 50000,
    },
    "response": {"data": {"version": 3}, "secret": {"lease_id": "x"}},
    "error": "1 error occurred:\n\t* permission denied\n\n",
}

#: Every wrong type a field could hold.
WRONG = [None, 7, 1.5, True, "text", "", [], {}, ["a"], {"k": 1}, [None], [{}], 10**30]


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "events", "--stack", "prod", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env=os.environ.copy(),
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


def _mutants(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``record`` with one field replaced by each wrong type, or removed."""
    for path in _paths(record):
        for wrong in [*WRONG, KeyError]:
            mutant = copy.deepcopy(record)
            holder = mutant
            for step in path[:-1]:
                holder = holder[step]
            if wrong is KeyError:
                if not isinstance(holder, dict):
                    continue
                del holder[path[-1]]
            else:
                holder[path[-1]] = wrong
            yield mutant


@pytest.mark.parametrize(
    ("source", "base"), [("--cloudtrail", TRAIL_RECORD), ("--vault-audit", AUDIT_ENTRY)]
)
def test_every_wrong_field_is_refused_at_its_line_or_read_to_a_schema_valid_event(
    example_catalog, tmp_path: Path, source: str, base: dict[str, Any]
) -> None:
    path = tmp_path / "input.jsonl"
    read = cloudtrail_file if source == "--cloudtrail" else vault_audit_file
    refused = kept = 0
    for mutant in _mutants(base):
        path.write_text(json.dumps(mutant) + "\n")
        try:
            raws = read(path)
        except EventsInputError as exc:
            assert str(exc).startswith(f"{path}"), str(exc)
            refused += 1
            continue
        trail, audit = (raws, []) if source == "--cloudtrail" else ([], raws)
        for event in collect(example_catalog, None, trail, audit).events:
            jsonschema.validate(event, SCHEMA)
            kept += 1
    # the base record itself becomes an event, and both outcomes occur: the check can fail
    path.write_text(json.dumps(base) + "\n")
    raws = read(path)
    trail, audit = (raws, []) if source == "--cloudtrail" else ([], raws)
    assert len(collect(example_catalog, None, trail, audit).events) == 1
    assert refused > 50 and kept > 50, (refused, kept)


@pytest.mark.parametrize("source", ["--cloudtrail", "--vault-audit"])
def test_an_error_quoting_a_credential_is_redacted_in_status_detail(
    example_catalog, tmp_path: Path, source: str
) -> None:
    """An error text is the one free text copied out of a record; a database driver's
    message can hold the connection URL it failed on, password and all."""
    leak = (
        "dial postgres://admin:Hunter2-Sx9q@db.internal:5432/app failed; token AKIAIOSFODNN7EXAMPLE"
    )
    record = copy.deepcopy(TRAIL_RECORD if source == "--cloudtrail" else AUDIT_ENTRY)
    record["errorMessage" if source == "--cloudtrail" else "error"] = leak
    path = tmp_path / "input.jsonl"
    read = cloudtrail_file if source == "--cloudtrail" else vault_audit_file

    def shown(rec: dict[str, Any]) -> str:
        path.write_text(json.dumps(rec) + "\n")
        raws = read(path)
        trail, audit = (raws, []) if source == "--cloudtrail" else ([], raws)
        (event,) = collect(example_catalog, None, trail, audit).events
        return json.dumps(event)

    text = shown(record)
    assert "Hunter2" not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    assert "[a URL with a password, not shown]" in text
    if source == "--cloudtrail":  # the Vault error is cut at 200 characters, after redaction
        assert "[an AWS access key id, not shown]" in text
    # negative control: an ordinary error is copied as it is
    record["errorMessage" if source == "--cloudtrail" else "error"] = "connection refused to db"
    assert "connection refused to db" in shown(record)


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ("--cloudtrail", b"1" * 5000 + b"\n", ":1: not JSON seccat reads (a number too long)"),
        (
            "--cloudtrail",
            b"[" * 100_000 + b"]" * 100_000,
            ":1: not JSON seccat reads (nested too deeply)",
        ),
        (
            "--vault-audit",
            b'{"type": "response", "time": ' + b"1" * 5000 + b"}\n",
            ":1: not JSON seccat reads (a number too long)",
        ),
        ("--vault-audit", b"[" * 100_000 + b"\n", ":1: not JSON seccat reads (nested too deeply)"),
        (
            "--cloudtrail",
            json.dumps({**TRAIL_RECORD, "userIdentity": 5}).encode(),
            ": not a CloudTrail record: userIdentity: expected an object, got a number",
        ),
        (
            "--cloudtrail",
            json.dumps(TRAIL_RECORD).encode()
            + b"\n"
            + json.dumps({"Records": [{**TRAIL_RECORD, "eventTime": "yesterday"}]}).encode(),
            ":2: not a CloudTrail record: eventTime: expected an ISO 8601 time",
        ),
        (
            "--vault-audit",
            json.dumps({**AUDIT_ENTRY, "auth": {"token_policies": "root"}}).encode() + b"\n",
            ":1: not a Vault audit entry: auth.token_policies: expected a list, got a string",
        ),
        (
            "--vault-audit",
            json.dumps({**AUDIT_ENTRY, "time": "0001-01-01T00:00:00+01:00"}).encode() + b"\n",
            ":1: not a Vault audit entry: time: expected an ISO 8601 time",
        ),
    ],
)
def test_a_hostile_input_is_a_located_usage_error(
    tmp_path: Path, source: str, content: bytes, message: str
) -> None:
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(content)
    result = run(source, str(path))
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""
    assert result.stderr.decode() == f"seccat: error: {path}{message}\n"


@pytest.mark.parametrize(
    ("source", "path", "message"),
    [
        ("--cloudtrail", "/dev/zero", "/dev/zero: not a regular file"),
        ("--vault-audit", "/dev/urandom", "/dev/urandom: not a regular file"),
        ("--cloudtrail", str(FIXTURES), f"{FIXTURES}: a folder"),
    ],
)
def test_a_device_or_folder_is_refused_at_once(source: str, path: str, message: str) -> None:
    """A device never ends: it was read until memory ran out."""
    result = run(source, path)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == f"seccat: error: {message}\n"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--since", "9999-12-31T23:59:59-05:00"), ("--until", "0001-01-01T00:00:00+05:00")],
)
def test_a_time_past_the_limits_of_dates_is_a_usage_error(option: str, value: str) -> None:
    """Red-team finding: these parse, but lie outside years 1 to 9999 in UTC (OverflowError)."""
    result = run("--cloudtrail", str(FIXTURES / "aws-docs-create-secret.json"), option, value)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == (
        f"seccat: error: {option}: {value!r} is not an ISO 8601 date or time\n"
    )
