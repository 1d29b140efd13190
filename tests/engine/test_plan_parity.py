"""The resource plan is the mock monitor's preview, byte for byte (issue 12, item 5).

Every offline command reads the program through the plan (seccat.engine.declare and
resolve). The mock monitor, which runs the same program through Pulumi's engine, is the
oracle: for every catalog the tests know (the shipped catalog, each fixture that loads, the
benchmark catalog) in every stack, single and split, the preview JSON is the same bytes
and `seccat check` gives the same report and exit code. The wire rules the plan uses in
place of the SDK's serialiser are compared with the SDK's own on generated values.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi
import pytest
from catalog.catalog_strategies import catalogs
from catalog_gen import write
from google.protobuf import struct_pb2
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import resource_pb2
from typer.testing import CliRunner

from seccat.catalog.loader import load_catalog, parse_catalog
from seccat.catalog.model import Catalog, StackSettings
from seccat.cli import app
from seccat.engine import preview as engine_preview
from seccat.engine import wire
from seccat.engine.preview import ENGINE_VARIABLE, ProgramError, default_engine, run_preview
from seccat.engine.received import received
from seccat.stacks.plan import plan_environment

ROOT = Path(__file__).resolve().parents[2]

#: Every catalog in the repository that loads, with its environments.
CATALOGS = {
    "catalog.yaml": ("dev", "staging", "prod"),
    "tests/fixtures/bad-catalog.yaml": ("prod",),
    "tests/fixtures/catalogs/minimal.yaml": ("prod",),
    "tests/fixtures/waived-catalog.yaml": ("dev", "staging", "prod"),
    "tests/vault/rotation-catalog.yaml": ("ci",),
    "tests/fixtures/features-catalog.yaml": ("dev", "qa", "prod"),
}
FEATURES = ROOT / "tests/fixtures/features-catalog.yaml"
REPORTS = ("json", "sarif", "junit", "markdown")


def _bytes(catalog: Catalog, stack: str, source: str, engine: Any) -> str:
    preview = run_preview(catalog, stack, source, engine=engine)
    return json.dumps(preview.to_json(), indent=2)


def _first_difference(plan: str, sdk: str) -> str:
    for n, (a, b) in enumerate(zip(plan.splitlines(), sdk.splitlines(), strict=False)):
        if a != b:
            return f"line {n + 1}: plan {a!r}, sdk {b!r}"
    return f"lengths differ: plan {len(plan)}, sdk {len(sdk)}"


def _assert_same(catalog: Catalog, stack: str, source: str) -> int:
    plan, sdk = _bytes(catalog, stack, source, "plan"), _bytes(catalog, stack, source, "sdk")
    assert plan == sdk, f"{source} {stack}: {_first_difference(plan, sdk)}"
    return len(json.loads(plan)["resources"])


@pytest.mark.parametrize(
    ("source", "stack"), [(path, env) for path, envs in CATALOGS.items() for env in envs]
)
def test_plan_equals_mock_preview_of_every_catalog(source: str, stack: str) -> None:
    path = ROOT / source
    assert _assert_same(load_catalog(path), stack, str(path)) > 0


def _split(catalog: Catalog, budget: int) -> Catalog:
    return replace(catalog, stacks=StackSettings(mode="split", budget=budget))


@pytest.mark.parametrize("budget", [500, 25])
def test_plan_equals_mock_preview_of_every_split_stack(budget: int) -> None:
    """Platform and team stacks, including a StackReference and hash-split shards."""
    catalog = _split(load_catalog(ROOT / "catalog.yaml"), budget)
    environments = ("dev", "staging", "prod")
    stacks = [s.name for env in environments for s in plan_environment(catalog, env).stacks]
    assert len(stacks) > 3
    for stack in stacks:
        _assert_same(catalog, stack, "catalog.yaml")


def test_plan_equals_mock_preview_of_the_features_catalog_split_small() -> None:
    """Labelled and hashed shards of three environments, replica keys read through the
    stack reference, the features catalog's every feature in a team stack."""
    catalog = _split(load_catalog(FEATURES), 20)
    stacks = [
        s.name for env in ("dev", "qa", "prod") for s in plan_environment(catalog, env).stacks
    ]
    assert {"dev.identity.1", "prod.payments.hot", "qa.identity.partner"} <= set(stacks)
    for stack in stacks:
        _assert_same(catalog, stack, str(FEATURES))


#: Generated catalogs per run: the same few every time, unless SECCAT_PROPERTY_EXAMPLES asks
#: for a search of that many fresh ones (as tests/catalog/test_one_alphabet.py does).
EXAMPLES = int(os.environ.get("SECCAT_PROPERTY_EXAMPLES", "5"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="SECCAT_PROPERTY_EXAMPLES" not in os.environ,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(catalogs())
def test_plan_equals_mock_preview_of_generated_catalogs(drawn: dict[str, Any]) -> None:
    """Catalogs from the one-alphabet strategy (every optional feature, names drawn from
    the schema's alphabets) that validate accepts: every environment in one stack and
    split into platform and team stacks. Red-teaming searched 520 such catalogs (219
    accepted, about 1,000 stacks, split at budget 3) without a difference."""
    catalog, _diagnostics = parse_catalog(json.dumps(drawn), "catalog.yaml")
    assume(catalog is not None)
    assert catalog is not None
    split = _split(catalog, 500)
    for environment in catalog.environments:
        _assert_same(catalog, environment, "catalog.yaml")
        for spec in plan_environment(split, environment).stacks:
            _assert_same(split, spec.name, "catalog.yaml")


def _provider_settings(catalog: Catalog, environment: str) -> dict[str, object]:
    """Stack config a local run sets (stacks/Pulumi.local.yaml and more): each explicit
    provider inherits it, as objects the SDK turns into JSON text."""
    aws = catalog.environments[environment].aws
    assert aws is not None
    return {
        "aws:region": aws.region,
        "aws:allowedAccountIds": [aws.account_id],
        "aws:skipCredentialsValidation": True,
        "aws:endpoints": [{"kms": "http://127.0.0.1:4566", "sts": "http://127.0.0.1:4566"}],
        "aws:defaultTags": {"tags": {"cost-centre": "42"}},
        "aws:assumeRoles": [
            {"roleArn": f"arn:aws:iam::{aws.account_id}:role/d", "sessionName": "s"}
        ],
        "aws:ignoreTags": {"keyPrefixes": ["kubernetes.io/"]},
        "aws:profile": "local",
    }


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_plan_equals_mock_preview_with_provider_settings(environment: str) -> None:
    catalog = load_catalog(FEATURES)
    config = _provider_settings(catalog, environment)
    previews = {
        engine: run_preview(catalog, environment, str(FEATURES), stack_config=config, engine=engine)
        for engine in ("plan", "sdk")
    }
    plan, sdk = (json.dumps(p.to_json(), indent=2) for p in previews.values())
    assert plan == sdk, _first_difference(plan, sdk)
    providers = previews["plan"].of_type("pulumi:providers:aws")
    assert len(providers) == 2  # replicas in two regions, each with the inherited settings
    for provider in providers:
        assert provider.inputs["allowedAccountIds"] == json.dumps(config["aws:allowedAccountIds"])
        assert "127.0.0.1:4566" in provider.inputs["endpoints"]


def test_plan_equals_mock_preview_of_the_benchmark_catalog(tmp_path: Path) -> None:
    """benchmarks/catalog_gen.py at 100 secrets, one stack per environment and split."""
    source = write(100, tmp_path)
    catalog = load_catalog(source)
    assert _assert_same(catalog, "prod", str(source)) > 1000
    assert _assert_same(catalog, "dev", str(source)) > 1000
    split = _split(catalog, 150)
    for spec in plan_environment(split, "prod").stacks:
        _assert_same(split, spec.name, str(source))


@pytest.mark.parametrize(
    ("report", "source", "stack"),
    [
        *((report, "tests/fixtures/bad-catalog.yaml", "prod") for report in REPORTS),
        ("json", "tests/fixtures/features-catalog.yaml", "dev"),
        ("sarif", "tests/fixtures/features-catalog.yaml", "prod"),
    ],
)
def test_check_reports_are_identical_on_both_engines(
    report: str, source: str, stack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["check", "--catalog", str(ROOT / source)]
    argv += ["--stack", stack, "--format", report]
    runner = CliRunner()
    results = {}
    for engine in ("plan", "sdk"):
        monkeypatch.setenv(ENGINE_VARIABLE, engine)
        result = runner.invoke(app, argv)
        results[engine] = (result.exit_code, result.stdout_bytes)
    assert results["plan"] == results["sdk"]
    assert results["plan"][0] == 1  # the fixture has findings: the comparison is not vacuous
    assert results["plan"][1]


def test_a_wrong_wire_rule_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: a plan that forgets a secret is a secret differs from the oracle."""
    path = ROOT / "catalog.yaml"
    catalog = load_catalog(path)
    original = wire.Serialiser._output

    def leaky(self: wire.Serialiser, output: pulumi.Output, typ: Any, transformer: Any) -> Any:
        value = original(self, output, typ, transformer)
        if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return value["value"]
        return value

    monkeypatch.setattr(wire.Serialiser, "_output", leaky)
    plan = _bytes(catalog, "prod", str(path), "plan")
    sdk = _bytes(catalog, "prod", str(path), "sdk")
    assert plan != sdk
    assert '"[secret]"' in sdk


def test_engine_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert default_engine() == "plan"
    monkeypatch.setenv(ENGINE_VARIABLE, "sdk")
    assert default_engine() == "sdk"
    monkeypatch.setenv(ENGINE_VARIABLE, "fast")
    with pytest.raises(ProgramError, match="SECCAT_ENGINE must be one of plan, sdk, not 'fast'"):
        default_engine()


def test_an_unknown_engine_is_a_usage_error_before_any_command_runs() -> None:
    """Not a PROGRAM problem located at the catalog's first line: the catalog is not where
    the mistake is. The CLI's light copy of the engines matches the engine's."""
    import subprocess
    import sys

    from seccat.cli.app import ENGINES as CLI_ENGINES
    from seccat.engine.preview import ENGINES

    assert CLI_ENGINES == ENGINES
    env = {**os.environ, ENGINE_VARIABLE: "fast\x1b[31m"}
    for args in (["check", "--stack", "prod"], ["validate"], ["preview", "--all-stacks"]):
        done = subprocess.run(
            [sys.executable, "-m", "seccat.cli", *args], cwd=ROOT, env=env, capture_output=True
        )
        assert (done.returncode, done.stdout) == (2, b""), args
        assert done.stderr == (
            b"seccat: error: SECCAT_ENGINE must be one of plan, sdk, not 'fast\\x1b[31m'\n"
        ), done.stderr
    env[ENGINE_VARIABLE] = "sdk"
    fine = subprocess.run(
        [sys.executable, "-m", "seccat.cli", "validate"], cwd=ROOT, env=env, capture_output=True
    )
    assert fine.returncode == 0, fine.stderr


def test_the_sdk_registration_is_restored_after_a_plan_run() -> None:
    import pulumi.resource as sdk_resource

    saved = (sdk_resource.register_resource, sdk_resource.read_resource)
    catalog = load_catalog(ROOT / "tests/fixtures/catalogs/minimal.yaml")
    run_preview(catalog, "prod", "minimal.yaml", engine="plan")
    assert (sdk_resource.register_resource, sdk_resource.read_resource) == saved

    def failing() -> None:
        raise pulumi.RunError("refused")

    with pytest.raises(ProgramError):
        engine_preview.run_program(failing, catalog, "prod", "minimal.yaml", engine="plan")
    assert (sdk_resource.register_resource, sdk_resource.read_resource) == saved


def test_what_the_plan_cannot_represent_is_a_program_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A defect in the plan is reported as the program refusing to run, not a traceback."""

    def unrepresentable(self: wire.Serialiser, *args: Any) -> Any:
        raise wire.WireError("an input of type Widget")

    monkeypatch.setattr(wire.Serialiser, "properties", unrepresentable)
    catalog = load_catalog(ROOT / "tests/fixtures/catalogs/minimal.yaml")
    with pytest.raises(ProgramError, match="cannot represent the program: an input of type"):
        run_preview(catalog, "prod", "minimal.yaml", engine="plan")


# -- SDK semantics seccat's program does not use yet, on small programs -------------------
#
# The catalogs above only reach what the components do today. A component that starts to
# apply on an output, or reads an output the mock does not answer, must still preview the
# same on both engines: these programs hold the plan to the SDK there.

MINIMAL = ROOT / "tests/fixtures/catalogs/minimal.yaml"


def _program_json(main: Any, engine: Any) -> str:
    catalog = load_catalog(MINIMAL)
    preview = engine_preview.run_program(main, catalog, "prod", "minimal.yaml", engine=engine)
    return json.dumps(preview.to_json(), indent=2)


def _program_same(main: Any) -> dict[str, Any]:
    """Both engines' preview of ``main``, equal; the resources by name."""
    plan, sdk = _program_json(main, "plan"), _program_json(main, "sdk")
    assert plan == sdk, _first_difference(plan, sdk)
    return {r["name"]: r for r in json.loads(plan)["resources"]}


def test_an_apply_on_a_resource_output_runs_on_the_answered_value() -> None:
    """Found by red-teaming: the plan ran ``apply`` on its placeholder, so an f-string made
    "alias/Ref(resource=0, ...)" and Output.all, concat and format failed or did the same."""
    import pulumi_aws as aws

    def main() -> None:
        key = aws.kms.Key("key")
        secret = aws.secretsmanager.Secret("secret", name="app")
        aws.kms.Alias(
            "by-apply", name=key.key_id.apply(lambda k: f"alias/{k}"), target_key_id=key.key_id
        )
        aws.kms.Alias(
            "by-concat", name=pulumi.Output.concat("alias/", key.key_id), target_key_id=key.arn
        )
        aws.kms.Key(
            "by-format-and-all",
            description=pulumi.Output.format("{0} of {1}", secret.arn, secret.name),
            tags=pulumi.Output.all(key.arn, secret.id).apply(lambda v: {"key": v[0], "n": 2}),
            policy=key.arn.apply(lambda a: a.upper()).apply(lambda a: a[:12]),
        )

    resources = _program_same(main)
    key_id = resources["key"]["inputs"].get("keyId") or resources["by-concat"]["inputs"]["name"][6:]
    assert resources["by-apply"]["inputs"]["name"] == f"alias/{key_id}"
    assert resources["by-apply"]["dependencies"] == [resources["key"]["urn"]]
    shown = json.dumps(resources)
    assert "Ref(" not in shown and "Deferred(" not in shown
    assert resources["by-format-and-all"]["inputs"]["policy"] == "ARN:AWS:KMS:"


def test_an_output_the_mock_does_not_answer_is_unknown_on_both_engines() -> None:
    """Found by red-teaming: an output the mock leaves out (an auth backend's accessor) is
    unknown to the SDK, sent as unknown and never applied on; the plan sent None, dropping
    the key, and ran applies on it. The SDK engine recorded the unknown as an object's
    address, which no two runs share; both now show null."""
    import pulumi_vault as vault

    def main() -> None:
        backend = vault.AuthBackend("backend", type="kubernetes", path="k8s")
        policy = vault.Policy("direct", name="direct", policy=backend.accessor)
        vault.Policy("chained", name="chained", policy=policy.policy)
        vault.Token("in-a-list", policies=[backend.accessor, "default"])
        vault.Policy("applied", name="applied", policy=backend.accessor.apply(lambda a: "ran"))

    resources = _program_same(main)
    assert resources["direct"]["inputs"] == {"name": "direct", "policy": None}
    assert resources["chained"]["inputs"] == {"name": "chained", "policy": None}
    assert resources["in-a-list"]["inputs"]["policies"] == [None, "default"]
    assert resources["applied"]["inputs"] == {"name": "applied", "policy": None}


def test_an_unknown_input_is_sent_as_unknown() -> None:
    """Found by red-teaming: an Output the program itself made unknown (or a bare Unknown)
    was sent as None by the plan, which drops the key; the SDK sends the unknown sentinel,
    which the mock keeps (and the preview shows as null)."""
    import pulumi_aws as aws

    def main() -> None:
        unknown: pulumi.Output[str] = pulumi.Output(set(), _resolved(None), _resolved(False))
        secret = pulumi.Output.secret(unknown)
        aws.kms.Key("key", description=unknown, tags={"a": unknown, "b": Unknown()})
        aws.kms.Key("secret", description=secret, policy=Unknown())

    resources = _program_same(main)
    assert resources["key"]["inputs"] == {"description": None, "tags": {"a": None, "b": None}}
    assert resources["secret"]["inputs"] == {"description": "[secret]", "policy": None}


def _resolved(value: Any) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_event_loop().create_future()
    future.set_result(value)
    return future


def test_an_input_that_serialises_to_none_adds_no_dependency() -> None:
    """Found by red-teaming: the SDK leaves out a top-level input that serialises to None,
    and with it the resources it came from; the plan kept the dependency (here on a stack
    reference whose output is missing)."""
    import pulumi_aws as aws

    def main() -> None:
        reference = pulumi.StackReference("organization/seccat/prod")
        aws.kms.Key("missing", description=reference.get_output("no-such-output"))
        aws.kms.Key("present", description=reference.get_output("environment"))

    resources = _program_same(main)
    assert resources["missing"]["dependencies"] == []
    assert len(resources["present"]["dependencies"]) == 1


def test_a_secret_output_stays_secret_through_an_apply() -> None:
    import pulumi_aws as aws

    def main() -> None:
        secret = aws.secretsmanager.Secret("secret", name="s")
        version = aws.secretsmanager.SecretVersion(
            "version", secret_id=secret.id, secret_string=pulumi.Output.secret("value")
        )
        aws.kms.Key("applied", description=version.secret_string.apply(lambda v: v + "!"))
        aws.kms.Key(
            "all",
            tags=pulumi.Output.all(secret.arn, version.secret_string).apply(lambda v: {"a": v[0]}),
        )

    resources = _program_same(main)
    assert resources["applied"]["inputs"]["description"] == "[secret]"
    assert resources["all"]["inputs"]["tags"] == "[secret]"


def test_a_provider_function_is_answered_on_both_engines() -> None:
    """Found by red-teaming: the mocks answered a call with ``None`` for its failures,
    which the mock monitor iterates, so any call (getCallerIdentity, getRegion) failed."""
    import pulumi_aws as aws

    def main() -> None:
        identity = aws.get_caller_identity()
        region = aws.get_region_output()
        aws.kms.Key("key", description=identity.account_id, tags={"region": region.region})

    key = _program_same(main)["key"]
    assert key["inputs"] == {"description": "222222222222", "tags": {"region": "eu-west-1"}}


def test_a_call_through_an_explicit_provider_is_refused_by_the_plan() -> None:
    """Found by red-teaming: the plan registers no provider while the program runs, so a
    call through one was answered as the default provider's (eu-west-1, not us-west-2).
    The plan cannot know the answer then: it says so rather than answer wrongly."""
    import pulumi_aws as aws

    def main() -> None:
        provider = aws.Provider("west", region="us-west-2")
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(provider=provider))
        aws.kms.Key("key", description=region.region)

    sdk = json.loads(_program_json(main, "sdk"))
    assert [r["inputs"].get("description") for r in sdk["resources"]] == ["us-west-2", None]
    with pytest.raises(ProgramError, match=r"getRegion through the provider .*::west, which is"):
        _program_json(main, "plan")


# -- the wire rules against the SDK's serialiser ------------------------------------------

_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_:-", min_size=1, max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.just(("unknown",))
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_keys, inner, max_size=4)
        | inner.map(lambda v: ("secret", v))
        | inner.map(lambda v: ("output", v))
        | st.lists(inner, max_size=3).map(lambda v: ("tuple", v))
    ),
    max_leaves=12,
)


def _as_inputs(value: Any) -> Any:
    """Turn markers into what a program passes (a fresh event loop is current): ("secret",
    v) a secret Output, ("output", v) a plain one, ("tuple", v) a tuple, ("unknown",) the
    SDK's unknown."""
    if isinstance(value, tuple):
        if value[0] == "unknown":
            return Unknown()
        inner = _as_inputs(value[1])
        if value[0] == "tuple":
            return tuple(inner)
        return (
            pulumi.Output.secret(inner) if value[0] == "secret" else pulumi.Output.from_input(inner)
        )
    if isinstance(value, dict):
        return {k: _as_inputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_inputs(v) for v in value]
    return value


def _comparable(value: Any) -> Any:
    """Received values with each Unknown (a new object per deserialisation) as one mark."""
    if isinstance(value, Unknown):
        return "<unknown>"
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        raise AssertionError("no resource is registered here")

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, None]:
        raise AssertionError("no provider is called here")


def _received(struct: struct_pb2.Struct) -> dict[str, Any]:
    request = resource_pb2.RegisterResourceRequest(object=struct)
    return rpc.deserialize_properties(request.object)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=5))
def test_wire_rules_match_the_sdk_serialiser(props: dict[str, Any]) -> None:
    """What the mock monitor would receive: the SDK's serialiser, then the wire, against
    the plan's serialiser, then the wire (keys, order, floats, secrets lifted)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # the mock monitor, as in a preview: it supports secrets, so they travel wrapped
        pulumi.runtime.set_mocks(_NoResources(), preview=True)
        inputs = _as_inputs(props)
        deps: dict[str, list[pulumi.Resource]] = {}
        sdk = loop.run_until_complete(rpc.serialize_properties(inputs, deps))
        loop.run_until_complete(asyncio.sleep(0))
        ours = struct_pb2.Struct()
        ours.update(wire.Serialiser("test").properties(inputs, None, lambda k: k))
        expected, got = _comparable(_received(sdk)), _comparable(_received(ours))
        assert got == expected
        assert list(got) == list(expected)
    finally:
        asyncio.set_event_loop(None)
        loop.close()


_secret_sig = {rpc._special_sig_key: rpc._special_secret_sig}
_wire_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(_keys, inner, max_size=6)
        | inner.map(lambda v: {**_secret_sig, "value": v})
    ),
    max_leaves=20,
)


def _ordered(value: Any) -> Any:
    """``value`` with every dict's key order made part of what == compares."""
    if isinstance(value, dict):
        return [(k, _ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _wire_values, max_size=8))
def test_received_inputs_match_the_protobuf_round_trip(inputs: dict[str, Any]) -> None:
    """The plan's reading of wire-form inputs equals what the mock monitor reads out of
    the registration request: keys in protobuf's order at every level, ``None`` dropped
    from structs, secrets lifted to the enclosing list or struct."""
    sent = {k: v for k, v in inputs.items() if v is not None}  # never sent at the top
    struct = struct_pb2.Struct()
    struct.update(sent)
    assert _ordered(received(inputs)) == _ordered(_received(struct))
