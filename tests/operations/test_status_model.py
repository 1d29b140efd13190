"""`seccat status`'s arithmetic on seeded histories: due dates from the catalog's intervals,
schedules and windows, overdue as of an instant, certificate days left, and the metrics
(attempts, failure rate, mean time to rotate) from rotation-function log records written
exactly as Lambda writes them in JSON format."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from seccat.catalog.model import Catalog
from seccat.engine.preview import Preview
from seccat.operations.detection import Detection
from seccat.operations.errors import OperationError
from seccat.operations.rotation_log import attempts
from seccat.operations.status import (
    Observation,
    _parse_time,
    _vault_read,
    evaluate,
    summarize,
)
from seccat.operations.targets import EnvironmentTargets, build_targets

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ARN = "arn:aws:secretsmanager:eu-west-1:222222222222:secret:prod/payments/stripe-api-key-AbCdEf"


@pytest.fixture(scope="module")
def prod(example_catalog: Catalog, example_preview: Callable[[str], Preview]) -> EnvironmentTargets:
    return build_targets(example_catalog, "prod", example_preview("prod"))


def at(days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours, minutes=minutes)


def record(when: datetime, request: str, message: str = "", **extra: object) -> dict:
    """One CloudWatch Logs event as a Lambda function with JSON logging writes it."""
    body = {
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "level": "INFO",
        "message": message,
        "logger": "seccat.rotation",
        "requestId": request,
        **extra,
    }
    return {"timestamp": int(when.timestamp() * 1000), "message": json.dumps(body)}


def rotation(token: str, start: datetime, seconds: float, fail_at: str | None = None) -> list[dict]:
    """The records of one rotation: four invocations, each its own requestId; a failure is
    the runtime's uncaught-error record (``log_level`` as older runtimes write it)."""
    events = []
    step_time = start
    for n, step in enumerate(("createSecret", "setSecret", "testSecret", "finishSecret")):
        request = f"{token}-r{n}"
        events.append(record(step_time, request, f"{step}: secret {ARN} version {token}"))
        if step == fail_at:
            events.append(
                {
                    "timestamp": int(step_time.timestamp() * 1000) + 5,
                    "message": json.dumps(
                        {
                            "timestamp": step_time.strftime("%Y-%m-%dT%H:%M:%S"),
                            "log_level": "ERROR",
                            "errorMessage": "the pending login does not work",
                            "errorType": "RotationError",
                            "requestId": request,
                            "stackTrace": [],
                        }
                    ),
                }
            )
            return events
        if step == "testSecret":
            events.append(record(step_time, request, f"testSecret: version {token} of {ARN} works"))
        step_time = start + timedelta(seconds=seconds * (n + 1) / 4)
    events.append(
        record(
            start + timedelta(seconds=seconds),
            f"{token}-r3",
            f"finishSecret: AWSCURRENT moved from old-{token} to {token} for {ARN}",
        )
    )
    return events


def test_attempts_follow_tokens_through_request_ids() -> None:
    events = [
        *rotation("t1", at(1), 60),
        *rotation("t2", at(2), 120, fail_at="testSecret"),
        # a retry of a step in another invocation of the same rotation
        record(at(3), "t3-r0", f"createSecret: secret {ARN} version t3"),
        record(at(3, minutes=1), "t3-r9", "createSecret: version t3 already has a value"),
        record(at(3, minutes=2), "noise", "not a step line"),
        {"timestamp": 0, "message": "START RequestId: x Version: $LATEST"},
    ]
    first, second, third = attempts(reversed(events))
    assert (first.token, first.succeeded, first.tested, first.seconds) == ("t1", True, True, 60.0)
    assert first.steps == ["createSecret", "setSecret", "testSecret", "finishSecret"]
    assert second.failed and not second.succeeded and not second.tested
    assert second.error == "RotationError: the pending login does not work"
    assert (third.token, third.succeeded, third.failed) == ("t3", False, False)


def test_hostile_log_records_neither_crash_nor_leak() -> None:
    """Red-team finding: anyone who may write to a rotation function's log group could make
    status and rotate crash (a timestamp outside years 1 to 9999 raised OverflowError), and
    an exception message is copied out as the last error: a credential in it is not shown."""
    leaked = "AKIAIOSFODNN7EXAMPLE"
    events = [
        *rotation("t1", at(1), 60, fail_at="setSecret"),
        record(at(1), "t1-r1", "x", timestamp="0001-01-01T00:00:00+05:00"),
        {"timestamp": 10**30, "message": json.dumps({"timestamp": "9999-12-31T23:59:59-05:00"})},
        {"timestamp": "soon", "message": "{}"},
    ]
    events[2] = {
        "timestamp": events[2]["timestamp"],
        "message": json.dumps(
            {
                "timestamp": "9999-12-31T23:59:59-05:00",
                "level": "ERROR",
                "errorType": "ValueError",
                "errorMessage": f"bad key {leaked}",
                "requestId": "t1-r1",
            }
        ),
    }
    (attempt,) = attempts(events)
    assert (
        attempt.failed and attempt.error == "ValueError: bad key [an AWS access key id, not shown]"
    )
    # the record's own time was out of range: the log event's (setSecret's, 15 s in, + 5 ms)
    assert attempt.failed_at == at(1, minutes=0.25) + timedelta(milliseconds=5)


def test_every_with_a_window(prod: EnvironmentTargets) -> None:
    target = prod.secrets["payments/webhook-signing-key"]  # every 90d, window 4h
    obs = Observation(target, last_rotated=at(), rotation_enabled=True)
    assert evaluate(obs, at(90)).next_due == at(90)
    assert not evaluate(obs, at(90, hours=4)).overdue
    assert evaluate(obs, at(90, hours=4, minutes=1)).overdue
    # a value stored by hand counts as a rotation for the schedule, as Secrets Manager counts it
    by_hand = Observation(target, last_rotated=at(), value_since=at(10), rotation_enabled=True)
    assert evaluate(by_hand, at(95)).next_due == at(100)


def test_a_cron_schedule_is_due_at_its_next_fire_time(prod: EnvironmentTargets) -> None:
    target = prod.secrets["payments/orders-db-admin"]  # cron(0 4 ? * SUN *), window 3h
    monday = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    status = evaluate(Observation(target, last_rotated=monday), monday + timedelta(days=1))
    assert status.next_due == datetime(2026, 1, 11, 4, 0, tzinfo=UTC)
    assert not evaluate(
        Observation(target, last_rotated=monday), datetime(2026, 1, 11, 7, 0, tzinfo=UTC)
    ).overdue
    assert evaluate(
        Observation(target, last_rotated=monday), datetime(2026, 1, 11, 7, 1, tzinfo=UTC)
    ).overdue


def test_an_owner_renewed_secret_has_the_rest_of_its_day(prod: EnvironmentTargets) -> None:
    target = prod.secrets["payments/partner-tls"]  # certificate, every 90d, no window
    obs = Observation(target, value_since=at(hours=10), not_after=at(100))
    assert evaluate(obs, at(90, hours=23)).next_due == at(90, hours=10)
    assert not evaluate(obs, at(90, hours=23, minutes=59)).overdue
    assert evaluate(obs, at(91, minutes=1)).overdue
    status = evaluate(obs, at(85, hours=12))
    assert (status.days_left, status.rotation) == (14, "by owner, 90d")
    assert evaluate(obs, at(100, minutes=1)).days_left == -1


def test_an_owner_secret_never_filled_is_due_since_its_creation(prod: EnvironmentTargets) -> None:
    """As the renewal check counts it (its overdue alarm pages): consumers read nothing."""
    for secret in ("payments/partner-tls", "identity/saml-signing-cert"):  # AWS, Vault KV
        target = prod.secrets[secret]
        empty = evaluate(Observation(target, created=at()), at(2))
        assert (empty.next_due, empty.overdue, empty.needs_attention) == (at(), True, True)
        filled = evaluate(Observation(target, created=at(), value_since=at(hours=1)), at(2))
        assert (filled.overdue, filled.needs_attention) == (False, False)


def test_never_rotated_counts_from_creation(prod: EnvironmentTargets) -> None:
    target = prod.secrets["payments/orders-db-app"]  # every 7d, window 2h
    obs = Observation(target, created=at(), rotation_enabled=True)
    status = evaluate(obs, at(8))
    assert (status.last_rotated, status.next_due, status.overdue) == (None, at(7), True)


def test_vault_static_dynamic_and_kv(prod: EnvironmentTargets) -> None:
    static = prod.secrets["data/warehouse-etl"]
    obs = Observation(static, last_rotated=at(), vault_period=30 * 86400, vault_ttl=3600)
    assert evaluate(obs, at(29)).next_due == at(30) and not evaluate(obs, at(29)).overdue
    assert evaluate(obs, at(30, minutes=1)).overdue
    assert evaluate(obs, at(29)).vault_ttl == 3600, "Vault's own ttl when the read carries it"
    computed = Observation(static, last_rotated=at(), vault_period=30 * 86400)
    assert evaluate(computed, at(29)).vault_ttl == 86400
    dynamic = evaluate(Observation(prod.secrets["data/warehouse-reader"]), at(400))
    assert (dynamic.rotation, dynamic.next_due, dynamic.overdue) == ("dynamic", None, False)
    kv = prod.secrets["identity/jwt-signing-key"]  # every 30d
    assert evaluate(Observation(kv, value_since=at()), at(31)).overdue
    cert = prod.secrets["identity/saml-signing-cert"]
    assert evaluate(Observation(cert, value_since=at()), at(1)).rotation == "by owner, 180d"
    missing = evaluate(Observation(kv, exists=False), at(1))
    assert missing.notes == ["does not exist: run seccat verify"] and not missing.overdue
    assert missing.needs_attention, "a declared secret the environment lacks never rotates"
    assert not evaluate(Observation(kv, value_since=at()), at(1)).needs_attention


def test_switched_off_rotation_needs_attention_before_it_is_overdue(
    prod: EnvironmentTargets,
) -> None:
    target = prod.secrets["payments/orders-db-app"]  # seccat rotates it, every 7d
    off = evaluate(Observation(target, last_rotated=at(), rotation_enabled=False), at(1))
    assert (off.overdue, off.notes, off.needs_attention) == (False, ["rotation is disabled"], True)
    on = evaluate(Observation(target, last_rotated=at(), rotation_enabled=True), at(1))
    assert (on.notes, on.needs_attention) == ([], False)
    owner = prod.secrets["payments/partner-tls"]  # by owner: no rotation to switch off
    assert not evaluate(
        Observation(owner, value_since=at(), rotation_enabled=False), at(1)
    ).needs_attention


@pytest.mark.parametrize(
    "live",
    [
        "0001-01-01T00:00:00+05:00",  # valid ISO 8601, before datetime.min in UTC
        "9999-12-31T23:59:59-05:00",  # after datetime.max in UTC
        "not a date",
        "",
        7,
    ],
)
def test_a_live_date_no_datetime_can_hold_blanks_the_field(live: object) -> None:
    assert _parse_time(live) is None


def test_live_dates_are_read_in_utc() -> None:
    assert _parse_time("2026-01-01T05:00:00+05:00") == T0
    assert _parse_time("2026-01-01T00:00:00Z") == T0
    assert _parse_time(datetime(2026, 1, 1)) == T0


def test_an_unreachable_vault_is_a_located_operation_error() -> None:
    import socket

    import hvac

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = hvac.Client(url=f"http://127.0.0.1:{port}", token="t", timeout=2)
    with pytest.raises(OperationError) as raised:
        _vault_read(client, "secret/metadata/prod/x")
    assert raised.value.message == (
        "Vault cannot be reached reading secret/metadata/prod/x: ConnectionError"
    )


def test_metrics_on_a_seeded_history(prod: EnvironmentTargets) -> None:
    target = prod.secrets["payments/stripe-api-key"]
    events = [
        *rotation("old", at(-40), 30),  # before the window: not counted
        *rotation("a", at(1), 60),
        *rotation("b", at(5), 120),
        *rotation("c", at(9), 180),
        *rotation("d", at(12), 10, fail_at="setSecret"),
    ]
    obs = Observation(target, last_rotated=at(9, minutes=3), attempts=attempts(events))
    status = evaluate(obs, at(20))
    assert status.last_error == "RotationError: the pending login does not work"
    assert status.last_error_at is not None and status.last_error_at.date() == at(12).date()
    cert = Observation(prod.secrets["payments/partner-tls"], value_since=at(), not_after=at(25))
    expired = Observation(
        prod.secrets["identity/saml-signing-cert"], value_since=at(), not_after=at(15)
    )
    overdue = Observation(
        prod.secrets["payments/orders-db-app"], last_rotated=at(), rotation_enabled=True
    )
    statuses = [
        status,
        evaluate(cert, at(20)),
        evaluate(expired, at(20)),
        evaluate(overdue, at(20)),
    ]
    flagged = [  # AWS Config's detections: 4 and 16 minutes, and one before the window
        Detection("r", "AWS::SecretsManager::Secret", "a", at(5), at(5) + timedelta(minutes=4)),
        Detection("r", "AWS::SecretsManager::Secret", "b", at(9), at(9) + timedelta(minutes=16)),
        Detection("r", "AWS::SecretsManager::Secret", "c", at(-20), at(-19)),
    ]
    metrics = summarize(statuses, at(20), timedelta(days=30), expiring_days=7, detections=flagged)
    assert metrics.to_json() == {
        "windowDays": 30.0,
        "attempts": 4,
        "succeeded": 3,
        "failed": 1,
        "failureRate": 0.25,
        "meanTimeToRotateSeconds": 120.0,
        "overdue": 1,
        "expiringCertificates": 1,
        "expiredCertificates": 1,
        "misconfigurationsDetected": 2,
        "meanTimeToDetectSeconds": 600.0,
        "maxTimeToDetectSeconds": 960.0,
    }
    # a later success clears the last error; an attempt still running is not a failure
    later = attempts([*events, *rotation("e", at(13), 60)])
    assert evaluate(Observation(target, attempts=later), at(20)).last_error is None
    running = attempts([*events, record(at(14), "f-r0", f"createSecret: secret {ARN} version f")])
    m = summarize(
        [evaluate(Observation(target, attempts=running), at(20))], at(20), timedelta(days=30), 7
    )
    assert (m.attempts, m.succeeded, m.failed, m.failure_rate) == (5, 3, 1, 0.25)
    empty = summarize([], at(20), timedelta(days=30), 7)
    assert (empty.failure_rate, empty.mean_time_to_rotate) == (None, None)


def kv_metadata(**current: object) -> dict:
    """A KV v2 metadata read as Vault answers it (nanosecond times), current version 2."""
    return {
        "data": {
            "created_time": "2026-01-01T00:00:00.123456789Z",
            "current_version": 2,
            "custom_metadata": None,
            "versions": {
                "1": {
                    "created_time": "2026-01-01T00:00:00.1Z",
                    "deletion_time": "",
                    "destroyed": False,
                },
                "2": {
                    "created_time": "2026-01-11T00:00:00.2Z",
                    "deletion_time": "",
                    "destroyed": False,
                    **current,
                },
            },
        }
    }


@pytest.mark.parametrize(
    ("current", "since", "notes"),
    [
        ({}, at(10, minutes=0) + timedelta(microseconds=200000), []),
        ({"destroyed": True}, None, ["current version deleted or destroyed"]),
        ({"deletion_time": "2026-01-12T00:00:00Z"}, None, ["current version deleted or destroyed"]),
        # delete_version_after: Vault shows the *scheduled* deletion of a live version
        ({"deletion_time": "2999-01-01T00:00:00Z"}, at(10) + timedelta(microseconds=200000), []),
    ],
)
def test_a_deleted_kv_version_is_no_value_as_the_renewal_check_counts_it(
    prod: EnvironmentTargets, current: dict, since: datetime | None, notes: list[str]
) -> None:
    from types import SimpleNamespace

    from seccat.operations.status import _vault

    answer = kv_metadata(**current)
    vault = SimpleNamespace(client=SimpleNamespace(adapter=SimpleNamespace(get=lambda _p: answer)))
    obs = _vault(prod.secrets["identity/saml-signing-cert"], vault)  # type: ignore[arg-type]
    assert (obs.value_since, obs.notes) == (since, notes)


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "bad key -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7x\nQk9P\n"
            "-----END RSA PRIVATE KEY----- after",
            "bad key [a PEM private key block, not shown] after",
        ),
        # a message cut inside the block: everything after the header is key material
        (
            "bad key -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B",
            "bad key [a PEM private key block, not shown]",
        ),
        (
            "chain -----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE----- ok",
            "chain [a PEM block, not shown] ok",
        ),
        ("no key here", "no key here"),
    ],
)
def test_an_error_message_never_shows_pem_key_material(message: str, shown: str) -> None:
    """Red-team finding: the PEM patterns matched only the BEGIN line, so the key's body and
    END line of a PEM block in a function's error message reached status and rotate."""
    events = [
        record(at(1), "t1-r0", "createSecret: secret x version t1"),
        {
            "timestamp": int(at(1).timestamp() * 1000) + 5,
            "message": json.dumps(
                {
                    "timestamp": "2026-01-02T00:00:00.000Z",
                    "level": "ERROR",
                    "errorType": "ValueError",
                    "errorMessage": message,
                    "requestId": "t1-r0",
                }
            ),
        },
    ]
    (attempt,) = attempts(events)
    assert attempt.error == f"ValueError: {shown}"
