"""aws:cloudwatch/*: MetricAlarm, EventRule, EventTarget, LogGroup, LogResourcePolicy,
Dashboard."""

from __future__ import annotations

from typing import Any

from tests.aws.conformance.model import (
    Applier,
    ApplyError,
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


def apply_alarm(clients: Clients, t: Target) -> Real:
    i = t.inputs
    cw = t.client(clients, "cloudwatch")
    cw.put_metric_alarm(
        AlarmName=i["name"],
        AlarmDescription=i.get("alarmDescription", ""),
        Namespace=i["namespace"],
        MetricName=i["metricName"],
        Dimensions=[{"Name": k, "Value": v} for k, v in sorted(i.get("dimensions", {}).items())],
        Statistic=i["statistic"],
        Period=int(i["period"]),
        EvaluationPeriods=int(i["evaluationPeriods"]),
        Threshold=float(i["threshold"]),
        ComparisonOperator=i["comparisonOperator"],
        TreatMissingData=i.get("treatMissingData", "missing"),
        ActionsEnabled=bool(i.get("actionsEnabled", True)),
        AlarmActions=i.get("alarmActions") or [],
        OKActions=i.get("okActions") or [],
        Tags=tag_list(i.get("tags")),
    )
    alarm = cw.describe_alarms(AlarmNames=[i["name"]])["MetricAlarms"][0]
    return Real(i["name"], {"arn": alarm["AlarmArn"], "name": i["name"]})


def read_alarm(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    cw = t.client(clients, "cloudwatch")
    found = cw.describe_alarms(AlarmNames=[real.id])["MetricAlarms"]
    if len(found) != 1:
        raise ApplyError(f"alarm {real.id}: {len(found)} found")
    a = found[0]
    tags = cw.list_tags_for_resource(ResourceARN=a["AlarmArn"])["Tags"]
    return [
        same("name", i["name"], a["AlarmName"]),
        same("alarmDescription", i.get("alarmDescription", ""), a.get("AlarmDescription", "")),
        same("namespace", i["namespace"], a["Namespace"]),
        same("metricName", i["metricName"], a["MetricName"]),
        same("dimensions", i.get("dimensions", {}), tag_map(a["Dimensions"], "Name", "Value")),
        same("statistic", i["statistic"], a["Statistic"]),
        same("period", i["period"], a["Period"]),
        same("evaluationPeriods", i["evaluationPeriods"], a["EvaluationPeriods"]),
        same("threshold", i["threshold"], a["Threshold"]),
        same("comparisonOperator", i["comparisonOperator"], a["ComparisonOperator"]),
        same("treatMissingData", i.get("treatMissingData"), a.get("TreatMissingData")),
        same("actionsEnabled", i.get("actionsEnabled", True), a["ActionsEnabled"]),
        same("alarmActions", i.get("alarmActions") or [], a.get("AlarmActions")),
        same("okActions", i.get("okActions") or [], a.get("OKActions")),
        same("tags", i.get("tags") or {}, tag_map(tags)),
    ]


def apply_rule(clients: Clients, t: Target) -> Real:
    i = t.inputs
    args: dict[str, Any] = {
        "Name": i["name"],
        "Description": i.get("description", ""),
        "EventPattern": i["eventPattern"],
        "State": i.get("state", "ENABLED"),
        "Tags": tag_list(i.get("tags")),
    }
    arn = t.client(clients, "events").put_rule(**args)["RuleArn"]
    return Real(i["name"], {"arn": arn, "name": i["name"]})


def read_rule(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    events = t.client(clients, "events")
    rule = events.describe_rule(Name=real.id)
    tags = events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
    return [
        same("name", i["name"], rule["Name"]),
        same("description", i.get("description", ""), rule.get("Description", "")),
        document("eventPattern", i["eventPattern"], rule["EventPattern"]),
        same("tags", i.get("tags") or {}, tag_map(tags)),
    ]


def apply_target(clients: Clients, t: Target) -> Real:
    i = t.inputs
    target: dict[str, Any] = {"Id": i["targetId"], "Arn": i["arn"]}
    if i.get("inputTransformer"):
        target["InputTransformer"] = {
            "InputPathsMap": i["inputTransformer"].get("inputPaths") or {},
            "InputTemplate": i["inputTransformer"]["inputTemplate"],
        }
    got = t.client(clients, "events").put_targets(Rule=i["rule"], Targets=[target])
    if got.get("FailedEntryCount"):
        raise ApplyError(f"put_targets failed: {got.get('FailedEntries')}")
    return Real(f"{i['rule']}/{i['targetId']}")


def read_target(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    rule, target_id = real.id.split("/", 1)
    targets = t.client(clients, "events").list_targets_by_rule(Rule=rule)["Targets"]
    found = [x for x in targets if x["Id"] == target_id]
    if len(found) != 1:
        raise ApplyError(f"target {target_id} of {rule}: {found}")
    x = found[0]
    shown = {
        "inputPaths": x.get("InputTransformer", {}).get("InputPathsMap"),
        "inputTemplate": x.get("InputTransformer", {}).get("InputTemplate"),
    }
    return [
        same("rule", i["rule"], rule),
        same("targetId", i["targetId"], x["Id"]),
        same("arn", i["arn"], x["Arn"]),
        same("inputTransformer", i.get("inputTransformer"), shown),
    ]


def apply_log_group(clients: Clients, t: Target) -> Real:
    i = t.inputs
    logs = t.client(clients, "logs")
    args: dict[str, Any] = {"logGroupName": i["name"], "tags": dict(i.get("tags") or {})}
    if i.get("kmsKeyId"):
        args["kmsKeyId"] = i["kmsKeyId"]
    logs.create_log_group(**args)
    if i.get("retentionInDays") is not None:
        logs.put_retention_policy(logGroupName=i["name"], retentionInDays=int(i["retentionInDays"]))
    group = _log_group(clients, t, i["name"])
    arn = group.get("logGroupArn") or group["arn"].removesuffix(":*")
    return Real(i["name"], {"arn": arn, "name": i["name"]})


def _log_group(clients: Clients, t: Target, name: str) -> dict[str, Any]:
    groups = t.client(clients, "logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    found = [g for g in groups if g["logGroupName"] == name]
    if len(found) != 1:
        raise ApplyError(f"log group {name}: {len(found)} found")
    return found[0]


def read_log_group(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    group = _log_group(clients, t, real.id)
    tags = t.client(clients, "logs").list_tags_log_group(logGroupName=real.id)["tags"]
    return [
        same("name", i["name"], group["logGroupName"]),
        same("retentionInDays", i.get("retentionInDays"), group.get("retentionInDays")),
        same("kmsKeyId", i.get("kmsKeyId"), group.get("kmsKeyId")),
        same("tags", i.get("tags") or {}, tags),
    ]


def apply_log_policy(clients: Clients, t: Target) -> Real:
    i = t.inputs
    got = t.client(clients, "logs").put_resource_policy(
        policyName=i["policyName"], policyDocument=i["policyDocument"]
    )["resourcePolicy"]
    return Real(got["policyName"], {"policyName": got["policyName"]})


def read_log_policy(clients: Clients, t: Target, real: Real) -> list[Compared]:
    policies = t.client(clients, "logs").describe_resource_policies()["resourcePolicies"]
    found = [p for p in policies if p["policyName"] == real.id]
    if len(found) != 1:
        raise ApplyError(f"log resource policy {real.id}: {len(found)} found")
    return [
        same("policyName", t.inputs["policyName"], found[0]["policyName"]),
        document("policyDocument", t.inputs["policyDocument"], found[0]["policyDocument"]),
    ]


def apply_dashboard(clients: Clients, t: Target) -> Real:
    i = t.inputs
    cw = t.client(clients, "cloudwatch")
    got = cw.put_dashboard(DashboardName=i["dashboardName"], DashboardBody=i["dashboardBody"])
    if got.get("DashboardValidationMessages"):
        raise ApplyError(f"dashboard refused: {got['DashboardValidationMessages']}")
    arn = cw.get_dashboard(DashboardName=i["dashboardName"])["DashboardArn"]
    return Real(i["dashboardName"], {"arn": arn})


def read_dashboard(clients: Clients, t: Target, real: Real) -> list[Compared]:
    got = t.client(clients, "cloudwatch").get_dashboard(DashboardName=real.id)
    return [
        same("dashboardName", t.inputs["dashboardName"], got["DashboardName"]),
        document("dashboardBody", t.inputs["dashboardBody"], got["DashboardBody"]),
    ]


register(
    Applier(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        apply_alarm,
        read_alarm,
        calls=(
            "cloudwatch.put_metric_alarm",
            "cloudwatch.describe_alarms",
            "cloudwatch.list_tags_for_resource",
        ),
        gaps="moto does not check that the alarm and OK actions (the SNS topic) exist",
    )
)
register(
    Applier(
        "aws:cloudwatch/eventRule:EventRule",
        apply_rule,
        read_rule,
        calls=("events.put_rule", "events.describe_rule", "events.list_tags_for_resource"),
        oracle="moto's event-pattern validation (put_rule: JSON object, values in arrays)",
        gaps="moto accepts unknown content-filter operators",
    )
)
register(
    Applier(
        "aws:cloudwatch/eventTarget:EventTarget",
        apply_target,
        read_target,
        calls=("events.put_targets", "events.list_targets_by_rule"),
        gaps="moto does not check that the target (the SNS topic) exists or that the input "
        "template's placeholders are input paths",
    )
)
register(
    Applier(
        "aws:cloudwatch/logGroup:LogGroup",
        apply_log_group,
        read_log_group,
        calls=(
            "logs.create_log_group",
            "logs.put_retention_policy",
            "logs.describe_log_groups",
            "logs.list_tags_log_group",
        ),
        gaps=(
            "moto accepts any retention (0 and 366 too) and does not check that the KMS key "
            "exists or allows CloudWatch Logs"
        ),
    )
)
register(
    Applier(
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        apply_log_policy,
        read_log_policy,
        calls=("logs.put_resource_policy", "logs.describe_resource_policies"),
        oracle="cfn-lint E9513 (oracles/policy_lint.py: resource-policy schema, known actions)",
        gaps=(
            "moto stores any policy document without reading it, and knows only the "
            "account-level form (policyName, no resourceArn)"
        ),
    )
)
register(
    Applier(
        "aws:cloudwatch/dashboard:Dashboard",
        apply_dashboard,
        read_dashboard,
        calls=("cloudwatch.put_dashboard", "cloudwatch.get_dashboard"),
        gaps="moto does not validate the dashboard body (widgets, metrics, alarm ARNs)",
    )
)
