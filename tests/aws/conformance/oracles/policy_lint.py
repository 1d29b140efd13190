"""cfn-lint as an independent judge of every IAM policy document seccat emits.

moto stores key policies, topic policies and secret resource policies without reading
them, and its trust-policy grammar does not require a Principal. cfn-lint (AWS's own
CloudFormation linter, pinned in pyproject.toml) validates the documents embedded in
CloudFormation resources against its IAM policy schemas
(cfnlint/data/schemas/other/iam/*.json) and checks every action against its catalogue of
service actions (W3037). Each document is placed where CloudFormation carries it:

=========  ==============================================  ========================
kind       CloudFormation slot                             cfn-lint rule
=========  ==============================================  ========================
trust      AWS::IAM::Role AssumeRolePolicyDocument         E3530 (policy_trust)
identity   AWS::IAM::RolePolicy PolicyDocument             E3510 (policy_identity)
key        AWS::KMS::Key KeyPolicy                         E3512 (policy_resource)
topic      AWS::SNS::TopicPolicy PolicyDocument            E3512, W3037 (sns only)
secret     AWS::SecretsManager::ResourcePolicy             E9512 (policy_resource)
logs       AWS::Logs::ResourcePolicy PolicyDocument        E9513 (policy_resource)
=========  ==============================================  ========================

cfn-lint 1.58.0 does not register the Secrets Manager slot (its E3512 covers KMS, S3, SNS,
SQS and OpenSearch only: a broken secret policy there passes), so E9512 below is cfn-lint's
own resource-policy rule class and schema, registered on that slot; E9513 does the same for
CloudWatch Logs resource policies (a string property in CloudFormation, which cfn-lint
otherwise only checks for actions, W3037). Documents are parsed
here first: cfn-lint silently skips a policy string that is not JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cfnlint.api import lint
from cfnlint.rules import RulesCollection
from cfnlint.rules.resources.iam.Policy import Policy

from seccat.engine.preview import Preview


class SecretResourcePolicy(Policy):
    """cfn-lint's resource-based policy validation, on the slot it leaves out."""

    id = "E9512"
    shortdesc = "Validate Secrets Manager resource policies"
    description = "Secrets Manager resource policies against cfn-lint's resource policy schema"
    source_url = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html"
    tags = ["resources", "iam", "secretsmanager"]  # noqa: RUF012 (cfn-lint rule API)

    def __init__(self) -> None:
        super().__init__(
            ["Resources/AWS::SecretsManager::ResourcePolicy/Properties/ResourcePolicy"],
            "resource",
            "policy_resource.json",
        )


class LogsResourcePolicy(Policy):
    """cfn-lint's resource-based policy validation, on the CloudWatch Logs slot."""

    id = "E9513"
    shortdesc = "Validate CloudWatch Logs resource policies"
    description = "CloudWatch Logs resource policies against cfn-lint's resource policy schema"
    source_url = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html"
    tags = ["resources", "iam", "logs"]  # noqa: RUF012 (cfn-lint rule API)

    def __init__(self) -> None:
        super().__init__(
            ["Resources/AWS::Logs::ResourcePolicy/Properties/PolicyDocument"],
            "resource",
            "policy_resource.json",
        )


@dataclass(frozen=True)
class Kind:
    seccat_type: str
    input_key: str
    cfn_type: str
    cfn_property: str


KINDS: dict[str, Kind] = {
    "trust": Kind(
        "aws:iam/role:Role", "assumeRolePolicy", "AWS::IAM::Role", "AssumeRolePolicyDocument"
    ),
    "identity": Kind(
        "aws:iam/rolePolicy:RolePolicy", "policy", "AWS::IAM::RolePolicy", "PolicyDocument"
    ),
    "key": Kind("aws:kms/key:Key", "policy", "AWS::KMS::Key", "KeyPolicy"),
    "topic": Kind(
        "aws:sns/topicPolicy:TopicPolicy", "policy", "AWS::SNS::TopicPolicy", "PolicyDocument"
    ),
    "secret": Kind(
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "policy",
        "AWS::SecretsManager::ResourcePolicy",
        "ResourcePolicy",
    ),
    "logs": Kind(
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "policyDocument",
        "AWS::Logs::ResourcePolicy",
        "PolicyDocument",
    ),
}


@dataclass(frozen=True)
class PolicyDocument:
    kind: str
    #: Where it came from (resource name), for messages.
    source: str
    text: str


def documents(previews: Iterable[Preview]) -> Iterator[PolicyDocument]:
    """Every policy document of every kind in the previews, once per distinct text."""
    by_type = {k.seccat_type: (name, k) for name, k in KINDS.items()}
    seen: set[tuple[str, str]] = set()
    for preview in previews:
        for r in preview.resources:
            if r.type not in by_type:
                continue
            kind_name, kind = by_type[r.type]
            text = r.inputs.get(kind.input_key)
            if not isinstance(text, str) or (kind_name, text) in seen:
                continue
            seen.add((kind_name, text))
            yield PolicyDocument(kind_name, f"{preview.stack}:{r.name}", text)


@cache
def _rules() -> RulesCollection:
    from cfnlint.core import get_rules

    rules = get_rules([], [], [])
    rules.register(SecretResourcePolicy())
    rules.register(LogsResourcePolicy())
    return rules


def _properties(kind: Kind, doc: Any, n: int) -> dict[str, Any]:
    """The document plus the resource's other required properties (distinct per resource:
    cfn-lint checks that primary identifiers are unique)."""
    props: dict[str, Any] = {kind.cfn_property: doc}
    if kind.cfn_type == "AWS::IAM::RolePolicy":
        props |= {"PolicyName": "seccat", "RoleName": f"seccat-{n}"}
    elif kind.cfn_type == "AWS::SNS::TopicPolicy":
        props["Topics"] = [f"arn:aws:sns:us-east-1:111111111111:seccat-{n}"]
    elif kind.cfn_type == "AWS::SecretsManager::ResourcePolicy":
        props["SecretId"] = f"seccat-{n}"
    elif kind.cfn_type == "AWS::Logs::ResourcePolicy":
        # A JSON string in CloudFormation, as in the API.
        props = {kind.cfn_property: json.dumps(doc), "PolicyName": f"seccat-{n}"}
    return props


#: Documents per template: cfn-lint's time per document grows with the template (measured:
#: 100 documents take 1.5 s in templates of 25, 5 s in one template), so batch them.
BATCH = 25


def findings(docs: list[PolicyDocument], region: str = "us-east-1") -> list[list[str]]:
    """cfn-lint's findings for each document (same order); [] means accepted."""
    results: list[list[str]] = []
    for start in range(0, len(docs), BATCH):
        results += _batch(docs[start : start + BATCH], region)
    return results


def _batch(docs: list[PolicyDocument], region: str) -> list[list[str]]:
    results: list[list[str]] = [[] for _ in docs]
    resources = {}
    for n, d in enumerate(docs):
        try:
            parsed = json.loads(d.text)
        except json.JSONDecodeError as exc:
            results[n].append(f"not JSON: {exc}")
            continue
        kind = KINDS[d.kind]
        resources[f"Doc{n}"] = {"Type": kind.cfn_type, "Properties": _properties(kind, parsed, n)}
    if not resources:
        return results
    template = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources})
    for match in lint(template, rules=_rules(), regions=[region]):
        path = list(getattr(match, "path", None) or [])
        if len(path) >= 2 and path[0] == "Resources" and str(path[1]).startswith("Doc"):
            results[int(str(path[1])[3:])].append(f"{match.rule.id}: {match.message}")
        else:
            raise AssertionError(f"cfn-lint finding outside any document: {match}")
    return results
