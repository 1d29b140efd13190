# ruff: noqa: E501 - expected diagnostics are compared as whole lines
"""Generated names: unique across the catalog, and the registry proven complete.

The regression cases are the two of issue 8 (a service named after a team's KV rotator; an
environment whose name prefixes another's service), run as users run them. Completeness: the
registry must hold exactly the names the offline preview records, for catalog.yaml and a
generated catalog, so a resource kind added to a component cannot escape the check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from catalog.catalog_strategies import catalogs
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from seccat.catalog import loader
from seccat.catalog.loader import parse_catalog
from seccat.catalog.model import Catalog
from seccat.documents import name_registry
from seccat.documents.name_registry import (
    KINDS,
    collisions,
    environment_names,
    registry_collisions,
)
from seccat.engine.preview import Preview

ROOT = Path(__file__).resolve().parents[2]
SECCAT = [sys.executable, "-m", "seccat.cli"]

# -- issue 8's two cases, end to end ------------------------------------------------------

KV_ROTATOR_SERVICE = """\
version: 1
teams:
  identity: {contact: identity@example.com}
environments:
  dev: {aws: {account_id: "111111111111", region: eu-west-1}}
services:
  auth-service:
    team: identity
    aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/auth-runner"}}
  kv-rotator-identity:
    team: identity
    aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/sync-runner"}}
secrets:
  identity/jwt-signing-key:
    description: Key material for signing session tokens
    owner: identity
    type: api-key
    store: vault-kv
    classification: restricted
    rotation: {every: 30d}
    consumers:
      - {service: auth-service, access: read}
      - {service: kv-rotator-identity, access: read}
"""

ENVIRONMENT_PREFIX = """\
version: 1
teams:
  payments: {contact: payments@example.com, aws: {owner_role: payments-owner}}
environments:
  prod: {aws: {account_id: "222222222222", region: eu-west-1}, protect: true}
  prod-checkout: {aws: {account_id: "222222222222", region: eu-west-1}, protect: true}
services:
  checkout-api:
    team: payments
    aws: {trust: {role_arn: "arn:aws:iam::222222222222:role/checkout-runner"}}
  api:
    team: payments
    aws: {trust: {role_arn: "arn:aws:iam::222222222222:role/api-runner"}}
secrets:
  payments/partner-tls:
    description: Client certificate presented to the acquiring bank
    owner: payments
    type: certificate
    store: aws-secretsmanager
    classification: confidential
    rotation: {every: 90d, by: owner}
    consumers:
      - {service: checkout-api, access: read, environments: [prod]}
      - {service: api, access: read, environments: [prod-checkout]}
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SECCAT, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
        check=False,
        timeout=120,
    )


def test_a_service_named_like_a_teams_kv_rotator_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(KV_ROTATOR_SERVICE)
    expected = (
        f"{path}:10:3: error: services.kv-rotator-identity: service 'kv-rotator-identity' in "
        "environment 'dev' generates the same names as the KV rotator of team 'identity' in "
        f"environment 'dev' ({path}:3:3): IAM role 'seccat-dev-kv-rotator-identity' in account "
        "111111111111, Vault auth role 'kv-rotator-identity' in auth/aws-dev, Pulumi resource "
        "'dev-vault-aws-role-kv-rotator-identity' (vault:aws/authBackendRole:AuthBackendRole) "
        "in stack dev; rename one of them (generated names must be unique) (COLLISION)\n"
    )
    validated = _run("validate", str(path))
    assert (validated.returncode, validated.stdout) == (1, expected)
    # Before the registry, preview exited 0 with two resources under one URN.
    previewed = _run("preview", "--stack", "dev", "--catalog", str(path))
    assert previewed.returncode == 1
    assert expected in previewed.stdout + previewed.stderr


def test_an_environment_prefixing_another_environments_service_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(ENVIRONMENT_PREFIX)
    expected = (
        f"{path}:11:3: error: services.api: service 'api' in environment 'prod-checkout' "
        "generates the same names as service 'checkout-api' in environment 'prod' "
        f"({path}:8:3): IAM role 'seccat-prod-checkout-api' in account 222222222222; rename "
        "one of them (generated names must be unique) (COLLISION)\n"
    )
    validated = _run("validate", str(path))
    assert (validated.returncode, validated.stdout) == (1, expected)
    for stack in ("prod", "prod-checkout"):
        previewed = _run("preview", "--stack", stack, "--catalog", str(path))
        assert previewed.returncode == 1
        assert expected in previewed.stdout + previewed.stderr
    # The negative control: in separate accounts the two roles are two roles.
    separate = ENVIRONMENT_PREFIX.replace(
        'prod-checkout: {aws: {account_id: "222222222222"',
        'prod-checkout: {aws: {account_id: "444444444444"',
    ).replace("222222222222:role/api-runner", "444444444444:role/api-runner")
    assert parse_catalog(separate)[1] == []


# -- more collisions, one per namespace kind ------------------------------------------------


def _collisions(text: str) -> list[tuple[int, int, str]]:
    catalog, diagnostics = parse_catalog(text)
    assert catalog is None
    return [(d.line, d.column, d.message) for d in diagnostics if d.code == "COLLISION"]


ENVS = """\
version: 1
teams:
  data: {contact: data@example.com, aws: {owner_role: data-owner}}
  data-scheduler: {contact: data@example.com, aws: {owner_role: data-owner}}
environments:
  dev: {aws: {account_id: "111111111111", region: eu-west-1}}
  qa: {aws: {account_id: "111111111111", region: eu-west-1}}
services:
  etl: {team: data, environments: {dev: {aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/etl-dev"}}}, qa: {aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/etl-qa"}}}}}
"""


def _kv(secret: str, owner: str = "data", envs: str = "[dev]") -> str:
    return (
        f"  {secret}:\n    {{description: x, owner: {owner}, type: api-key, store: vault-kv, "
        f"classification: internal, environments: {envs}, rotation: {{every: 30d}}, "
        "consumers: [{service: etl, access: read}]}\n"
    )


def test_two_teams_whose_rotator_names_overlap_collide_on_urns() -> None:
    # Team "data-scheduler"'s rotator role is <env>-kv-rotator-data-scheduler-role, the very
    # logical name of team "data"'s scheduler role.
    found = _collisions(ENVS + "secrets:\n" + _kv("data/a") + _kv("data/b", "data-scheduler"))
    assert found == [
        (
            4,
            3,
            "the KV rotator of team 'data-scheduler' in environment 'dev' generates the same "
            "names as the KV rotator of team 'data' in environment 'dev' (catalog.yaml:3:3): "
            "Pulumi resource 'dev-kv-rotator-data-scheduler-role' (aws:iam/role:Role) in stack "
            "dev; rename one of them (generated names must be unique)",
        )
    ]


def test_environments_sharing_a_vault_mount_collide_once_per_mount() -> None:
    text = ENVS.replace(
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}}',
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}, vault: {kv_mount: kv-dev}}',
    )
    found = _collisions(text + "secrets:\n" + _kv("data/a", envs="[dev, qa]"))
    # One error for the mount; the KV paths inside it are not reported again.
    assert found == [
        (
            7,
            70,  # at qa's kv_mount
            "environment 'qa' generates the same names as environment 'dev' (catalog.yaml:6:3): "
            "Vault secrets engine mount 'kv-dev' on the Vault server; rename one of them "
            "(generated names must be unique)",
        )
    ]


def test_a_service_named_like_a_rotation_function_collides_in_the_account() -> None:
    text = ENVS + (
        '  rotate-token: {team: data, aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/r"}}}\n'
        "secrets:\n"
        "  token: {description: x, owner: data, type: api-key, store: aws-secretsmanager, "
        "classification: internal, environments: [dev], rotation: {every: 30d}, "
        "consumers: [{service: rotate-token, access: read}]}\n"
    )
    found = _collisions(text)
    assert len(found) == 1
    line, column, message = found[0]
    assert (line, column) == (12, 3)  # the secret, written after the service
    assert message.startswith(
        "secret 'token' in environment 'dev' generates the same names as service "
        "'rotate-token' in environment 'dev' (catalog.yaml:10:3): IAM role "
        "'seccat-dev-rotate-token' in account 111111111111"
    )


ROLE_NAMES_IN_TWO_CASES = ENVS + (
    "  web:\n"
    "    team: data\n"
    "    aws: {role_name: ETL-Shared, existing: true, reason: legacy role of the web tier}\n"
    "  batch:\n"
    "    team: data\n"
    '    aws: {role_name: etl-shared, trust: {role_arn: "arn:aws:iam::111111111111:role/b"}}\n'
    "secrets:\n"
    "  s: {description: x, owner: data, type: generic, store: aws-secretsmanager, "
    "classification: internal, environments: [dev], rotation: {every: 90d, by: owner}, "
    "consumers: [{service: web, access: read}, {service: batch, access: read}]}\n"
)


def test_role_names_collide_regardless_of_case_and_existing_roles_count() -> None:
    text = ROLE_NAMES_IN_TWO_CASES
    found = _collisions(text)
    assert [(line, col) for line, col, _ in found] == [(15, 11)]  # batch's role_name
    assert found[0][2].startswith(
        "service 'batch' in environment 'dev' generates the same names as service 'web' in "
        "environment 'dev' (catalog.yaml:12:11): IAM role 'etl-shared' in account "
        "111111111111; rename"
    )  # the inline policies on the shared role are not reported again


EXISTING_IN_TWO_ENVS = ENVS + (
    "  web:\n"
    "    team: data\n"
    "    aws: {role_name: legacy-web, existing: true, reason: legacy role of the web tier}\n"
    "secrets:\n"
    "  s: {description: x, owner: data, type: generic, store: aws-secretsmanager, "
    "classification: internal, environments: [dev, qa], rotation: {every: 90d, by: owner}, "
    "consumers: [{service: web, access: read}]}\n"
)


def test_one_existing_role_in_two_environments_is_one_principal_unless_declared() -> None:
    found = _collisions(EXISTING_IN_TWO_ENVS)
    assert len(found) == 1
    assert found[0][2].startswith(
        "service 'web' in environment 'qa' generates the same names as service 'web' in "
        "environment 'dev' (catalog.yaml:12:11): IAM role 'legacy-web' in account 111111111111;"
    )
    declared = EXISTING_IN_TWO_ENVS.replace(
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}}',
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}, shares_identities_with: [dev]}',
    )
    catalog, diagnostics = parse_catalog(declared)
    assert [d for d in diagnostics if d.code == "COLLISION"] == []
    assert catalog is not None


# -- completeness: the registry holds exactly what the preview records ----------------------

#: Inputs that carry names, and which of them only *refer* to a name declared elsewhere (to
#: the namespace it must then be registered in). An input key in NAME_KEYS of a recorded
#: resource is either registered for its type or listed here; anything else fails, so a new
#: resource kind cannot slip past the registry.
NAME_KEYS = frozenset(
    {
        "name",
        "path",
        "role",
        "roleName",
        "layerName",
        "dashboardName",
        "statementId",
        "targetId",
        "groupName",
        "functionName",
        "alarmName",
        "ruleName",
        "topicName",
        "secretName",
        "aliasName",
        "policyName",
        "dbName",
        "backend",
        "mount",
        "function",
        "rule",
    }
)
REFERENCES: dict[tuple[str, str], str] = {
    ("aws:iam/rolePolicy:RolePolicy", "role"): "iam-role",
    ("aws:lambda/function:Function", "role"): "iam-role",  # the role's ARN
    ("aws:lambda/permission:Permission", "function"): "lambda-function",
    ("aws:cloudwatch/eventTarget:EventTarget", "rule"): "event-rule",
    ("aws:scheduler/schedule:Schedule", "groupName"): "schedule-group",
    ("vault:kv/secretBackendV2:SecretBackendV2", "mount"): "vault-mount",
    ("vault:aws/authBackendRole:AuthBackendRole", "backend"): "vault-auth-mount",
    ("vault:aws/authBackendClient:AuthBackendClient", "backend"): "vault-auth-mount",
    ("vault:kubernetes/authBackendRole:AuthBackendRole", "backend"): "vault-auth-mount",
    ("vault:database/secretBackendConnection:SecretBackendConnection", "backend"): "vault-mount",
    ("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "backend"): "vault-mount",
    ("vault:database/secretBackendStaticRole:SecretBackendStaticRole", "dbName"): (
        "vault-db-connection"
    ),
    ("vault:database/secretBackendRole:SecretBackendRole", "backend"): "vault-mount",
    ("vault:database/secretBackendRole:SecretBackendRole", "dbName"): "vault-db-connection",
}


def assert_registry_matches_preview(catalog: Catalog, stack: str, preview: Preview) -> int:
    names = environment_names(catalog, catalog.environments[stack])
    registered_urns = {n.key.value for n in names if n.key.namespace == "urn"}
    recorded_urns = {f"{r.type}::{r.name}" for r in preview.resources}
    assert recorded_urns - registered_urns == set(), "resources the registry does not know"
    assert registered_urns - recorded_urns == set(), "registered resources the program lacks"

    claimed = {(n.resource_type, n.input_key) for n in names if n.input_key}
    registered = {(n.resource_type, n.input_key, n.key.value) for n in names if n.input_key}
    by_namespace: dict[str, set[str]] = {}
    for n in names:
        by_namespace.setdefault(n.key.namespace, set()).add(n.key.value)
    recorded: set[tuple[str, str, str]] = set()
    checked = 0
    for r in preview.resources:
        for key in NAME_KEYS & set(r.inputs):
            value = r.inputs[key]
            checked += 1
            if (r.type, key) in claimed:
                recorded.add((r.type, key, value))
            elif (r.type, key) in REFERENCES:
                namespace = REFERENCES[(r.type, key)]
                if namespace == "iam-role" and value.startswith("arn:"):
                    account, role = value.split(":", 5)[4:]
                    assert account == catalog.environments[stack].aws.account_id  # type: ignore[union-attr]
                    value = role.removeprefix("role/")
                assert value in by_namespace.get(namespace, set()), (r.type, key, value)
            else:
                pytest.fail(f"{r.type}.{key} = {value!r} is a name the registry does not cover")
    assert recorded == registered
    return checked


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_registry_is_exactly_what_the_example_preview_creates(
    stack: str, example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    assert assert_registry_matches_preview(example_catalog, stack, example_preview(stack)) > 50
    assert collisions(example_catalog) == []


def test_registry_is_exactly_what_a_generated_preview_creates(
    generated_catalog: Catalog, generated_preview: Callable[[str], Preview]
) -> None:
    for stack in generated_catalog.environments:
        assert (
            assert_registry_matches_preview(generated_catalog, stack, generated_preview(stack))
            > 5000
        )
    assert collisions(generated_catalog) == []
    assert_quick_check_sees_the_registry(generated_catalog)
    assert registry_collisions(generated_catalog) == []


def test_every_namespace_is_described() -> None:
    names = environment_names(*_one_env(KV_ROTATOR_SERVICE.replace("kv-rotator-identity", "sync")))
    assert {n.key.namespace for n in names} <= set(KINDS)
    assert all(n.key.describe() for n in names)


def _one_env(text: str) -> tuple[Catalog, object]:
    catalog, diagnostics = parse_catalog(text)
    assert catalog is not None, diagnostics
    return catalog, next(iter(catalog.environments.values()))


# -- the quick check: the registry's keys, without their origins ----------------------------
#
# collisions() walks the components with _Keys, which records each name's normalised key and
# a reference to its origin; only the names whose key repeats get their Origin and go through
# the registry's grouping (_all_unique asks the same question of a catalog as a whole). That
# is sound exactly when _Keys records the registry's normalised keys,
# each as often, for every environment: proven here on every catalog the tests know and on
# generated ones, with the full registry (registry_collisions, the code path before the
# quick check) as the oracle.


def _built(text: str) -> Catalog | None:
    """The model of a catalog that is valid but for its collisions (None if invalid)."""
    with mock.patch.object(loader, "collision_diagnostics", lambda catalog: []):
        catalog, _diagnostics = parse_catalog(text)
    return catalog


def _registry_keys(catalog: Catalog, env: str) -> Counter[tuple[str, tuple[str, ...], str]]:
    return Counter(n.key.normalised for n in environment_names(catalog, catalog.environments[env]))


def _quick_walk(catalog: Catalog, env: str) -> Any:
    environment = catalog.environments[env]
    if environment.aws is None:
        return None
    walk = name_registry._Keys(catalog, environment)
    return walk if walk.walk() else None


def _quick_keys(catalog: Catalog, env: str) -> Counter[tuple[str, tuple[str, ...], str]]:
    walk = _quick_walk(catalog, env)
    if walk is None:
        return Counter()
    return Counter(("urn", (env,), urn) for urn in walk.urns) + Counter(walk.physical_keys)


def _exactly(raw: tuple[Any, ...]) -> tuple[Any, ...]:
    """A registry tuple with every field of its Origin (Origins compare by text alone)."""
    key, origin, *rest = raw
    return (key, vars(origin), *rest)


def _bulk_keys(catalog: Catalog, env: str) -> Counter[tuple[str, tuple[str, ...], str]] | None:
    """The bulk walk's names of one environment as the registry's normalised keys (None
    when it cannot walk the environment)."""
    environment = catalog.environments[env]
    if environment.aws is None:
        return Counter()
    groups: dict[Any, list[Any]] = {}
    bulk = name_registry._Bulk(catalog, environment, groups)
    if not bulk.walk():
        return None
    keys: Counter[tuple[str, tuple[str, ...], str]] = Counter()
    for type_token, logical_names in bulk.urns.items():
        keys.update(("urn", (env,), f"{type_token}::{n}") for n in logical_names)
    for (namespace, scope, _), values in groups.items():
        if namespace == name_registry._EXISTING_ROLES:
            keys.update(("iam-role", (account,), role) for account, role, *_ in values)
        elif namespace in name_registry._BY_PARENT:
            keys.update((namespace, (*scope, parent), value) for parent, value in values)
        else:
            keys.update((namespace, scope, value) for value in values)
    return keys


def assert_bulk_walk_sees_the_registry(catalog: Catalog) -> bool:
    """The bulk walk's names are the registry's in every environment the registry walks
    (it has names there: at least the platform's), and its verdict is sound: "unique" only
    when the registry finds no collision, and "unique" whenever the registry walks every
    environment and no key repeats (so the fast path is taken where it can be)."""
    every_env_walked = True
    for env, environment in catalog.environments.items():
        registered = _registry_keys(catalog, env)
        if registered or environment.aws is None:
            assert _bulk_keys(catalog, env) == registered, env
        else:
            every_env_walked = False  # the components refuse it: the registry has no names
    unique = name_registry._bulk_unique(catalog)
    if unique:
        assert registry_collisions(catalog) == []
    elif every_env_walked:
        assert not name_registry._all_unique(catalog)
    return unique


def assert_quick_check_sees_the_registry(catalog: Catalog) -> int:
    """The quick check's and the bulk walk's keys are the registry's, and every way to
    collisions agrees."""
    assert_bulk_walk_sees_the_registry(catalog)
    counted = 0
    for env in catalog.environments:
        registered = _registry_keys(catalog, env)
        assert _quick_keys(catalog, env) == registered, env
        counted += sum(registered.values())
        # Every name's origin, made from the walk's reference, is the registry's, in order.
        walk = _quick_walk(catalog, env)
        raws = walk.raws(set(registered)) if walk is not None else []
        full = name_registry._raw_env(catalog, catalog.environments[env])
        assert [_exactly(r) for r in raws] == [_exactly(r) for r in full], env
    assert collisions(catalog) == registry_collisions(catalog)
    return counted


COLLIDING = [
    KV_ROTATOR_SERVICE,
    ROLE_NAMES_IN_TWO_CASES,
    ENVIRONMENT_PREFIX,
    ENVS + "secrets:\n" + _kv("data/a") + _kv("data/b", "data-scheduler"),
    EXISTING_IN_TWO_ENVS,
    EXISTING_IN_TWO_ENVS.replace(
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}}',
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}, shares_identities_with: [dev]}',
    ),
    ENVS.replace(
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}}',
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}, vault: {kv_mount: kv-dev}}',
    )
    + "secrets:\n"
    + _kv("data/a", envs="[dev, qa]"),
]


@pytest.mark.parametrize("text", COLLIDING)
def test_quick_check_finds_every_repeated_name_of_the_collision_cases(text: str) -> None:
    catalog = _built(text)
    assert catalog is not None
    assert assert_quick_check_sees_the_registry(catalog) > 0
    # Including the declared sharing, which the full registry then finds harmless.
    assert not name_registry._all_unique(catalog)
    # The bulk walk reports all but the declared sharing, which it judges as the registry.
    assert name_registry._bulk_unique(catalog) is (registry_collisions(catalog) == [])


@pytest.mark.parametrize(
    "source",
    [
        "catalog.yaml",
        "tests/fixtures/bad-catalog.yaml",
        "tests/fixtures/catalogs/minimal.yaml",
        "tests/fixtures/waived-catalog.yaml",
        "tests/vault/rotation-catalog.yaml",
        "tests/fixtures/features-catalog.yaml",
    ],
)
def test_quick_check_keys_are_the_registry_keys_of_every_catalog(source: str) -> None:
    catalog = _built((ROOT / source).read_text())
    assert catalog is not None
    assert assert_quick_check_sees_the_registry(catalog) > 40
    # Decided by the bulk walk alone (features-catalog.yaml shares an existing role).
    assert name_registry._bulk_unique(catalog)


def test_quick_check_comparison_fails_when_the_quick_walk_misses_a_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The negative control: a quick walk that forgets the rotation functions' alarms, that
    refers to another origin than the registry's, or that records a case-insensitive name
    without lowering it, is caught."""
    catalog = _built((ROOT / "catalog.yaml").read_text())
    assert catalog is not None
    with monkeypatch.context() as patched:
        patched.setattr(name_registry._Keys, "alarms", lambda self, function, origin: None)
        with pytest.raises(AssertionError):
            assert_quick_check_sees_the_registry(catalog)
    with monkeypatch.context() as patched:  # an origin reference that makes another origin
        patched.setattr(
            name_registry._Keys,
            "of_team",
            lambda self, team, role: (name_registry._Names.of_team, team, "writer"),
        )
        with pytest.raises(AssertionError):
            assert_quick_check_sees_the_registry(catalog)
    mixed_case = _built(ROLE_NAMES_IN_TWO_CASES)
    assert mixed_case is not None
    with monkeypatch.context() as patched:
        patched.setattr(name_registry._Keys, "physical", _physical_as_written)
        with pytest.raises(AssertionError):
            assert_quick_check_sees_the_registry(mixed_case)
    assert assert_quick_check_sees_the_registry(catalog) > 0
    assert assert_quick_check_sees_the_registry(mixed_case) > 0


def _physical_as_written(
    self: Any, namespace: str, scope: Any, value: str, *rest: Any, **parent: Any
) -> Any:
    key = (namespace, scope, value)
    self.physical_keys.append(key)
    self.records.append((key, *rest[:3], parent.get("parent")))
    return key


#: Generated catalogs per run: the same ones every time, unless SECCAT_PROPERTY_EXAMPLES asks
#: for a search of that many fresh ones (as tests/catalog/test_one_alphabet.py does).
EXAMPLES = int(os.environ.get("SECCAT_PROPERTY_EXAMPLES", "60"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="SECCAT_PROPERTY_EXAMPLES" not in os.environ,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(catalogs())
def test_quick_check_keys_are_the_registry_keys_of_generated_catalogs(
    drawn: dict[str, Any],
) -> None:
    """Catalogs from the one-alphabet strategy, and each again with a twin of its first
    environment (same account, same Vault mounts), so that names repeat: the mounts and
    what is inside them, existing roles, and whatever else the twins share."""
    catalog = _built(json.dumps(drawn))
    if catalog is not None:
        assert_quick_check_sees_the_registry(catalog)
    twinned = _with_twin(drawn)
    if twinned is not None:
        assert_quick_check_sees_the_registry(twinned)


def _with_twin(drawn: dict[str, Any]) -> Catalog | None:
    envs = drawn["environments"]
    first = next(iter(envs))
    if "twin" in envs:
        return None
    for env in (envs[first], envs.setdefault("twin", json.loads(json.dumps(envs[first])))):
        env.setdefault("vault", {}).update(kv_mount="kv-shared", database_mount="db-shared")
    for section in ("secrets", "databases"):
        for entry in (drawn.get(section) or {}).values():
            if first in entry.get("environments", ()):
                if isinstance(entry["environments"], list):
                    entry["environments"].append("twin")
                else:
                    entry["environments"]["twin"] = entry["environments"][first]
    for service in (drawn.get("services") or {}).values():
        if first in service.get("environments", {}):
            service["environments"]["twin"] = service["environments"][first]
    return _built(json.dumps(drawn))


# -- the bulk walk: the naming functions' templates, for many secrets at once ----------------
#
# collisions() first asks _Bulk, which makes the names of each per-secret template for all
# the secrets it applies to together, with the naming function's f-string and without its
# alphabet checks, and groups them where they must be unique. Every name is made and
# compared (nothing is assumed injective), so its verdict is exact when (1) each template
# is its naming function, proven below on generated names and ids, long ones included (a
# name over its length limit gets a hash suffix), and (2) the walk applies them to the
# registry's secrets, proven by assert_bulk_walk_sees_the_registry above on every catalog
# the quick check is proven on. Where the components refuse an environment the registry has
# no names and the bulk walk has some: extra names can only add a repeat (then _Keys
# decides), never hide one.

ENV_NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,62}", fullmatch=True)
SECRET_IDS = st.from_regex(r"[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*){0,3}", fullmatch=True).filter(
    lambda i: len(i) <= 128
)
LONG_IDS = st.builds(
    lambda head, tail: f"{head}/{tail}"[:128].rstrip("/-") or "x",
    st.from_regex(r"[a-z0-9]{1,60}", fullmatch=True),
    st.from_regex(r"[a-z0-9][a-z0-9-]{40,90}", fullmatch=True),
)
MOUNTS = st.from_regex(r"[a-z][a-z0-9-]{0,30}", fullmatch=True)


def assert_templates_are_the_naming_functions(env: str, ids: list[str], mount: str) -> None:
    from types import SimpleNamespace

    from seccat.documents import logical_names as logical
    from seccat.documents import monitoring, names, renewal, vault_layout, vault_rotator

    nr = name_registry
    slugs = nr._slugs(ids)
    assert slugs == [names.slug(i) for i in ids]
    managed = nr._managed_secrets(env, ids)
    assert managed == [logical.managed_secret(env, i) for i in ids]
    assert managed == [names.aws_secret_name(env, i) for i in ids]
    assert nr._secret_policies(managed) == [logical.secret_policy(env, i) for i in ids]
    for part in logical.ROTATION_PARTS:
        assert nr._rotation_parts(managed, part) == [logical.rotation(env, i, part) for i in ids]
    functions = nr._rotation_functions(env, ids)
    assert functions == [names.rotation_function_name(env, i) for i in ids]
    assert nr._rotation_log_groups(env, ids) == [names.rotation_log_group_name(env, i) for i in ids]
    for n, metric in enumerate(monitoring.FUNCTION_METRICS):
        alarms = nr._function_alarms(functions, metric)
        assert alarms == [monitoring.alarm_names(f)[n] for f in functions]
        assert nr._function_alarm_urns(env, alarms) == [
            logical.function_alarm(env, a) for a in alarms
        ]
    assert nr._renewal_schedule_urns(env, ids) == [logical.renewal_schedule(env, i) for i in ids]
    assert nr._renewal_schedules(env, slugs) == [renewal.schedule_name(env, i) for i in ids]
    for n, kind in enumerate(("due", "overdue")):
        assert nr._renewal_alarms(env, slugs, kind) == [renewal.alarm_names(env, i)[n] for i in ids]
    assert nr._kv_metadata_urns(env, slugs) == [
        logical.vault_kv_metadata(env, names.slug(i)) for i in ids
    ]
    environment = SimpleNamespace(name=env, vault=SimpleNamespace(kv_mount=mount))
    assert nr._kv_metadata_paths(mount, ids) == [
        vault_layout.kv_metadata_path(environment, i)  # type: ignore[arg-type]
        for i in ids
    ]
    assert nr._database_role_urns(env, slugs) == [
        logical.vault_database_role(env, vault_layout.database_role_name(i)) for i in ids
    ]
    assert nr._kv_schedule_urns(env, slugs) == [
        logical.kv_schedule(env, names.slug(i)) for i in ids
    ]
    assert nr._kv_schedules(env, slugs) == [
        vault_rotator.schedule_name(env, names.slug(i)) for i in ids
    ]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize="SECCAT_PROPERTY_EXAMPLES" not in os.environ,
)
@given(ENV_NAMES, st.lists(st.one_of(SECRET_IDS, LONG_IDS), max_size=6), MOUNTS)
def test_bulk_templates_are_the_naming_functions(env: str, ids: list[str], mount: str) -> None:
    assert_templates_are_the_naming_functions(env, ids, mount)


def test_bulk_templates_are_checked_with_long_names() -> None:
    """The hash suffix of an over-long name is part of what is compared."""
    env, long_id = "e" * 63, "a" * 60 + "/" + "b" * 67
    assert len(name_registry._rotation_functions(env, [long_id])[0]) == 64
    assert_templates_are_the_naming_functions(env, [long_id, "x"], "kv")


def test_bulk_template_comparison_fails_for_templates_that_are_not_the_functions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Negative controls: a template without the hash suffix, and one that is not
    injective where the function is ('/' and '-' both becoming '-')."""
    env, ids = "e" * 63, ["a" * 60 + "/" + "b" * 67, "a/b", "a-b"]
    with monkeypatch.context() as patched:
        patched.setattr(
            name_registry,
            "_rotation_functions",
            lambda env, ids: [f"seccat-{env}-rotate-{i}".replace("/", "_") for i in ids],
        )
        with pytest.raises(AssertionError):
            assert_templates_are_the_naming_functions(env, ids, "kv")
    with monkeypatch.context() as patched:
        patched.setattr(name_registry, "_slugs", lambda ids: [i.replace("/", "-") for i in ids])
        with pytest.raises(AssertionError):
            assert_templates_are_the_naming_functions("dev", ids, "kv")


def test_a_non_injective_template_costs_time_but_not_exactness(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A template that makes two different secrets' names equal (KV paths of 'a/b' and
    'a-b'), where the registry's differ, only sends the catalog to _Keys: the bulk walk
    proves nothing, and collisions() still finds none."""
    catalog = _built(ENVS + "secrets:\n" + _kv("data/a-b") + _kv("data/a/b"))
    assert catalog is not None
    assert name_registry._bulk_unique(catalog)
    with monkeypatch.context() as patched:
        patched.setattr(
            name_registry,
            "_kv_metadata_paths",
            lambda mount, ids: [i.replace("/", "-") for i in ids],
        )
        assert not name_registry._bulk_unique(catalog)
        assert collisions(catalog) == [] == registry_collisions(catalog)


def test_bulk_walk_comparison_fails_when_it_hides_a_collision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The negative control of assert_bulk_walk_sees_the_registry: a bulk walk whose
    rotation functions differ from the components' (here by a suffix) misses that a
    service's role has a rotation function's name, says "unique", and is caught; with the
    real templates the collision is reported."""
    text = ENVS + (
        '  rotate-token: {team: data, aws: {trust: {role_arn: "arn:aws:iam::111111111111:role/r"}}}\n'
        "secrets:\n"
        "  token: {description: x, owner: data, type: api-key, store: aws-secretsmanager, "
        "classification: internal, environments: [dev], rotation: {every: 30d}, "
        "consumers: [{service: rotate-token, access: read}]}\n"
    )
    catalog = _built(text)
    assert catalog is not None
    assert not name_registry._bulk_unique(catalog)
    assert len(collisions(catalog)) == 1
    original = name_registry._rotation_functions
    with monkeypatch.context() as patched:
        patched.setattr(
            name_registry,
            "_rotation_functions",
            lambda env, ids: [f + "x" for f in original(env, ids)],
        )
        assert name_registry._bulk_unique(catalog)  # wrong: it would hide the collision
        with pytest.raises(AssertionError):
            assert_bulk_walk_sees_the_registry(catalog)
    with monkeypatch.context() as patched:  # a bulk walk that forgets the renewal alarms
        patched.setattr(name_registry._Bulk, "renewal_schedules", lambda self, group, secrets: None)
        owner_rotated = _built(EXISTING_IN_TWO_ENVS)
        assert owner_rotated is not None
        with pytest.raises(AssertionError):
            assert_bulk_walk_sees_the_registry(owner_rotated)


def test_the_bulk_walk_judges_existing_role_sharing_as_the_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One existing role in two environments: a collision unless both declare they share
    identities, and always one when the role has the name of a role seccat creates (the
    renewal check's, in another case)."""
    declared = EXISTING_IN_TWO_ENVS.replace(
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}}',
        'qa: {aws: {account_id: "111111111111", region: eu-west-1}, shares_identities_with: [dev]}',
    )
    named_like_check = declared.replace(
        "role_name: legacy-web", "role_name: Seccat-Dev-Renewal-Check"
    )
    expected = {EXISTING_IN_TWO_ENVS: False, declared: True, named_like_check: False}
    for text, unique in expected.items():
        catalog = _built(text)
        assert catalog is not None
        assert assert_bulk_walk_sees_the_registry(catalog) is unique
        assert (collisions(catalog) == []) is unique
    undeclared = _built(EXISTING_IN_TWO_ENVS)
    assert undeclared is not None
    with monkeypatch.context() as patched:  # the negative control: sharing not checked
        patched.setattr(name_registry, "_existing_roles_shared", lambda *args: True)
        with pytest.raises(AssertionError):
            assert_bulk_walk_sees_the_registry(undeclared)
