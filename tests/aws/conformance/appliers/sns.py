"""aws:sns/topic:Topic, aws:sns/topicPolicy:TopicPolicy, aws:sns/topicSubscription."""

from __future__ import annotations

from tests.aws.conformance.model import (
    Applier,
    Clients,
    Compared,
    Real,
    Target,
    document,
    same,
    tag_list,
    tag_map,
)
from tests.aws.conformance.registry import register


def apply_topic(clients: Clients, t: Target) -> Real:
    i = t.inputs
    attributes = {"KmsMasterKeyId": i["kmsMasterKeyId"]} if i.get("kmsMasterKeyId") else {}
    arn = (
        t.client(clients, "sns")
        .create_topic(Name=i["name"], Attributes=attributes, Tags=tag_list(i.get("tags")))
        .get("TopicArn")
    )
    return Real(arn, {"arn": arn, "id": arn, "name": i["name"]})


def read_topic(clients: Clients, t: Target, real: Real) -> list[Compared]:
    sns = t.client(clients, "sns")
    attributes = sns.get_topic_attributes(TopicArn=real.id)["Attributes"]
    tags = sns.list_tags_for_resource(ResourceArn=real.id)["Tags"]
    return [
        same("name", t.inputs["name"], attributes["TopicArn"].rsplit(":", 1)[1]),
        same("kmsMasterKeyId", t.inputs.get("kmsMasterKeyId"), attributes.get("KmsMasterKeyId")),
        same("tags", t.inputs.get("tags") or {}, tag_map(tags)),
    ]


def apply_policy(clients: Clients, t: Target) -> Real:
    t.client(clients, "sns").set_topic_attributes(
        TopicArn=t.inputs["arn"], AttributeName="Policy", AttributeValue=t.inputs["policy"]
    )
    return Real(t.inputs["arn"])


def read_policy(clients: Clients, t: Target, real: Real) -> list[Compared]:
    attributes = t.client(clients, "sns").get_topic_attributes(TopicArn=real.id)["Attributes"]
    return [
        same("arn", t.inputs["arn"], attributes["TopicArn"]),
        document("policy", t.inputs["policy"], attributes["Policy"]),
    ]


def apply_subscription(clients: Clients, t: Target) -> Real:
    i = t.inputs
    arn = t.client(clients, "sns").subscribe(
        TopicArn=i["topic"],
        Protocol=i["protocol"],
        Endpoint=i["endpoint"],
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return Real(arn, {"arn": arn, "id": arn})


def read_subscription(clients: Clients, t: Target, real: Real) -> list[Compared]:
    sns = t.client(clients, "sns")
    attributes = sns.get_subscription_attributes(SubscriptionArn=real.id)["Attributes"]
    return [
        same("topic", t.inputs["topic"], attributes["TopicArn"]),
        same("protocol", t.inputs["protocol"], attributes["Protocol"]),
        same("endpoint", t.inputs["endpoint"], attributes["Endpoint"]),
    ]


register(
    Applier(
        "aws:sns/topic:Topic",
        apply_topic,
        read_topic,
        calls=("sns.create_topic", "sns.get_topic_attributes", "sns.list_tags_for_resource"),
        gaps="moto does not check that the KMS key (alias) exists",
    )
)
register(
    Applier(
        "aws:sns/topicPolicy:TopicPolicy",
        apply_policy,
        read_policy,
        calls=("sns.set_topic_attributes(Policy)", "sns.get_topic_attributes"),
        oracle="cfn-lint E3512 (resource policy) + W3037 (sns actions only)",
        gaps="moto stores any policy text",
    )
)
register(
    Applier(
        "aws:sns/topicSubscription:TopicSubscription",
        apply_subscription,
        read_subscription,
        calls=("sns.subscribe", "sns.get_subscription_attributes"),
        gaps="no e-mail is sent: AWS keeps an e-mail subscription pending until it is confirmed",
    )
)
