"""Every AWS resource of catalog.yaml's three stacks and of a 200-secret catalog, applied to
a real moto server in dependency order and read back against the recorded inputs."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace

import pytest

from seccat.engine.preview import Preview
from seccat.engine.recording import ProviderRef, RecordedResource
from tests.aws.conformance.conftest import World
from tests.aws.conformance.harness import (
    AWS_PROVIDER,
    aws_resources,
    dependency_order,
)
from tests.aws.conformance.model import ApplyError, UnknownResourceType
from tests.aws.conformance.registry import all_appliers

#: Types whose ARN the server makes up in part (key ids, secret suffixes, rule and
#: subscription ids).
SERVER_NAMED = {
    "aws:kms/key:Key",
    "aws:secretsmanager/secret:Secret",
    "aws:cfg/rule:Rule",
    "aws:sns/topicSubscription:TopicSubscription",
}


def _emitted(worlds: list[World]) -> set[str]:
    return {
        r.type
        for w in worlds
        for p in w.previews.values()
        for r in p.resources
        if r.custom and (r.type.startswith("aws:") or r.type == AWS_PROVIDER)
    }


def test_every_aws_type_emitted_is_applied_and_read_back(worlds: list[World]) -> None:
    emitted = _emitted(worlds)
    applied = {t for w in worlds for a in w.applied.values() for t in a.types()}
    compared: dict[str, set[str]] = defaultdict(set)
    for w in worlds:
        for findings in w.findings.values():
            for f in findings:
                compared[f.type].add(f.compared.field)
    assert applied == emitted
    # No applier is dead code: each one ran against what seccat emits today.
    assert set(all_appliers()) == emitted
    assert {t for t in emitted if not compared[t]} == set()
    assert len(emitted) >= 22


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_example_stack_reads_back_as_recorded(example_world: World, stack: str) -> None:
    _assert_reads_back(example_world, stack)


def test_benchmark_stack_reads_back_as_recorded(benchmark_world: World) -> None:
    applied = benchmark_world.applied["benchmark-prod"]
    assert len(applied.resources) > 1000
    _assert_reads_back(benchmark_world, "benchmark-prod")


def _assert_reads_back(world: World, stack: str) -> None:
    applied = world.applied[stack]
    preview = world.previews[stack]
    assert set(applied.resources) == {r.urn for r in aws_resources(preview)}
    findings = world.findings[stack]
    seen = {f.urn for f in findings}
    assert seen == set(applied.resources), "every applied resource is read back"
    wrong = [
        f"{f.type} {f.urn.rsplit('::', 1)[1]} {f.compared.field}: recorded "
        f"{f.compared.expected!r}, server {f.compared.actual!r}"
        for f in findings
        if not f.compared.ok
    ]
    assert wrong == []
    for f in findings:  # comparisons name recorded inputs, so each can be broken (controls)
        assert f.compared.field in applied.resources[f.urn].target.inputs, f


def test_mocked_arns_name_the_servers_region_and_account(worlds: list[World]) -> None:
    """The preview's mocked ARNs are the real ones: same partition, service, region and
    account (the replica key's too), and identical where the server adds nothing random."""
    checked = 0
    for w in worlds:
        for applied in w.applied.values():
            for a in applied.resources.values():
                mocked, real = a.mocked.get("arn"), a.real.outputs.get("arn")
                if not isinstance(mocked, str) or not isinstance(real, str):
                    continue
                checked += 1
                assert mocked.split(":")[:5] == real.split(":")[:5], (a.recorded.name, mocked)
                if a.recorded.type not in SERVER_NAMED:
                    assert mocked == real, (a.recorded.type, a.recorded.name)
    assert checked > 1000


def test_replica_keys_live_in_the_replica_region(example_world: World) -> None:
    applied = example_world.applied["prod"]
    replicated = [
        a
        for a in applied.of_type("aws:secretsmanager/secret:Secret")
        if a.target.inputs.get("replicas")
    ]
    assert replicated
    account = applied.of_type("aws:kms/key:Key")[0].target.placement.account
    for secret in replicated:
        for replica in secret.target.inputs["replicas"]:
            region = replica["region"]
            key = replica["kmsKeyId"]
            assert key.startswith(f"arn:aws:kms:{region}:{account}:key/")
            there = example_world.server.client("kms", region, account)
            assert there.describe_key(KeyId=key)["KeyMetadata"]["Arn"] == key
            home = example_world.server.client("kms", secret.target.placement.region, account)
            with pytest.raises(home.exceptions.NotFoundException):
                home.describe_key(KeyId=key)


def test_resources_are_applied_after_what_they_depend_on(worlds: list[World]) -> None:
    for w in worlds:
        for stack, applied in w.applied.items():
            order = {urn: n for n, urn in enumerate(applied.resources)}
            preview = w.previews[stack]
            for urn, a in applied.resources.items():
                for dep in a.recorded.dependencies:
                    if dep in order:
                        assert order[dep] < order[urn], (a.recorded.name, dep)
                p = a.recorded.provider
                if p is not None and p.urn:
                    assert order[p.urn] < order[urn]
            assert len(order) == len(aws_resources(preview))


def test_prerequisites_are_reported(example_world: World) -> None:
    prod = example_world.applied["prod"].prerequisites
    assert any("AWS Config recorder in eu-west-1/222222222222" in p for p in prod)
    assert example_world.applied["dev"].prerequisites == []  # no detective controls in dev


def _preview(*resources: RecordedResource) -> Preview:
    return Preview(stack="t", catalog_path="t.yaml", resources=list(resources))


def _resource(type_: str, name: str, deps: tuple[str, ...] = ()) -> RecordedResource:
    return RecordedResource(
        type=type_,
        name=name,
        urn=f"urn:pulumi:t::seccat::{type_}::{name}",
        parent=None,
        inputs={},
        options={},
        custom=True,
        provider=ProviderRef("aws", None, "eu-west-1", "111111111111"),
        dependencies=deps,
    )


def test_an_aws_type_without_an_applier_fails_loudly() -> None:
    unknown = _resource("aws:ec2/instance:Instance", "new")
    with pytest.raises(UnknownResourceType, match="aws:ec2/instance:Instance"):
        aws_resources(_preview(unknown))
    other = replace(_resource("random:index/randomString:RandomString", "r"), provider=None)
    with pytest.raises(UnknownResourceType, match="random"):
        aws_resources(_preview(other))


def test_a_provider_in_an_unknown_region_is_refused(example_world: World) -> None:
    provider = replace(
        _resource(AWS_PROVIDER, "nowhere"),
        provider=None,
        inputs={"region": "eu-central-9", "allowedAccountIds": '["999999999994"]'},
    )
    with pytest.raises(ApplyError, match="nowhere in eu-central-9/999999999994"):
        example_world.harness.apply(_preview(provider))


def test_a_dependency_cycle_is_refused() -> None:
    a = _resource("aws:iam/role:Role", "a", deps=("urn:pulumi:t::seccat::aws:iam/role:Role::b",))
    b = _resource("aws:iam/role:Role", "b", deps=(a.urn,))
    with pytest.raises(ApplyError, match="cycle"):
        dependency_order(_preview(a, b), [a, b])


def test_server_drift_is_reported(example_world: World) -> None:
    """Read-back compares against the server, not against itself: change a role and a key
    policy behind the harness's back and both are reported."""
    applied = example_world.applied["dev"]
    role = applied.of_type("aws:iam/role:Role")[0]
    key = applied.of_type("aws:kms/key:Key")[0]
    iam = role.target.client(example_world.server, "iam")
    kms = key.target.client(example_world.server, "kms")
    original_policy = kms.get_key_policy(KeyId=key.real.id, PolicyName="default")["Policy"]
    drifted = json.loads(original_policy)
    drifted["Statement"] = drifted["Statement"][:1]
    try:
        iam.update_role(RoleName=role.real.id, Description="changed by hand")
        kms.put_key_policy(KeyId=key.real.id, PolicyName="default", Policy=json.dumps(drifted))
        findings = example_world.harness.verify(applied)
        wrong = {(f.urn, f.compared.field) for f in findings if not f.compared.ok}
        assert wrong == {
            (role.recorded.urn, "description"),
            (key.recorded.urn, "policy"),
        }
    finally:
        iam.update_role(RoleName=role.real.id, Description=role.target.inputs["description"])
        kms.put_key_policy(KeyId=key.real.id, PolicyName="default", Policy=original_policy)
    assert all(f.compared.ok for f in example_world.harness.verify(applied))
