"""The whole pack over the example catalog's real components, through pulumi_policy's
analyzer servicer with protobuf requests: what `pulumi preview --policy-pack policies` would
report. CrossGuard knows no catalog waivers, and the example catalog needs none: its
owner-rotated secrets (a certificate, vendor keys) pass SECCAT-AWS-002 on their renewal
check and alarms, so the pack reports nothing."""

from __future__ import annotations

from collections.abc import Callable

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from seccat.engine.preview import Preview
from seccat.policies.registry import pack_policies


def _struct(props: dict) -> struct_pb2.Struct:
    st = struct_pb2.Struct()
    st.update(props)
    return st


def test_pack_over_prod_components(example_preview: Callable[[str], Preview]) -> None:
    preview = example_preview("prod")
    servicer = _PolicyAnalyzerServicer(
        "seccat", "0.1.0", pack_policies(), EnforcementLevel.ADVISORY
    )
    diagnostics: list[tuple[str, str]] = []
    resources = []
    for r in preview.resources:
        options = analyzer_pb2.AnalyzerResourceOptions(
            protect=bool(r.options.get("protect")), parent=r.parent or ""
        )
        request = analyzer_pb2.AnalyzeRequest(
            type=r.type, properties=_struct(r.inputs), urn=r.urn, name=r.name, options=options
        )
        response = servicer.Analyze(request, None)
        assert not response.not_applicable, r.name
        diagnostics += [(d.policyName, r.name) for d in response.diagnostics]
        resources.append(
            analyzer_pb2.AnalyzerResource(
                type=r.type,
                properties=_struct(r.inputs),
                urn=r.urn,
                name=r.name,
                options=options,
                parent=r.parent or "",
            )
        )
    assert diagnostics == []
    stack = servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources), None)
    found = sorted((d.policyName, d.urn.rsplit("::", 1)[-1]) for d in stack.diagnostics)
    assert found == []
