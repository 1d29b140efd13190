"""SecretsPlatform's shared infrastructure, asserted on the inputs the engine records."""

from __future__ import annotations

import json
import re

from seccat.engine.outputs import outputs_for

EXPECTED_TAGS = {
    "seccat:catalog-id": "environments/prod",
    "seccat:owner": "seccat",
    "seccat:classification": "restricted",
    "seccat:environment": "prod",
    "seccat:managed-by": "seccat",
}


def test_kms_key_inputs(example_preview):
    key = example_preview("prod").named("prod-kms")
    assert key.type == "aws:kms/key:Key"
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["rotationPeriodInDays"] == 365.0  # the mock monitor sends floats
    assert key.inputs["deletionWindowInDays"] == 30.0
    assert key.inputs["tags"] == EXPECTED_TAGS
    assert key.parent.endswith("seccat:index:SecretsPlatform::seccat-prod")


def test_kms_key_policy_has_no_wildcard_principal(example_preview):
    policy = json.loads(example_preview("prod").named("prod-kms").inputs["policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert principals == [
        {"AWS": "arn:aws:iam::222222222222:root"},
        {"AWS": "arn:aws:iam::222222222222:root"},
        {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]},
        {"Service": "logs.eu-west-1.amazonaws.com"},
    ]
    via = policy["Statement"][1]["Condition"]["StringEquals"]
    assert via == {
        "kms:CallerAccount": "222222222222",
        "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com",
    }


def test_kms_alias(example_preview):
    alias = example_preview("dev").named("dev-kms-alias")
    assert alias.inputs["name"] == "alias/seccat/dev"
    # the alias targets the key's id output, which the mock makes concrete and stable
    key_id, _ = outputs_for("aws:kms/key:Key", "dev-kms", {}, "111111111111", "eu-west-1")
    assert alias.inputs["targetKeyId"] == key_id
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", key_id)


def test_alarm_topic_encrypted_with_subscriptions_per_team(example_preview):
    prod = example_preview("prod")
    topic = prod.named("prod-alarms")
    assert topic.inputs["name"] == "seccat-prod-alarms"
    assert topic.inputs["kmsMasterKeyId"] == "alias/seccat/prod"
    assert topic.inputs["tags"] == EXPECTED_TAGS
    subs = {
        r.name: (r.inputs["protocol"], r.inputs["endpoint"], r.inputs["topic"])
        for r in prod.of_type("aws:sns/topicSubscription:TopicSubscription")
        if r.inputs["topic"].endswith(":seccat-prod-alarms")
    }
    arn = "arn:aws:sns:eu-west-1:222222222222:seccat-prod-alarms"
    assert subs == {
        "prod-alarms-data": ("email", "data-platform@example.com", arn),
        "prod-alarms-identity": ("email", "identity-oncall@example.com", arn),
        "prod-alarms-payments": ("email", "payments-oncall@example.com", arn),
    }


def test_alarm_topic_policy_exact(example_preview):
    policy = json.loads(example_preview("prod").named("prod-alarms-policy").inputs["policy"])
    arn = "arn:aws:sns:eu-west-1:222222222222:seccat-prod-alarms"
    assert policy == {
        "Version": "2012-10-17",
        "Id": "seccat-prod-alarm-topic-policy",
        "Statement": [
            {
                "Sid": "RotationEventsAndAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def test_protected_environment_protects_and_retains_data(example_preview):
    key = example_preview("prod").named("prod-kms")
    assert key.options["protect"] is True
    assert key.options["retainOnDelete"] is True
    # non-data resources are never protected: they can be replaced freely
    assert example_preview("prod").named("prod-kms-alias").options["protect"] is False


def test_unprotected_environment_does_not_protect(example_preview):
    key = example_preview("dev").named("dev-kms")
    assert key.options["protect"] is False
    assert key.options["retainOnDelete"] is False


def test_every_resource_is_parented_and_every_taggable_resource_tagged(example_preview):
    for stack in ("dev", "staging", "prod"):
        preview = example_preview(stack)
        for r in preview.resources:
            assert r.parent, r.name
            if "tags" in r.inputs:
                tags = r.inputs["tags"]
                for key in (
                    "seccat:catalog-id",
                    "seccat:owner",
                    "seccat:classification",
                    "seccat:environment",
                    "seccat:managed-by",
                ):
                    assert key in tags, (r.name, key)
                assert tags["seccat:environment"] == stack
