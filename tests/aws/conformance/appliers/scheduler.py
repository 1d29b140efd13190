"""aws:scheduler/scheduleGroup:ScheduleGroup and aws:scheduler/schedule:Schedule."""

from __future__ import annotations

from typing import Any

from tests.aws.conformance.model import (
    Applier,
    Clients,
    Compared,
    Real,
    Target,
    same,
    tag_list,
    tag_map,
)
from tests.aws.conformance.registry import register


def apply_group(clients: Clients, t: Target) -> Real:
    i = t.inputs
    arn = t.client(clients, "scheduler").create_schedule_group(
        Name=i["name"], Tags=tag_list(i.get("tags"))
    )["ScheduleGroupArn"]
    return Real(i["name"], {"arn": arn, "name": i["name"]})


def read_group(clients: Clients, t: Target, real: Real) -> list[Compared]:
    scheduler = t.client(clients, "scheduler")
    group = scheduler.get_schedule_group(Name=real.id)
    tags = scheduler.list_tags_for_resource(ResourceArn=group["Arn"])["Tags"]
    return [
        same("name", t.inputs["name"], group["Name"]),
        same("tags", t.inputs.get("tags") or {}, tag_map(tags)),
    ]


def _target(i: dict[str, Any]) -> dict[str, Any]:
    target: dict[str, Any] = {"Arn": i["arn"], "RoleArn": i["roleArn"]}
    if i.get("input") is not None:
        target["Input"] = i["input"]
    if i.get("retryPolicy"):
        target["RetryPolicy"] = {
            "MaximumRetryAttempts": int(i["retryPolicy"]["maximumRetryAttempts"]),
            "MaximumEventAgeInSeconds": int(i["retryPolicy"]["maximumEventAgeInSeconds"]),
        }
    return target


def _window(window: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Mode": window["mode"]}
    if window.get("maximumWindowInMinutes") is not None:
        out["MaximumWindowInMinutes"] = int(window["maximumWindowInMinutes"])
    return out


def _shown_window(window: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": window["Mode"]}
    if "MaximumWindowInMinutes" in window:
        out["maximumWindowInMinutes"] = window["MaximumWindowInMinutes"]
    return out


def apply_schedule(clients: Clients, t: Target) -> Real:
    i = t.inputs
    args: dict[str, Any] = {
        "Name": i["name"],
        "GroupName": i.get("groupName", "default"),
        "Description": i.get("description", ""),
        "ScheduleExpression": i["scheduleExpression"],
        "FlexibleTimeWindow": _window(i["flexibleTimeWindow"]),
        "State": i.get("state", "ENABLED"),
        "Target": _target(i["target"]),
    }
    if i.get("scheduleExpressionTimezone"):
        args["ScheduleExpressionTimezone"] = i["scheduleExpressionTimezone"]
    if i.get("kmsKeyArn"):
        args["KmsKeyArn"] = i["kmsKeyArn"]
    arn = t.client(clients, "scheduler").create_schedule(**args)["ScheduleArn"]
    return Real(f"{args['GroupName']}/{i['name']}", {"arn": arn, "name": i["name"]})


def read_schedule(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    group, name = real.id.split("/", 1)
    s = t.client(clients, "scheduler").get_schedule(Name=name, GroupName=group)
    target = s["Target"]
    retry = target.get("RetryPolicy") or {}
    shown_target: dict[str, Any] = {"arn": target["Arn"], "roleArn": target["RoleArn"]}
    if "Input" in target:
        shown_target["input"] = target["Input"]
    if retry:
        shown_target["retryPolicy"] = {
            "maximumRetryAttempts": retry.get("MaximumRetryAttempts"),
            "maximumEventAgeInSeconds": retry.get("MaximumEventAgeInSeconds"),
        }
    return [
        same("name", i["name"], s["Name"]),
        same("groupName", i.get("groupName", "default"), s["GroupName"]),
        same("description", i.get("description", ""), s.get("Description", "")),
        same("scheduleExpression", i["scheduleExpression"], s["ScheduleExpression"]),
        same(
            "scheduleExpressionTimezone",
            i.get("scheduleExpressionTimezone"),
            s.get("ScheduleExpressionTimezone"),
        ),
        same("flexibleTimeWindow", i["flexibleTimeWindow"], _shown_window(s["FlexibleTimeWindow"])),
        same("kmsKeyArn", i.get("kmsKeyArn"), s.get("KmsKeyArn")),
        same("state", i.get("state", "ENABLED"), s.get("State")),
        same("target", i["target"], shown_target),
    ]


register(
    Applier(
        "aws:scheduler/scheduleGroup:ScheduleGroup",
        apply_group,
        read_group,
        calls=(
            "scheduler.create_schedule_group",
            "scheduler.get_schedule_group",
            "scheduler.list_tags_for_resource",
        ),
    )
)
register(
    Applier(
        "aws:scheduler/schedule:Schedule",
        apply_schedule,
        read_schedule,
        calls=("scheduler.create_schedule", "scheduler.get_schedule"),
        oracle=(
            "scheduleExpression: the EventBridge Scheduler schedule-expression oracle "
            "(oracles/schedules.py, rules of the EventBridge Scheduler user guide)"
        ),
        gaps=(
            "moto stores any schedule expression and does not check that the target "
            "function, the role or the KMS key exist"
        ),
    )
)
