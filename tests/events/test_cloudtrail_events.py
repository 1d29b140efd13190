"""`seccat events` on CloudTrail records shaped exactly as AWS documents them.

Fixtures (tests/events/fixtures/, each verbatim from its source, see README.md there):

* aws-docs-create-secret.json, aws-docs-delete-secret.json: the CreateSecret and DeleteSecret
  log entries of the Secrets Manager user guide, "Logging AWS Secrets Manager events with AWS
  CloudTrail" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieve-ct-entries.html);
  DeleteSecret still carries ``aRN``, the capitalisation the user guide says records had
  before February 2024;
* aws-docs-lookup-events.json: the ``aws cloudtrail lookup-events`` output of the same page
  (the page wraps the CloudTrailEvent string for reading; "the real output is not");
* aws-blog-rotation-succeeded.json: a RotationSucceeded event as EventBridge delivers it,
  from the AWS Database Blog post "Multi-user secrets rotation for Amazon RDS".

The scenario records for catalog.yaml's secrets are those documented records with only
their identifiers, times and identities changed (``shaped``), the identities following the
CloudTrail user guide's userIdentity element for assumed roles
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
"""

from __future__ import annotations

import copy
import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from seccat.catalog.loader import load_catalog
from seccat.documents.lineage import lineage_pattern, log_group_name
from seccat.events import cloudtrail
from seccat.events.attribution import CatalogIndex

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMA = json.loads((ROOT / "schema" / "events.schema.json").read_text())
TIMELINE = json.loads((ROOT / "schema" / "timeline.schema.json").read_text())
ACCOUNT, REGION = "222222222222", "eu-west-1"
ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:"
STRIPE = f"{ARN}prod/payments/stripe-api-key-AbCdEf"
WEBHOOK = f"{ARN}prod/payments/webhook-signing-key-Xy12Ab"
ROTATOR = "seccat-prod-rotate-payments_webhook-signing-key"
#: A value-like field no CloudTrail record carries, planted to prove it is dropped.
PLANTED = "sk_live_51HqPlantedValueThatMustNeverBeCopied0123456789"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "events", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def role(name: str, session: str = "session") -> dict[str, Any]:
    """userIdentity of an assumed-role session (CloudTrail user guide, userIdentity)."""
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEID:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEID",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "accountId": ACCOUNT,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-11-01T08:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def shaped(template: str, n: int, time: str, name: str, **changes: Any) -> dict[str, Any]:
    """A documented record with only identifiers, time, identity and parameters changed."""
    record = copy.deepcopy(fixture(template))
    record = record.get("detail", record)
    record |= {
        "eventTime": time,
        "eventName": name,
        "awsRegion": REGION,
        "recipientAccountId": ACCOUNT,
        "eventID": f"{n:08d}-0000-4000-8000-000000000000",
        "requestID": f"{n:08d}-1111-4000-8000-000000000000",
    }
    record.update(changes)
    return record


def scenario() -> list[dict[str, Any]]:
    create, delete, service = (
        "aws-docs-create-secret.json",
        "aws-docs-delete-secret.json",
        "aws-blog-rotation-succeeded.json",
    )
    deploy = role("github-deploy", "pulumi-up")
    owner = role("payments-secrets-owner", "alice")
    aws = {"accountId": ACCOUNT, "invokedBy": "secretsmanager.amazonaws.com"}
    return [
        shaped(
            create,
            1,
            "2026-11-01T09:00:00Z",
            "CreateSecret",
            userIdentity=deploy,
            requestParameters={
                "name": "prod/payments/stripe-api-key",
                "clientRequestToken": "v-stripe-0",
            },
            responseElements={"arn": STRIPE, "name": "prod/payments/stripe-api-key"},
        ),
        # The owner puts Stripe's key from a file: CloudTrail never logs the value; the
        # planted field proves seccat would not pass one on if it did.
        shaped(
            create,
            2,
            "2026-11-01T09:05:00Z",
            "PutSecretValue",
            userIdentity=owner,
            requestParameters={
                "secretId": "prod/payments/stripe-api-key",
                "clientRequestToken": "v-stripe-1",
                "secretString": PLANTED,
            },
            responseElements={
                "arn": STRIPE,
                "versionId": "v-stripe-1",
                "versionStages": ["AWSCURRENT"],
            },
        ),
        shaped(
            create,
            3,
            "2026-11-02T10:00:00Z",
            "GetSecretValue",
            userIdentity=role("seccat-prod-checkout-api", "task-1"),
            requestParameters={"secretId": STRIPE},
            responseElements=None,
        ),
        shaped(
            create,
            4,
            "2026-11-02T10:01:00Z",
            "GetSecretValue",
            userIdentity=role("intruder", "x"),
            requestParameters={"secretId": STRIPE},
            responseElements=None,
            errorCode="AccessDenied",
            errorMessage="User is not authorized to perform: secretsmanager:GetSecretValue",
        ),
        shaped(
            create,
            5,
            "2026-11-01T09:00:30Z",
            "CreateSecret",
            userIdentity=deploy,
            requestParameters={
                "name": "prod/payments/webhook-signing-key",
                "clientRequestToken": "v-webhook-0",
            },
            responseElements={"arn": WEBHOOK},
        ),
        shaped(
            create,
            6,
            "2026-11-01T09:01:00Z",
            "RotateSecret",
            userIdentity=deploy,
            requestParameters={
                "secretId": WEBHOOK,
                "rotateImmediately": True,
                "rotationLambdaARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{ROTATOR}",
                "rotationRules": {"automaticallyAfterDays": 90, "duration": "4h"},
            },
            responseElements={"arn": WEBHOOK},
        ),
        shaped(
            service,
            7,
            "2026-11-01T09:01:05Z",
            "RotationStarted",
            userIdentity=aws,
            additionalEventData={"SecretId": WEBHOOK},
        ),
        shaped(
            create,
            8,
            "2026-11-01T09:01:10Z",
            "PutSecretValue",
            userIdentity=role(ROTATOR, "rotation"),
            requestParameters={
                "secretId": WEBHOOK,
                "clientRequestToken": "v-webhook-1",
                "versionStages": ["AWSPENDING"],
            },
            responseElements={"arn": WEBHOOK, "versionId": "v-webhook-1"},
        ),
        shaped(
            create,
            9,
            "2026-11-01T09:01:20Z",
            "UpdateSecretVersionStage",
            userIdentity=role(ROTATOR, "rotation"),
            requestParameters={
                "secretId": WEBHOOK,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": "v-webhook-1",
                "removeFromVersionId": "v-webhook-0",
            },
            responseElements={"arn": WEBHOOK},
        ),
        shaped(
            service,
            10,
            "2026-11-01T09:01:25Z",
            "RotationSucceeded",
            userIdentity=aws,
            additionalEventData={"SecretId": WEBHOOK},
        ),
        shaped(
            service,
            11,
            "2026-11-20T04:00:00Z",
            "RotationFailed",
            userIdentity=aws,
            additionalEventData={"SecretId": WEBHOOK},
        ),
        shaped(
            create,
            12,
            "2026-11-20T04:30:00Z",
            "UpdateSecretVersionStage",
            userIdentity=owner,
            requestParameters={
                "secretId": "prod/payments/webhook-signing-key",
                "versionStage": "AWSCURRENT",
                "moveToVersionId": "v-webhook-0",
                "removeFromVersionId": "v-webhook-1",
            },
            responseElements={"arn": WEBHOOK},
        ),
        shaped(
            create,
            13,
            "2026-12-01T09:00:00Z",
            "PutSecretValue",
            userIdentity=owner,
            requestParameters={"secretId": STRIPE, "clientRequestToken": "v-stripe-2"},
            responseElements={"arn": STRIPE, "versionId": "v-stripe-2"},
        ),
        shaped(
            delete,
            14,
            "2026-12-01T10:00:00Z",
            "DeleteSecret",
            userIdentity=owner,
            requestParameters={"recoveryWindowInDays": 30, "secretId": WEBHOOK},
            responseElements={
                "name": "prod/payments/webhook-signing-key",
                "deletionDate": "Dec 31, 2026 10:00:00 AM",
                "aRN": WEBHOOK,
            },
        ),
        shaped(
            create,
            15,
            "2026-12-01T11:00:00Z",
            "RestoreSecret",
            userIdentity=owner,
            requestParameters={"secretId": WEBHOOK},
            responseElements={"arn": WEBHOOK},
        ),
        # dev's secret of the same id never shows in prod's lineage
        shaped(
            delete,
            16,
            "2026-12-01T12:00:00Z",
            "DeleteSecret",
            userIdentity=owner,
            requestParameters={
                "recoveryWindowInDays": 7,
                "secretId": "dev/payments/stripe-api-key",
            },
            responseElements={
                "name": "dev/payments/stripe-api-key",
                "aRN": f"{ARN.replace(ACCOUNT, '111111111111')}dev/payments/stripe-api-key-Zz99Zz",
            },
        ),
    ]


# --- the documented records ------------------------------------------------------------------


def test_documented_delete_secret_becomes_this_exact_event() -> None:
    index = CatalogIndex.build(load_catalog(ROOT / "catalog.yaml"))
    event = cloudtrail.normalize(fixture("aws-docs-delete-secret.json"), index)
    assert event == {
        "class_uid": 6003,
        "class_name": "API Activity",
        "category_uid": 6,
        "category_name": "Application Activity",
        "activity_id": 4,
        "activity_name": "Delete",
        "type_uid": 600304,
        "type_name": "API Activity: Delete",
        "time": 1522777862000,
        "time_dt": "2018-04-03T17:51:02.000Z",
        "severity_id": 1,
        "severity": "Informational",
        "status_id": 1,
        "status": "Success",
        "message": "DeleteSecret on MyDatabaseSecret by arn:aws:iam::123456789012:root",
        "metadata": {
            "version": "1.1.0",
            "product": {
                "name": "CloudTrail",
                "vendor_name": "AWS",
                "feature": {"name": "Secrets Manager"},
            },
            "uid": "EXAMPLE3-90ab-cdef-fedc-ba987EXAMPLE",
            "event_code": "DeleteSecret",
            "original_time": "2018-04-03T17:51:02Z",
            "log_name": "CloudTrail",
            "profiles": ["cloud"],
        },
        "api": {
            "operation": "DeleteSecret",
            "service": {"name": "secretsmanager.amazonaws.com"},
            "request": {"uid": "EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE"},
        },
        "actor": {
            "user": {
                "type": "Root",
                "uid": "arn:aws:iam::123456789012:root",
                "name": "myusername",
                "account": {"uid": "123456789012"},
            },
            "session": {"created_time_dt": "2018-04-03T17:43:50Z", "is_mfa": False},
        },
        "src_endpoint": {},
        "cloud": {"provider": "AWS", "region": "us-east-2", "account": {"uid": "123456789012"}},
        "resources": [
            {
                "type": "AWS::SecretsManager::Secret",
                "name": "MyDatabaseSecret",
                "uid": "arn:aws:secretsmanager:us-east-2:123456789012:secret:"
                "MyDatabaseSecret-a1b2c3",
            }
        ],
        "unmapped": {
            "seccat": {
                "environment": None,
                "secret": None,
                "team": None,
                "service": None,
                "actor_kind": "other",
                "store": "aws-secretsmanager",
                "step": "deletion-scheduled",
                "in_catalog": False,
                "version": None,
                "details": {
                    "recoveryWindowInDays": 30,
                    "response.deletionDate": "May 3, 2018 5:51:02 PM",
                },
            }
        },
    }
    # The access key id in the documented identity is not copied.
    assert "AKIAIOSFODNN7EXAMPLE" not in json.dumps(event)


@pytest.mark.parametrize(
    ("name", "step", "secret_name"),
    [
        ("aws-docs-create-secret.json", "created", "MyDatabaseSecret"),
        ("aws-docs-delete-secret.json", "deletion-scheduled", "MyDatabaseSecret"),
        ("aws-docs-lookup-events.json", "created", "MyTestSecret"),
        ("aws-blog-rotation-succeeded.json", "rotated", "Appuser-pyodbc"),
    ],
)
def test_every_documented_shape_is_read(name: str, step: str, secret_name: str) -> None:
    """Each documented delivery shape, as the CLI reads it: outside the catalog, kept only
    with --all-stacks, and valid under the published schema."""
    result = run("--all-stacks", "--cloudtrail", str(FIXTURES / name))
    assert result.returncode == 0, result.stderr
    (event,) = [json.loads(line) for line in result.stdout.decode().splitlines()]
    jsonschema.validate(event, SCHEMA)
    assert event["unmapped"]["seccat"]["step"] == step
    assert event["resources"][0]["name"] == secret_name
    assert event["unmapped"]["seccat"]["in_catalog"] is False
    assert run("--stack", "prod", "--cloudtrail", str(FIXTURES / name)).stdout == b""


# --- the catalog's secrets ---------------------------------------------------------------


@pytest.fixture(scope="module")
def trail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario as a trail delivers it to S3: gzipped {"Records": [...]}."""
    path = tmp_path_factory.mktemp("trail") / "222222222222_CloudTrail_eu-west-1.json.gz"
    path.write_bytes(gzip.compress(json.dumps({"Records": scenario()}).encode()))
    return path


def test_the_lineage_of_each_credential(trail: Path) -> None:
    result = run("--stack", "prod", "--cloudtrail", str(trail), "--format", "timeline")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, TIMELINE)
    timelines = {t["secret"]: t for t in document["timelines"]}
    assert sorted(timelines) == ["payments/stripe-api-key", "payments/webhook-signing-key"]

    stripe = timelines["payments/stripe-api-key"]
    assert (stripe["environment"], stripe["team"]) == ("prod", "payments")
    assert stripe["created"]["time"] == "2026-11-01T09:00:00.000Z"
    # Stripe's key is owner-rotated: each put by the owner role is a renewal.
    assert [
        (r["time"], r["step"], r["actor"]["kind"], r["version"]) for r in stripe["rotations"]
    ] == [
        ("2026-11-01T09:05:00.000Z", "renewed", "owner", "v-stripe-1"),
        ("2026-12-01T09:00:00.000Z", "renewed", "owner", "v-stripe-2"),
    ]
    assert (stripe["reads"], stripe["denied"], stripe["revoked"]) == (1, 1, None)
    read = next(e for e in stripe["events"] if e["step"] == "read")
    assert read["actor"] == {
        "kind": "service",
        "service": "checkout-api",
        "identity": f"arn:aws:sts::{ACCOUNT}:assumed-role/seccat-prod-checkout-api/task-1",
    }

    webhook = timelines["payments/webhook-signing-key"]
    assert [(e["step"], e["operation"], e["actor"]["kind"]) for e in webhook["events"]] == [
        ("created", "CreateSecret", "other"),
        ("configured", "RotateSecret", "other"),
        ("rotation-started", "RotationStarted", "aws-service"),
        ("value-written", "PutSecretValue", "rotation"),
        ("stage-moved", "UpdateSecretVersionStage", "rotation"),
        ("rotated", "RotationSucceeded", "aws-service"),
        ("rotation-failed", "RotationFailed", "aws-service"),
        ("stage-moved", "UpdateSecretVersionStage", "owner"),
        ("deletion-scheduled", "DeleteSecret", "owner"),
        ("restored", "RestoreSecret", "owner"),
    ]
    # One rotation, counted once: the function's own put and stage move are part of it.
    assert [r["operation"] for r in webhook["rotations"]] == ["RotationSucceeded"]
    assert [f["operation"] for f in webhook["rotation_failures"]] == ["RotationFailed"]
    # The owner's rollback after the failure is a manual stage move.
    assert [(m["actor"]["kind"], m["version"]) for m in webhook["manual_stage_moves"]] == [
        ("owner", "v-webhook-0")
    ]
    assert webhook["revoked"] is None and len(webhook["restored"]) == 1


def test_every_delivery_shape_gives_the_same_events(trail: Path, tmp_path: Path) -> None:
    reference = run("--stack", "prod", "--cloudtrail", str(trail))
    assert reference.returncode == 0, reference.stderr
    records = scenario()
    shapes = {
        "plain.json": json.dumps({"Records": records}),
        "lookup-events.json": json.dumps(
            {"Events": [{"CloudTrailEvent": json.dumps(r)} for r in records]}
        ),
        "filter-log-events.json": json.dumps(
            {
                "events": [
                    {"message": json.dumps({"detail-type": "x", "detail": r})} for r in records
                ]
            }
        ),
        "records.jsonl": "".join(json.dumps(r) + "\n" for r in records),
    }
    for name, text in shapes.items():
        path = tmp_path / name
        path.write_text(text)
        result = run("--stack", "prod", "--cloudtrail", str(path))
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout == reference.stdout, name
    # The same records from two inputs count once.
    twice = run("--stack", "prod", "--cloudtrail", str(trail), "--cloudtrail", str(trail))
    assert twice.stdout == reference.stdout and b"duplicate records" in twice.stderr


def test_a_value_in_a_record_is_dropped(trail: Path) -> None:
    assert PLANTED.encode() in gzip.decompress(trail.read_bytes())  # the negative control
    for fmt in ("jsonl", "timeline", "markdown"):
        result = run("--stack", "prod", "--cloudtrail", str(trail), "--format", fmt)
        assert result.returncode == 0, result.stderr
        assert PLANTED.encode() not in result.stdout + result.stderr
        assert b"secretString" not in result.stdout
    events = [
        json.loads(x)
        for x in run("--stack", "prod", "--cloudtrail", str(trail)).stdout.splitlines()
    ]
    for event in events:
        jsonschema.validate(event, SCHEMA)


def test_markdown_escapes_what_records_carry(tmp_path: Path) -> None:
    hostile = shaped(
        "aws-docs-create-secret.json",
        1,
        "2026-11-01T09:00:00Z",
        "GetSecretValue",
        userIdentity=role("seccat-prod-checkout-api", "<img src=x onerror=alert(1)>|*x* @octocat"),
        requestParameters={"secretId": STRIPE},
        responseElements=None,
    )
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile))
    result = run("--stack", "prod", "--cloudtrail", str(path), "--format", "markdown")
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;\\|\\*x\\* @&#8203;octocat" in text
    assert re.search(r"[<>]", text) is None  # no tag survives unescaped
    assert "@octocat" not in text  # a mention would ping someone from an audit record


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"Records": [{"eventSource": 1}]}',
            "not a CloudTrail record (no eventSource/eventTime)",
        ),
        (b"{not json", "not JSON"),
        (b"\x1f\x8bnot gzip", "not a readable gzip file"),
    ],
)
def test_unreadable_input_is_a_located_usage_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = run("--stack", "prod", "--cloudtrail", str(path))
    assert result.returncode == 2
    assert result.stdout == b""
    assert result.stderr.decode().startswith(f"seccat: error: {path}")
    assert message in result.stderr.decode()


def test_usage_errors() -> None:
    assert run("--cloudtrail", "x").returncode == 2  # neither --stack nor --all-stacks
    missing = run("--stack", "prod")
    assert missing.returncode == 2 and b"nothing to read" in missing.stderr
    unknown = run("--stack", "nope", "--cloudtrail", str(FIXTURES / "aws-docs-create-secret.json"))
    assert unknown.returncode == 2 and b"names no environment" in unknown.stderr


# --- the deployed rule, on a real moto server -------------------------------------------------


def test_lineage_rule_delivers_exactly_the_environments_events(moto_server, trail: Path) -> None:
    """The generated rule, target and log group on moto: moto's EventBridge matches each
    record (as CloudTrail delivers it to EventBridge) against the generated pattern and
    writes matches to the log group; `seccat events --log-group -` reads them back through
    AWS_ENDPOINT_URL. Only prod's events arrive (negative control: dev's record and a record
    of a secret outside prod are sent too)."""
    account = "123456789012"  # moto's default, which a plain boto3 client reaches
    events = moto_server.client("events", REGION, account)
    logs = moto_server.client("logs", REGION, account)
    group = log_group_name("prod")
    logs.create_log_group(logGroupName=group)
    rule = events.put_rule(
        Name="seccat-prod-secret-lineage",
        EventPattern=json.dumps(lineage_pattern(REGION, ACCOUNT, "prod")),
    )
    assert rule["RuleArn"].endswith(":rule/seccat-prod-secret-lineage")
    events.put_targets(
        Rule="seccat-prod-secret-lineage",
        Targets=[
            {
                "Id": "seccat-secret-lineage",
                "Arn": f"arn:aws:logs:{REGION}:{account}:log-group:{group}",
            }
        ],
    )
    records = scenario()
    sent = []
    for record in records:
        detail_type = (
            "AWS Service Event via CloudTrail"
            if record.get("eventType") == "AwsServiceEvent"
            else "AWS API Call via CloudTrail"
        )
        sent.append(
            {
                "Source": "aws.secretsmanager",
                "DetailType": detail_type,
                "Detail": json.dumps(record),
            }
        )
    for start in range(0, len(sent), 10):
        answer = events.put_events(Entries=sent[start : start + 10])
        assert answer["FailedEntryCount"] == 0
    result = run(
        "--stack",
        "prod",
        "--log-group",
        "-",
        env={
            "AWS_ENDPOINT_URL": moto_server.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
    )
    assert result.returncode == 0, result.stderr
    delivered = [json.loads(x) for x in result.stdout.splitlines()]
    # The pattern does not ask for reads (GetSecretValue); every other prod record arrives,
    # once.
    expected = [
        r for r in records if r["eventName"] != "GetSecretValue" and "dev/" not in json.dumps(r)
    ]
    assert sorted(e["metadata"]["uid"] for e in delivered) == sorted(r["eventID"] for r in expected)
    assert {e["unmapped"]["seccat"]["environment"] for e in delivered} == {"prod"}
    assert PLANTED.encode() not in result.stdout


def test_the_timeline_schema_rejects_what_the_docs_do_not_describe(trail: Path) -> None:
    """Negative controls for the timeline schema the tests validate against: an undocumented
    step, a missing count, a field a value could hide in."""
    result = run("--stack", "prod", "--cloudtrail", str(trail), "--format", "timeline")
    document = json.loads(result.stdout)
    jsonschema.validate(document, TIMELINE)
    unknown_step = copy.deepcopy(document)
    unknown_step["timelines"][0]["events"][0]["step"] = "rotation"
    no_reads = copy.deepcopy(document)
    del no_reads["timelines"][0]["reads"]
    smuggled = copy.deepcopy(document)
    smuggled["timelines"][0]["events"][0]["value"] = "hunter2"
    for broken in (unknown_step, no_reads, smuggled):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, TIMELINE)


def test_the_timeline_schema_shares_the_event_schemas_steps_and_actors() -> None:
    event = SCHEMA["properties"]["unmapped"]["properties"]["seccat"]["properties"]
    step = TIMELINE["$defs"]["step"]["properties"]
    assert step["step"]["enum"] == event["step"]["enum"]
    assert step["actor"]["properties"]["kind"]["enum"] == event["actor_kind"]["enum"]
    assert (
        step["source"]["enum"]
        == SCHEMA["properties"]["metadata"]["properties"]["product"]["properties"]["name"]["enum"]
    )


def test_a_gzip_bomb_is_refused_without_inflating_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few megabytes of gzip members inflating to 2 GiB: refused once the cap is passed,
    never held whole (the peak stays near the cap, lowered here to 4 MiB). The cap is the
    boundary: exactly 4 MiB inflated reads, one byte more is refused; every gzip member of
    a file is read, as gzip.decompress read them."""
    import tracemalloc

    from seccat.events import sources

    member = gzip.compress(bytes(64 << 20), compresslevel=9)  # 64 MiB of zeros, ~64 KiB
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(member * 32)
    assert bomb.stat().st_size < 4 << 20
    monkeypatch.setattr(sources, "MAX_INFLATED", 4 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(sources.EventsInputError) as refused:
            sources._text(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value) == (
        f"{bomb}: inflates to more than 4 MiB, more than any trail delivers in one file; split it"
    )
    assert peak < 32 << 20, peak
    small = tmp_path / "small.json.gz"
    small.write_bytes(gzip.compress(b'{"Records": []}') * 2)  # two members, both read
    assert sources._text(small) == '{"Records": []}{"Records": []}'
    at_cap = tmp_path / "at-cap.json.gz"
    at_cap.write_bytes(gzip.compress(b" " * (4 << 20)))
    assert len(sources._text(at_cap)) == 4 << 20
    at_cap.write_bytes(gzip.compress(b" " * ((4 << 20) + 1)))
    with pytest.raises(sources.EventsInputError, match="inflates to more than 4 MiB"):
        sources._text(at_cap)


def test_a_named_log_group_is_read_in_every_region_of_the_stacks(
    moto_server, tmp_path: Path
) -> None:
    """A trail's log group named with --log-group, environments in two regions: the group
    is read where it exists in each (the first stack's region alone used to be read), a
    region without it is skipped, and a group that exists in none is a usage error."""
    account = "123456789012"  # moto's default, which a plain boto3 client reaches
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        (ROOT / "catalog.yaml")
        .read_text()
        .replace(
            'aws: {account_id: "111111111111", region: eu-west-1}',
            'aws: {account_id: "111111111111", region: us-east-2}',
        )
    )
    records = [r for r in scenario() if r["eventName"] != "GetSecretValue"]
    halves = {"us-east-2": records[::2], REGION: records[1::2]}
    group = "org-trail-seccat-test"
    now_ms = int(time.time() * 1000)  # CloudWatch Logs refuses events days old
    for region, part in halves.items():
        logs = moto_server.client("logs", region, account)
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="trail")
        logs.put_log_events(
            logGroupName=group,
            logStreamName="trail",
            logEvents=[
                {"timestamp": now_ms + i, "message": json.dumps(r)} for i, r in enumerate(part)
            ],
        )
    env = {
        "AWS_ENDPOINT_URL": moto_server.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    both = run("--all-stacks", "-c", str(catalog), "--log-group", group, env=env)
    assert both.returncode == 0, both.stderr
    read = sorted(json.loads(x)["metadata"]["uid"] for x in both.stdout.splitlines())
    assert read == sorted(r["eventID"] for r in records), both.stderr
    # prod alone: its region only, as the same records read from a trail file show them
    prod = run("--stack", "prod", "-c", str(catalog), "--log-group", group, env=env)
    assert prod.returncode == 0, prod.stderr
    as_file = tmp_path / "eu-west-1.json"
    as_file.write_text(json.dumps({"Records": halves[REGION]}))
    expected = run("--stack", "prod", "-c", str(catalog), "--cloudtrail", str(as_file))
    assert prod.stdout == expected.stdout and prod.stdout.count(b"\n") >= 5
    nowhere = run("--all-stacks", "-c", str(catalog), "--log-group", "no-such-group", env=env)
    assert (nowhere.returncode, nowhere.stdout) == (2, b"")
    assert nowhere.stderr.decode() == (
        "seccat: error: log group no-such-group: not found in us-east-2, eu-west-1\n"
    )
