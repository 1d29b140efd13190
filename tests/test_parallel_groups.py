"""`make test` runs the suite on pytest-xdist workers grouped by tests/conftest.py's
parallel_group: a test using an expensive shared session fixture must run in that fixture's
group, or the fixture is built again on another worker (minutes of CI time, not an error)."""

from __future__ import annotations

import pytest
from xdist_groups import SHARED_FIXTURES, SHARED_GROUPS, parallel_group


def test_every_user_of_a_shared_fixture_runs_in_its_group(request: pytest.FixtureRequest) -> None:
    misplaced = sorted(
        f"{item.nodeid.split('::', 1)[0]} uses {fixture}: list it in SHARED_GROUPS[{group!r}]"
        for item in request.session.items
        for fixture in getattr(item, "fixturenames", ())
        if (group := SHARED_FIXTURES.get(fixture)) and parallel_group(item.nodeid) != group
    )
    assert not misplaced, "\n".join(dict.fromkeys(misplaced))


def test_groups_are_found_by_module_and_folder() -> None:
    assert parallel_group("tests/aws/conformance/test_apply.py::test_x[dev]") == "aws-conformance"
    assert parallel_group("tests/vault/test_vault_server.py::test_x") == "generated-catalog"
    assert parallel_group("tests/vault/test_vault_documents.py::test_x") == (
        "tests/vault/test_vault_documents.py"
    )
    # the negative control: a module of a listed folder's sibling is its own group
    assert parallel_group("tests/aws/test_components.py::test_x") == "tests/aws/test_components.py"
    assert all(members for members in SHARED_GROUPS.values())
