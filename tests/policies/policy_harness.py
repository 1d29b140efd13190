"""Run a rule on its fixtures the way each runner does: through the pack's own
pulumi_policy policy objects (with the unknown-checking proxy), through the analyzer
servicer with protobuf requests (CrossGuard's wire format), and through catalog contexts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError, _PolicyAnalyzerServicer
from pulumi_policy.proxy import unknown_checking_proxy

from seccat.catalog.build import build_catalog
from seccat.engine.recording import RecordedResource
from seccat.policies.framework import CatalogContext, Rule, to_policy

FIXTURES = Path(__file__).resolve().parents[2] / "policies" / "rules" / "fixtures"
NOT_APPLICABLE = object()


def fixtures(rule_id: str) -> dict[str, list[dict[str, Any]]]:
    return json.loads((FIXTURES / f"{rule_id}.json").read_text())


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::seccat::{type_}::{name}"


def _opts(protect: bool = False, parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def run_resource_case(rule: Rule, case: dict[str, Any]) -> list[str] | object:
    """Violations the pack's policy reports, or NOT_APPLICABLE."""
    policy = to_policy(rule)
    found: list[str] = []
    args = ResourceValidationArgs(
        case["type"],
        unknown_checking_proxy(case["props"]),
        urn(case["type"], case["name"]),
        case["name"],
        _opts(bool(case.get("opts", {}).get("protect"))),
        None,
        case.get("config", {}),
    )
    try:
        policy.validate(args, lambda message, _urn=None: found.append(message))
    except _NotApplicableError:
        return NOT_APPLICABLE
    return found


def policy_resources(case: dict[str, Any]) -> list[PolicyResource]:
    by_name: dict[str, PolicyResource] = {}
    out: list[PolicyResource] = []
    for r in case["resources"]:
        parent_urn = None
        if r.get("parent"):
            parent = next(x for x in case["resources"] if x["name"] == r["parent"])
            parent_urn = urn(parent["type"], parent["name"])
        pr = PolicyResource(
            r["type"],
            unknown_checking_proxy(r["props"]),
            urn(r["type"], r["name"]),
            r["name"],
            _opts(bool(r.get("protect")), parent_urn),
            None,
            None,
            [],
            {},
        )
        by_name[r["name"]] = pr
        out.append(pr)
    for r, pr in zip(case["resources"], out, strict=True):
        if r.get("parent"):
            pr.parent = by_name[r["parent"]]
    return out


def run_stack_case(rule: Rule, case: dict[str, Any]) -> list[str] | object:
    policy = to_policy(rule)
    found: list[str] = []
    args = StackValidationArgs(policy_resources(case), case.get("config", {}))
    try:
        policy.validate(args, lambda message, _urn=None: found.append(message))
    except _NotApplicableError:
        return NOT_APPLICABLE
    return found


def run_catalog_case(rule: Rule, case: dict[str, Any]) -> list[str]:
    catalog = build_catalog(case["catalog"], source="fixture.yaml")
    resources = tuple(
        RecordedResource(
            type=r["type"],
            name=r["name"],
            urn=urn(r["type"], r["name"]),
            parent=None,
            inputs=r["inputs"],
            options={},
            custom=True,
        )
        for r in case.get("resources", [])
    )
    ctx = CatalogContext(
        case.get("environment"), resources, case.get("today", ""), case.get("stack", "")
    )
    return [v.message for v in rule.check(catalog, rule.config(case.get("config")), ctx)]


def run_case(rule: Rule, case: dict[str, Any]) -> list[str] | object:
    if rule.scope == "resource":
        return run_resource_case(rule, case)
    if rule.scope == "stack":
        return run_stack_case(rule, case)
    return run_catalog_case(rule, case)


# --- CrossGuard's wire format -------------------------------------------------------------


def servicer(rule: Rule, config: dict[str, Any] | None = None) -> _PolicyAnalyzerServicer:
    s = _PolicyAnalyzerServicer("seccat", "0.1.0", [to_policy(rule)], EnforcementLevel.ADVISORY)
    s.Configure(configure_request(rule, config), None)
    return s


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    st = struct_pb2.Struct()
    st.update(props)
    return st


def configure_request(
    rule: Rule, config: dict[str, Any] | None = None
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """The rule at mandatory enforcement with the case's config, as `--policy-pack-config`
    sends it."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    entry = request.policyConfig[rule.id]
    entry.enforcementLevel = analyzer_pb2.MANDATORY
    if config:
        entry.properties.update(config)
    return request


def analyze_request(case: dict[str, Any]) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=case["type"],
        properties=_struct(case["props"]),
        urn=urn(case["type"], case["name"]),
        name=case["name"],
        options=analyzer_pb2.AnalyzerResourceOptions(
            protect=bool(case.get("opts", {}).get("protect"))
        ),
    )


def analyze(rule: Rule, case: dict[str, Any]) -> analyzer_pb2.AnalyzeResponse:
    return servicer(rule, case.get("config")).Analyze(analyze_request(case), None)


def analyze_stack_request(case: dict[str, Any]) -> analyzer_pb2.AnalyzeStackRequest:
    resources = []
    for r in case["resources"]:
        parent = ""
        if r.get("parent"):
            p = next(x for x in case["resources"] if x["name"] == r["parent"])
            parent = urn(p["type"], p["name"])
        resources.append(
            analyzer_pb2.AnalyzerResource(
                type=r["type"],
                properties=_struct(r["props"]),
                urn=urn(r["type"], r["name"]),
                name=r["name"],
                options=analyzer_pb2.AnalyzerResourceOptions(
                    protect=bool(r.get("protect")), parent=parent
                ),
                parent=parent,
            )
        )
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def analyze_stack(rule: Rule, case: dict[str, Any]) -> analyzer_pb2.AnalyzeResponse:
    return servicer(rule, case.get("config")).AnalyzeStack(analyze_stack_request(case), None)
