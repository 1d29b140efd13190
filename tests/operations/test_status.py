"""`seccat status` on the operations world: the rotation functions' log groups hold a seeded
history (written as Lambda writes JSON logs), certificates carry their renewal's
``seccat:not-after``, and the command's due dates, overdue flags and metrics must follow."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from operations.conftest import ENV, World
from operations.helpers import cli, rotate_static_role, seccat
from operations.test_status_model import record


def seed(world: World) -> datetime:
    """Empty every rotation log group, then write api-key's history: three rotations of 60,
    120 and 180 s and a failed one, all within the last ten days. Returns now."""
    logs = world.aws().client("logs")
    targets = world.targets()
    for target in targets.secrets.values():
        if target.aws is not None and target.aws.log_group:
            logs.delete_log_group(logGroupName=target.aws.log_group)
            logs.create_log_group(logGroupName=target.aws.log_group)
    group = targets.secrets["shop/api-key"].aws.log_group  # type: ignore[union-attr]
    arn = world.sm().describe_secret(SecretId=f"{ENV}/shop/api-key")["ARN"]
    now = datetime.now(UTC).replace(microsecond=0)
    events = []
    for n, (days, seconds) in enumerate(((9, 60), (6, 120), (3, 180))):
        start = now - timedelta(days=days)
        token = f"00000000-0000-4000-8000-00000000000{n}"
        events += [
            record(start, f"r{n}a", f"createSecret: secret {arn} version {token}"),
            record(start, f"r{n}b", f"testSecret: version {token} of {arn} works"),
            record(
                start + timedelta(seconds=seconds),
                f"r{n}c",
                f"finishSecret: AWSCURRENT moved from x to {token} for {arn}",
            ),
        ]
    failed = now - timedelta(days=1)
    events += [
        record(
            failed, "r9a", f"setSecret: secret {arn} version 00000000-0000-4000-8000-000000000009"
        ),
        record(
            failed,
            "r9a",
            level="ERROR",
            errorType="RotationError",
            errorMessage="the new value was refused by the payment gateway",
        ),
    ]
    logs.create_log_stream(logGroupName=group, logStreamName="2026/seeded")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="2026/seeded",
        logEvents=sorted(events, key=lambda e: e["timestamp"]),
    )
    return now


def test_status_on_seeded_histories(ops_world: World) -> None:
    client = ops_world.root_vault()
    rotate_static_role(ops_world, "data/warehouse-etl")
    now = seed(ops_world)
    not_after = (now + timedelta(days=10)).isoformat().replace("+00:00", "Z")
    ops_world.sm().tag_resource(
        SecretId=f"{ENV}/shop/partner-cert", Tags=[{"Key": "seccat:not-after", "Value": not_after}]
    )
    # the owner renews the certificate: a new version, with check-and-set
    renewal = secrets.token_urlsafe(24)
    ops_world.values.add(renewal)
    current = client.secrets.kv.v2.read_secret_metadata(
        path="shop/sso-cert", mount_point=f"kv-{ENV}"
    )["data"]["current_version"]
    client.secrets.kv.v2.create_or_update_secret(
        path="shop/sso-cert", secret={"value": renewal}, cas=current, mount_point=f"kv-{ENV}"
    )
    meta = client.secrets.kv.v2.read_secret_metadata(path="shop/sso-cert", mount_point=f"kv-{ENV}")
    custom = {**meta["data"]["custom_metadata"], "seccat:not-after": "2026-01-01T00:00:00Z"}
    client.secrets.kv.v2.update_metadata(  # hvac resets what it is not given: give it all
        path="shop/sso-cert",
        mount_point=f"kv-{ENV}",
        custom_metadata=custom,
        max_versions=meta["data"]["max_versions"],
        cas_required=meta["data"]["cas_required"],
        delete_version_after=meta["data"]["delete_version_after"],
    )

    done = seccat(
        ops_world, "status", "--stack", ENV, "--window", "14", "-f", "json", "--put-metrics"
    )
    assert done.returncode == 1, done.stderr.decode()  # a failed rotation, an expired cert
    report = json.loads(done.stdout)
    (env,) = report["environments"]
    assert env["metrics"] == {
        "windowDays": 14.0,
        "attempts": 4,
        "succeeded": 3,
        "failed": 1,
        "failureRate": 0.25,
        "meanTimeToRotateSeconds": 120.0,
        "overdue": 0,
        "expiringCertificates": 1,
        "expiredCertificates": 1,
        # no detective controls in this environment: nothing detected, no time to detect
        "misconfigurationsDetected": 0,
        "meanTimeToDetectSeconds": None,
        "maxTimeToDetectSeconds": None,
    }
    by_id = {s["secret"]: s for s in env["secrets"]}
    api = by_id["shop/api-key"]
    assert api["lastError"] == "RotationError: the new value was refused by the payment gateway"
    assert api["rotation"] == "30d" and api["overdue"] is False
    last = datetime.fromisoformat(api["lastRotated"])
    assert datetime.fromisoformat(api["nextDue"]) == last + timedelta(days=30)
    assert by_id["shop/partner-cert"]["daysLeft"] in (9, 10)
    assert by_id["shop/partner-cert"]["rotation"] == "by owner, 90d"
    assert by_id["shop/sso-cert"]["daysLeft"] < 0
    # an owner-rotated KV secret: last renewal and next due from its metadata, as the
    # renewal check counts them (the current version's creation, plus every)
    sso = by_id["shop/sso-cert"]
    assert sso["rotation"] == "by owner, 180d"
    versions = meta["data"]["versions"]
    created = versions[str(meta["data"]["current_version"])]["created_time"]
    renewed = datetime.fromisoformat(created[:19] + "+00:00")
    assert datetime.fromisoformat(sso["lastRotated"]) == renewed
    assert datetime.fromisoformat(sso["nextDue"]) == renewed + timedelta(days=180)
    etl = by_id["data/warehouse-etl"]
    assert datetime.fromisoformat(etl["nextDue"]) - datetime.fromisoformat(etl["lastRotated"]) == (
        timedelta(days=30)
    )
    assert 30 * 86400 - 600 < etl["vaultTtlSeconds"] <= 30 * 86400
    assert by_id["data/warehouse-reader"]["rotation"] == "dynamic"

    # the summary went to CloudWatch
    cloudwatch = ops_world.aws().client("cloudwatch")
    for name, expected in (
        ("FailedRotations", 1),
        ("MeanTimeToRotate", 120),
        ("RotationFailureRate", 25),
    ):
        stats = cloudwatch.get_metric_statistics(
            Namespace="seccat",
            MetricName=name,
            Dimensions=[{"Name": "Environment", "Value": ENV}],
            StartTime=now - timedelta(hours=1),
            EndTime=now + timedelta(hours=1),
            Period=3600,
            Statistics=["Maximum"],
        )
        assert [p["Maximum"] for p in stats["Datapoints"]] == [expected], name

    # forty days on: every interval up to 30 days has passed
    later = (now + timedelta(days=40)).isoformat()
    ahead = cli(ops_world, "status", "--stack", ENV, "--at", later, "-f", "json")
    overdue = {
        s["secret"]
        for e in json.loads(ahead.stdout)["environments"]
        for s in e["secrets"]
        if s["overdue"]
    }
    assert overdue == {
        "shop/api-key",
        "shop/orders-admin",
        "shop/orders-app",
        "shop/webhook-key",
        "shop/session-key",
        "data/warehouse-etl",
    }
    text = cli(ops_world, "status", "--stack", ENV, "--at", later)
    lines = text.stdout.decode().splitlines()
    assert lines[-1] == f"seccat status: needs attention as of {later}"
    assert any(
        line.startswith(f"{ENV}/shop/api-key  30d  last ") and "OVERDUE" in line for line in lines
    )
    markdown = cli(ops_world, "status", "--stack", ENV, "-f", "markdown").stdout.decode()
    assert markdown.startswith("<!-- seccat-status -->\n## seccat status ⚠️ needs attention")
    # the history is 10 days old; no detective controls, so nothing detected
    assert "| 0 | 4 | 1 | 25.0% | 120 s | 1 | 1 | n/a (0 detected) |" in markdown
    ops_world.assert_no_value_in(done.stdout, done.stderr, ahead.stdout, text.stdout, markdown)
    ops_world.assert_no_value_in(*ops_world.log_texts())


def test_bad_instant_is_a_usage_error(ops_world: World) -> None:
    done = cli(ops_world, "status", "--stack", ENV, "--at", "next tuesday")
    assert done.returncode == 2
    assert b"--at 'next tuesday': use an ISO 8601 date-time" in done.stderr


def test_a_not_after_tag_at_the_limits_of_dates_blanks_that_field(ops_world: World) -> None:
    """Red-team finding: anyone who may tag a secret could make `seccat status` crash with
    OverflowError (a seccat:not-after of 0001-01-01T00:00:00+05:00 is before year 1 in UTC).
    One hostile tag must not blank the whole environment's report: that secret's notAfter
    is null with a note, every other secret is still reported."""
    sm = ops_world.sm()
    described = sm.describe_secret(SecretId=f"{ENV}/shop/partner-cert")
    arn = described["ARN"]
    before = [t for t in described.get("Tags") or [] if t["Key"] == "seccat:not-after"]
    sm.tag_resource(
        SecretId=arn, Tags=[{"Key": "seccat:not-after", "Value": "0001-01-01T00:00:00+05:00"}]
    )
    try:
        done = cli(ops_world, "status", "--stack", ENV, "--format", "json")
    finally:  # the world is shared: put back what other tests set
        if before:
            sm.tag_resource(SecretId=arn, Tags=before)
        else:
            sm.untag_resource(SecretId=arn, TagKeys=["seccat:not-after"])
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    secrets = {s["secret"]: s for e in report["environments"] for s in e["secrets"]}
    cert = secrets["shop/partner-cert"]
    assert (cert["notAfter"], cert["daysLeft"]) == (None, None)
    assert "seccat:not-after tag is no ISO 8601 date-time in years 1 to 9999 (UTC)" in cert["notes"]
    assert len(secrets) > 1


def test_the_leak_check_would_catch_a_value_in_a_log(ops_world: World) -> None:
    """Negative control of assert_no_value_in: a value written to a log is found."""
    logs = ops_world.aws().client("logs")
    group = ops_world.targets().secrets["shop/api-key"].aws.log_group  # type: ignore[union-attr]
    leaked = next(iter(sorted(ops_world.all_values())))
    logs.create_log_stream(logGroupName=group, logStreamName="leak")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="leak",
        logEvents=[{"timestamp": int(datetime.now(UTC).timestamp() * 1000), "message": leaked}],
    )
    try:
        with pytest.raises(AssertionError, match=r"\d+ secret value\(s\) appear in output"):
            ops_world.assert_no_value_in(*ops_world.log_texts())
    finally:
        logs.delete_log_stream(logGroupName=group, logStreamName="leak")
    ops_world.assert_no_value_in(*ops_world.log_texts())
