"""How `make test` spreads the suite over pytest-xdist workers (`-n 2 --dist loadgroup`).

Each module runs whole on one worker (its module fixtures are built once), and the modules
that share an expensive session fixture run together, so that fixture is built once, not
once per worker. tests/conftest.py's scheduler assigns the groups in the controller, from
node ids alone: xdist's own loadgroup (``xdist_group`` marks) silently stops grouping on
pytest 9.2, which no longer lets a worker rewrite a node id (pytest-dev/pytest-xdist#1386).
tests/test_parallel_groups.py checks that every user of a shared fixture is in its group.
"""

from __future__ import annotations

#: Groups of modules (or folders, ending in "/") sharing a session fixture, heaviest first:
#: the scheduler hands them out in this order, then SLOW_MODULES, then the rest, so that no
#: worker is left alone with a long group at the end.
SHARED_GROUPS: dict[str, tuple[str, ...]] = {
    # the operations world: its own moto, a Lambda layer, OpenBao and PostgreSQL seeded
    # (the longest group: 440 s of test time under a load of 9 on 2 cores)
    "operations": ("tests/operations/",),
    # the 1,000-secret catalog's previews (about 20 s a stack) and its OpenBao world; the
    # OpenBao world of catalog.yaml (vault_world), which test_vault_isolation also uses
    "generated-catalog": (
        "tests/catalog/test_name_registry.py",
        "tests/isolation/test_aws_isolation.py",
        "tests/vault/test_vault_isolation.py",
        "tests/vault/test_vault_server.py",
    ),
    # catalog.yaml and the benchmark catalog applied to moto, with the built Lambda layer
    "aws-conformance": ("tests/aws/conformance/",),
    # one PostgreSQL cluster per environment
    "postgres-per-environment": (
        "tests/rotation/test_postgres_server.py",
        "tests/rotation/test_rotation_environments.py",
        "tests/vault/test_vault_database_environments.py",
    ),
}

#: The session fixtures behind SHARED_GROUPS: a test that uses one must be in its group.
SHARED_FIXTURES = {
    "generated_catalog": "generated-catalog",
    "generated_preview": "generated-catalog",
    "generated_recording": "generated-catalog",
    "generated_vault": "generated-catalog",
    "vault_world": "generated-catalog",
    "lambda_layer": "aws-conformance",
    "ops_layer": "operations",
    "ops_world": "operations",
    "postgres_per_environment": "postgres-per-environment",
}

#: Modules whose own tests or module fixtures take long (build a wheel, a pip venv, a fresh
#: bootstrap, split previews): handed out right after the shared groups, in this order.
SLOW_MODULES = (
    "tests/stacks/test_moves.py",
    "tests/quickstart/test_bootstrap.py",
    "tests/policies/test_pack_standalone.py",
    "tests/stacks/test_split_union.py",
    "tests/stacks/test_all_stacks.py",
    "tests/engine/test_stack_traces.py",
    "tests/policies/test_check_baseline.py",
    "tests/catalog/test_one_alphabet.py",
    "tests/cli/test_machine_output.py",
    "tests/packaging/test_installed_tool.py",
)


def parallel_group(nodeid: str) -> str:
    """The group a test runs in: a shared group, else its module."""
    module = nodeid.split("::", 1)[0]
    for group, members in SHARED_GROUPS.items():
        if any(module == m or (m.endswith("/") and module.startswith(m)) for m in members):
            return group
    return module


def group_rank(group: str) -> int:
    """Where a group comes in the order the scheduler hands groups out."""
    order = [*SHARED_GROUPS, *SLOW_MODULES]
    return order.index(group) if group in order else len(order)
