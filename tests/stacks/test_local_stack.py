"""stacks/Pulumi.local.yaml, the stack config for a local run of the real Pulumi CLI against
LocalStack or moto_server: an endpoint for every AWS service the program uses (and no
other), names the AWS provider knows, loopback URLs, the replica-region provider carrying
them, and a real moto_server answering each endpoint as the dev account."""

from __future__ import annotations

import inspect
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from pulumi_aws.config.outputs import Endpoints
from servers.ports import free_port

from seccat.engine.preview import run_program
from seccat.stacks.files import read_stack_config

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "stacks" / "Pulumi.local.yaml"

#: resource type token -> the provider endpoint (TF service name) its API lives behind.
#: A type not listed fails the test: a new kind of resource needs its endpoint here and in
#: stacks/Pulumi.local.yaml.
_BY_MODULE = {
    "kms": "kms",
    "secretsmanager": "secretsmanager",
    "iam": "iam",
    "lambda": "lambda",
    "cfg": "configservice",
    "scheduler": "scheduler",
    "sns": "sns",
}
_CLOUDWATCH = {
    "logGroup": "logs",
    "logResourcePolicy": "logs",
    "eventRule": "events",
    "eventTarget": "events",
    "metricAlarm": "cloudwatch",
    "dashboard": "cloudwatch",
}
#: the provider's own calls: GetCallerIdentity for the account id allowedAccountIds checks
PROVIDER_CALLS = {"sts"}

#: endpoint -> (boto3 client, a read-only call) for the real-server check.
_PROBES = {
    "cloudwatch": ("cloudwatch", "describe_alarms"),
    "configservice": ("config", "describe_config_rules"),
    "events": ("events", "list_rules"),
    "iam": ("iam", "list_roles"),
    "kms": ("kms", "list_keys"),
    "lambda": ("lambda", "list_functions"),
    "logs": ("logs", "describe_log_groups"),
    "scheduler": ("scheduler", "list_schedules"),
    "secretsmanager": ("secretsmanager", "list_secrets"),
    "sns": ("sns", "list_topics"),
    "sts": ("sts", "get_caller_identity"),
}


def endpoint_of(type_token: str) -> str:
    """The endpoint name for one AWS resource type; KeyError for a type not mapped."""
    module, kind = type_token.split(":")[1].split("/")
    if module == "cloudwatch":
        return _CLOUDWATCH[kind]
    return _BY_MODULE[module]


def unknown_endpoint_names(names: set[str]) -> list[str]:
    """Names the AWS provider's `endpoints` config does not have (Python adds `_` to
    keywords: `lambda` is `lambda_`)."""
    known = set(inspect.signature(Endpoints.__init__).parameters) - {"__self__"}
    return sorted(n for n in names if n not in known and f"{n}_" not in known)


@pytest.fixture(scope="module")
def local() -> dict[str, object]:
    return dict(read_stack_config(LOCAL, "seccat").values)


def _endpoints(local: dict[str, object]) -> dict[str, str]:
    (endpoints,) = local["aws:endpoints"]  # type: ignore[misc]
    return dict(endpoints)


def test_an_endpoint_for_every_aws_service_the_previews_use(local, example_preview) -> None:
    used: set[str] = set(PROVIDER_CALLS)
    unmapped = set()
    for stack in ("dev", "staging", "prod"):
        for r in example_preview(stack).resources:
            if r.custom and r.type.startswith("aws:"):
                try:
                    used.add(endpoint_of(r.type))
                except KeyError:
                    unmapped.add(r.type)
    assert unmapped == set(), "map these types to their endpoint, and add it to the file"
    assert used >= {"kms", "secretsmanager", "iam", "lambda", "logs", "configservice"}
    assert set(_endpoints(local)) == used


def test_endpoint_names_are_the_providers_and_urls_are_loopback(local) -> None:
    endpoints = _endpoints(local)
    assert unknown_endpoint_names(set(endpoints)) == []
    # the negative control: names the provider would reject
    assert unknown_endpoint_names({"lambdas", "configuration", "secrets-manager", "sts"}) == [
        "configuration",
        "lambdas",
        "secrets-manager",
    ]
    for url in endpoints.values():
        parts = urlsplit(url)
        assert (parts.scheme, parts.hostname) == ("http", "127.0.0.1"), url


def test_a_type_without_an_endpoint_is_refused() -> None:
    with pytest.raises(KeyError):
        endpoint_of("aws:ec2/instance:Instance")
    with pytest.raises(KeyError):
        endpoint_of("aws:cloudwatch/compositeAlarm:CompositeAlarm")


def test_the_program_under_the_cli_with_the_local_config(
    local, example_catalog, monkeypatch
) -> None:
    """The real-CLI path through the mock engine: the local values agree with the catalog's
    dev environment, and the replica-region provider gets the endpoints and the account."""
    from seccat.program import main

    monkeypatch.chdir(ROOT)
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in local.items()}
    preview = run_program(main, example_catalog, "dev", str(ROOT / "catalog.yaml"), config=config)
    providers = [r for r in preview.resources if r.type == "pulumi:providers:aws"]
    assert [p.inputs["region"] for p in providers] == ["eu-central-1"]
    (replica,) = providers
    assert json.loads(replica.inputs["endpoints"]) == local["aws:endpoints"]
    assert json.loads(replica.inputs["allowedAccountIds"]) == ["111111111111"]
    assert replica.inputs["skipCredentialsValidation"] == "true"


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto_server as docs/local.md starts it, answering as the dev account."""
    port = free_port()
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "MOTO_ACCOUNT_ID": "111111111111"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start on {url}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_moto_server_answers_every_endpoint_as_the_dev_account(local, moto_server) -> None:
    endpoints = _endpoints(local)
    assert set(endpoints) == set(_PROBES)
    for name, url in endpoints.items():
        client_name, call = _PROBES[name]
        client = boto3.client(
            client_name,  # type: ignore[call-overload]
            region_name=local["aws:region"],
            endpoint_url=moto_server + urlsplit(url).path,
            aws_access_key_id="111111111111",
            aws_secret_access_key="local",
        )
        response = getattr(client, call)()
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200, name
        if name == "sts":
            assert response["Account"] == local["aws:allowedAccountIds"][0]  # type: ignore[index]
