"""Time to detect a misconfiguration: its definition on seeded AWS Config evaluation results,
the read against a stub of GetComplianceDetailsByConfigRule (which moto lacks), and
`seccat status` reporting it in text, JSON and Markdown and pushing it to CloudWatch."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from servers.config_compliance import running_config_stub
from typer.testing import CliRunner

from operations.conftest import ENV, World
from seccat.catalog.model import Catalog
from seccat.cli import app
from seccat.operations.detection import (
    Detection,
    change_triggered_rules,
    detections,
    read_detections,
    summarize_detections,
)
from seccat.operations.errors import OperationError
from seccat.operations.status import Metrics, put_metrics
from seccat.operations.targets import build_targets

AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)


def result(
    resource: str, changed: datetime, detected_after: timedelta, compliance: str = "NON_COMPLIANT"
) -> dict[str, Any]:
    """An EvaluationResult as the API reference shapes it."""
    return {
        "EvaluationResultIdentifier": {
            "EvaluationResultQualifier": {
                "ConfigRuleName": "r",
                "ResourceType": "AWS::SecretsManager::Secret",
                "ResourceId": resource,
            },
            "OrderingTimestamp": changed,
        },
        "ComplianceType": compliance,
        "ResultRecordedTime": changed + detected_after,
        "ConfigRuleInvokedTime": changed + detected_after - timedelta(seconds=5),
    }


SEEDED = [
    result("prod/a", AT - timedelta(days=2), timedelta(minutes=5)),
    result("prod/b", AT - timedelta(days=1), timedelta(minutes=30)),
    # fixed since: Config holds it as compliant, it is no misconfiguration
    result("prod/c", AT - timedelta(days=1), timedelta(hours=9), "COMPLIANT"),
    # detected before the window
    result("prod/d", AT - timedelta(days=45), timedelta(hours=20)),
    # recorded after --at: not yet known at that instant
    result("prod/e", AT - timedelta(minutes=10), timedelta(hours=1)),
]


def test_the_definition_on_seeded_results() -> None:
    found = detections("seccat-prod-secret-rotation-enabled-restricted", SEEDED)
    assert [(d.resource_id, d.seconds) for d in found] == [
        ("prod/a", 300.0),
        ("prod/b", 1800.0),
        ("prod/d", 72000.0),
        ("prod/e", 3600.0),
    ]
    summary = summarize_detections(found, AT, WINDOW)
    assert (summary.count, summary.mean_seconds, summary.max_seconds) == (2, 1050.0, 1800.0)
    # Negative control: counting the compliant result or ignoring the window would move both.
    everything = [
        Detection(
            "r",
            "t",
            x["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"],
            x["EvaluationResultIdentifier"]["OrderingTimestamp"],
            x["ResultRecordedTime"],
        )
        for x in SEEDED
    ]
    wrong = summarize_detections(everything, AT + timedelta(days=60), timedelta(days=400))
    assert (wrong.mean_seconds, wrong.max_seconds) != (1050.0, 1800.0)
    assert summarize_detections([], AT, WINDOW).mean_seconds is None


def test_only_change_triggered_rules_are_read(example_catalog: Catalog, example_preview) -> None:
    prod = build_targets(example_catalog, "prod", example_preview("prod"))
    assert change_triggered_rules(prod) == [
        "seccat-prod-secret-rotation-enabled-internal",
        "seccat-prod-secret-rotation-enabled-confidential",
        "seccat-prod-secret-rotation-enabled-restricted",
        "seccat-prod-secret-rotation-succeeds",
    ]
    # dev deploys no detective controls: nothing to read
    dev = build_targets(example_catalog, "dev", example_preview("dev"))
    assert change_triggered_rules(dev) == []


def config_client(endpoint: str) -> Any:
    return boto3.client(
        "config",
        region_name="eu-west-1",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_the_read_pages_filters_and_skips_rules_not_deployed() -> None:
    with running_config_stub() as stub:
        many = [
            result(
                f"prod/s{i:03d}",
                AT - timedelta(hours=i),
                timedelta(seconds=60 + i),
                "NON_COMPLIANT" if i % 3 else "COMPLIANT",
            )
            for i in range(250)
        ]
        stub.results = {"rule-a": many, "rule-b": SEEDED[:2]}
        found = read_detections(config_client(stub.endpoint), ["rule-a", "rule-b", "rule-gone"])
        assert len(found) == 166 + 2
        assert {d.rule for d in found} == {"rule-a", "rule-b"}
        assert found[0].seconds == 61.0 and found[0].resource_id == "prod/s001"
        # Config filtered server-side; every page was followed (100 per page)
        a = [r for r in stub.requests if r["ConfigRuleName"] == "rule-a"]
        assert [r.get("NextToken") for r in a] == [None, "100"]
        assert all(r["ComplianceTypes"] == ["NON_COMPLIANT"] and r["Limit"] == 100 for r in a)
        # Negative control: the stub serves that one API only.
        with pytest.raises(ClientError, match="UnknownOperationException"):
            config_client(stub.endpoint).describe_config_rules()


def test_a_refusal_stops_with_the_aws_error() -> None:
    client = config_client("http://127.0.0.1:9")  # nothing listens: a connection error
    client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(OperationError, match="rule-a: GetComplianceDetailsByConfigRule"):
        read_detections(client, ["rule-a"])


class _Aws:
    def __init__(self, cloudwatch: Any) -> None:
        self.cloudwatch = cloudwatch

    def client(self, service: str) -> Any:
        assert service == "cloudwatch"
        return self.cloudwatch


def test_put_metrics_pushes_the_time_to_detect(moto_server: Any) -> None:
    cloudwatch = moto_server.client("cloudwatch", "eu-west-1", "777777777777")
    now = datetime.now(UTC).replace(microsecond=0)
    metrics = Metrics(30.0, 0, 0, 0, None, None, 0, 0, 0, 2, 1050.0, 1800.0)
    put_metrics(_Aws(cloudwatch), "prod", metrics, now)  # type: ignore[arg-type]
    seen = {}
    for name in ("MisconfigurationsDetected", "MeanTimeToDetect", "MaxTimeToDetect"):
        points = cloudwatch.get_metric_statistics(
            Namespace="seccat",
            MetricName=name,
            Dimensions=[{"Name": "Environment", "Value": "prod"}],
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=5),
            Period=600,
            Statistics=["Maximum"],
        )["Datapoints"]
        seen[name] = [(p["Maximum"], p["Unit"]) for p in points]
    assert seen == {
        "MisconfigurationsDetected": [(2.0, "Count")],
        "MeanTimeToDetect": [(1050.0, "Seconds")],
        "MaxTimeToDetect": [(1800.0, "Seconds")],
    }


def test_status_reports_the_time_to_detect(ops_world: World, tmp_path: Path) -> None:
    """`seccat status` on the applied operations world, with the environment's detective
    controls on and AWS Config's compliance read served by the stub (AWS_ENDPOINT_URL_
    CONFIG_SERVICE, botocore's per-service endpoint: everything else stays on moto)."""
    text = ops_world.catalog_path.read_text()
    assert '  opsprod:\n    aws: {account_id: "555555555555", region: eu-west-1}\n' in text
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        text.replace("    protect: true\n", "    protect: true\n    detective_controls: true\n", 1)
    )
    at = datetime.now(UTC).replace(microsecond=0)
    with running_config_stub() as stub:
        rule = f"seccat-{ENV}-secret-rotation-succeeds"
        stub.results = {
            rule: [
                result(f"{ENV}/shop/api-key", at - timedelta(days=3), timedelta(seconds=240)),
                result(f"{ENV}/shop/webhook-key", at - timedelta(days=2), timedelta(seconds=960)),
            ]
        }
        outputs = {}
        for fmt in ("json", "text", "markdown"):
            env = {k: None for k in os.environ if k.startswith(("AWS_", "VAULT_", "SECCAT_"))}
            env |= ops_world.cli_env(AWS_ENDPOINT_URL_CONFIG_SERVICE=stub.endpoint)
            ran = CliRunner().invoke(
                app,
                [
                    "status",
                    "--stack",
                    ENV,
                    "-f",
                    fmt,
                    "--at",
                    at.isoformat(),
                    "--catalog",
                    str(catalog),
                ],
                env=env,
            )
            assert ran.exception is None or isinstance(ran.exception, SystemExit), ran.exception
            outputs[fmt] = ran.stdout
        asked = {r["ConfigRuleName"] for r in stub.requests}
    # the change-triggered rules of the environment's classifications, never a periodic one
    assert rule in asked and not any("periodic" in r or "unused" in r for r in asked)
    report = json.loads(outputs["json"])
    metrics = report["environments"][0]["metrics"]
    assert (
        metrics["misconfigurationsDetected"],
        metrics["meanTimeToDetectSeconds"],
        metrics["maxTimeToDetectSeconds"],
    ) == (2, 600.0, 960.0)
    assert report["metrics"]["meanTimeToDetectSeconds"] == 600.0
    assert "time to detect a misconfiguration mean 600 s, max 960 s (2 detected)" in outputs["text"]
    assert "| Time to detect a misconfiguration |" in outputs["markdown"]
    assert "| mean 600 s, max 960 s (2 detected) |" in outputs["markdown"]
