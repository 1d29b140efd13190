"""Every generated IAM document, judged by independent oracles: moto's IAM policy grammar
(create_policy, update_assume_role_policy), parliament's linter and cloudsplaining's risk
checks. Every document kind (KMS key and SNS topic policies and the KV rotators' roles
too) also goes to cfn-lint and a real moto server in tests/aws/conformance/."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from cloudsplaining.scan.policy_document import PolicyDocument
from moto import mock_aws

from tests.aws.conftest import policy_documents

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    import parliament

IDENTITY = {"aws:iam/rolePolicy:RolePolicy"}
TRUST = {"aws:iam/role:Role"}
RESOURCE = {"aws:secretsmanager/secretPolicy:SecretPolicy"}

# Documented false positives of parliament 1.6.4 (IAM definitions of 2025-02), nothing wider:
#: parliament checks condition keys against an action's own keys only, but kms:ResourceAliases
#: is a key of the KMS *key resource* (its own iam_definition.json lists it there; asserted
#: below), which is what our statements name.
KMS_RESOURCE_ALIASES = {
    ("UNKNOWN_CONDITION_FOR_ACTION", f"Unknown condition kms:ResourceAliases for action {a}")
    for a in ("kms:Decrypt", "kms:GenerateDataKey")
}
#: parliament lints permission policies: a role trust policy has no Resource by definition
#: (parliament's statement.py says so itself), and it knows only Cognito, Amazon, Facebook,
#: Google and SAML as federation sources, not IAM OIDC providers (GitHub, EKS).
TRUST_ONLY = {("MALFORMED", "Statement contains neither Resource nor NotResource")}


def _documents(previews) -> Iterator[tuple[str, str, str, Any]]:
    seen = set()
    for preview in previews:
        for resource, key, doc in policy_documents(preview):
            if resource.type not in IDENTITY | TRUST | RESOURCE:
                continue
            if resource.name.startswith(f"{preview.stack}-"):
                continue  # the KMS/SNS policies of SecretsPlatform are the lead's, tested there
            if resource.type in TRUST and key != "assumeRolePolicy":
                continue
            text = json.dumps(doc, sort_keys=True)
            if text in seen:
                continue
            seen.add(text)
            yield resource.type, resource.name, key, doc


@pytest.fixture(scope="module")
def documents(aws_preview, example_preview) -> list[tuple[str, str, str, Any]]:
    docs = list(_documents([aws_preview("dev"), aws_preview("prod"), example_preview("prod")]))
    # Only seccat's AWS documents: the Vault helper's own roles are judged by its tests.
    docs = [d for d in docs if d[1].count("/") >= 1]
    kinds = {t for t, *_ in docs}
    assert kinds == IDENTITY | TRUST | RESOURCE
    assert len(docs) > 30
    return docs


def test_moto_iam_accepts_every_document(documents) -> None:
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        for i, (type_, _name, _, doc) in enumerate(documents):
            text = json.dumps(doc)
            if type_ in TRUST:
                # create_role stores any text; update_assume_role_policy runs moto's trust
                # policy grammar (IAMTrustPolicyDocumentValidator).
                client.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument="{}")
                client.update_assume_role_policy(RoleName=f"r{i}", PolicyDocument=text)
            else:
                # IAM's policy grammar (moto validates it as IAM does); a secret's resource
                # policy uses the same grammar plus Principal, which the validator accepts.
                client.create_policy(PolicyName=f"p{i}", PolicyDocument=text)


def test_moto_iam_rejects_a_broken_document() -> None:
    """The oracle can fail: a policy without a Resource is refused."""
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        with pytest.raises(client.exceptions.MalformedPolicyDocumentException):
            client.create_policy(PolicyName="broken", PolicyDocument=json.dumps(broken))


def test_moto_iam_rejects_a_broken_trust_policy() -> None:
    """The trust oracle can fail: update_assume_role_policy refuses a trust policy with a
    Resource, which create_role would store without a word."""
    broken = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            }
        ],
    }
    with mock_aws():
        client = boto3.client("iam", region_name="us-east-1")
        client.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(broken))
        with pytest.raises(client.exceptions.MalformedPolicyDocumentException):
            client.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps(broken))


def _findings(doc: Any) -> set[tuple[str, str]]:
    policy = parliament.analyze_policy_string(json.dumps(doc, indent=2))
    return {(f.issue, str(f.detail)) for f in policy.findings}


def test_parliament_finds_nothing_beyond_documented_false_positives(documents) -> None:
    for type_, name, _, doc in documents:
        findings = _findings(doc)
        if type_ in TRUST:
            findings = {
                f
                for f in findings
                if f not in TRUST_ONLY
                and not (f[0] == "UNKNOWN_FEDERATION_SOURCE" and ":oidc-provider/" in f[1])
            }
        findings -= KMS_RESOURCE_ALIASES
        assert findings == set(), (name, findings)


def test_parliament_false_positive_claims_hold() -> None:
    """The exceptions above are real: parliament lists kms:ResourceAliases on the KMS key
    resource, and it does flag a genuinely wrong document."""
    from parliament import iam_definition

    kms = next(s for s in iam_definition if s["prefix"] == "kms")
    key = next(r for r in kms["resources"] if r["resource"] == "key")
    assert "kms:ResourceAliases" in key["condition_keys"]
    wildcard = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
        ],
    }
    assert "RESOURCE_STAR" in {issue for issue, _ in _findings(wildcard)}


def test_cloudsplaining_sees_no_risk_in_identity_policies(documents) -> None:
    identity = [(name, doc) for type_, name, _, doc in documents if type_ in IDENTITY]
    assert len(identity) >= 10
    for name, doc in identity:
        policy = PolicyDocument(doc)
        assert policy.all_allowed_unrestricted_actions == [], name
        assert policy.infrastructure_modification == [], name
        assert policy.allows_privilege_escalation == [], name
        assert policy.permissions_management_without_constraints == [], name
        assert policy.credentials_exposure == [], name
        assert policy.allows_data_exfiltration_actions == [], name
        assert policy.service_wildcard == [], name
