"""The conformance harness refuses what it cannot map, so nothing slips past the server tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from vault.harness import DatabaseTarget, Recorded, UnmappedResource, VaultHarness

from seccat.engine.preview import Preview
from seccat.engine.recording import RecordedResource


def _recorded(*types: str) -> Recorded:
    preview = Preview(stack="t", catalog_path="c")
    raw = {}
    for n, t in enumerate(types):
        name = f"r{n}"
        preview.resources.append(
            RecordedResource(t, name, f"urn:{name}", None, {}, {}, custom=True)
        )
        raw[(t, name)] = {}
    return Recorded(preview, raw)


def test_an_unknown_vault_type_fails_loudly() -> None:
    harness = VaultHarness(None, DatabaseTarget("127.0.0.1", 1, "x"), Path("."))  # type: ignore[arg-type]
    with pytest.raises(UnmappedResource, match="vault:pki/secretBackendRole"):
        harness.apply(_recorded("vault:pki/secretBackendRole:SecretBackendRole"))


def test_aws_resources_are_ignored_by_an_explicit_allow_list() -> None:
    harness = VaultHarness(None, DatabaseTarget("127.0.0.1", 1, "x"), Path("."))  # type: ignore[arg-type]
    harness.apply(_recorded("aws:iam/role:Role", "aws:scheduler/schedule:Schedule"))
    with pytest.raises(UnmappedResource):
        harness.apply(_recorded("gcp:secretmanager/secret:Secret"))


def test_every_vault_type_the_components_create_is_mapped(example_preview) -> None:  # type: ignore[no-untyped-def]
    harness = VaultHarness(None, DatabaseTarget("127.0.0.1", 1, "x"), Path("."))  # type: ignore[arg-type]
    created = {
        r.type
        for env in ("dev", "staging", "prod")
        for r in example_preview(env).resources
        if r.type.startswith("vault:")
    }
    assert created == set(harness.handlers)
