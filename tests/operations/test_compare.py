"""Semantic policy equality: what AWS may change without meaning anything compares equal,
and every change of meaning (a wider action, another resource, a dropped condition, another
principal) compares different."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from seccat.operations.compare import hcl_equal, normalise_policy, policies_equal, policy_diff

POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"]},
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": "arn:aws:secretsmanager:eu-west-1:1:secret:x-??????",
        },
        {
            "Sid": "Tls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "secretsmanager:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ],
}


def _reserialised(doc: dict[str, Any]) -> dict[str, Any]:
    """What AWS may hand back: statements reordered, lists reordered, one-element lists as
    scalars, action and condition-key case changed, booleans unquoted."""
    back = copy.deepcopy(doc)
    back["Statement"].reverse()
    by_sid = {s.get("Sid"): s for s in back["Statement"]}
    read, tls = by_sid.get("Read"), by_sid.get("Tls")
    if read is not None:
        read["Principal"]["AWS"].reverse()
        read["Action"] = [a.upper() for a in reversed(read["Action"])]
        read["Resource"] = [read["Resource"]]
    if tls is not None:
        tls["Principal"] = {"AWS": "*"}
        if "Condition" in tls:
            tls["Condition"] = {"Bool": {"AWS:SecureTransport": False}}
    return back


def test_equivalent_serialisations_are_equal() -> None:
    assert policies_equal(json.dumps(POLICY, indent=2), _reserialised(POLICY))
    assert policy_diff(POLICY, _reserialised(POLICY)) == []


def _widen_action(d: dict[str, Any]) -> None:
    d["Statement"][0]["Action"].append("secretsmanager:PutSecretValue")


def _other_resource(d: dict[str, Any]) -> None:
    d["Statement"][0]["Resource"] = "*"


def _drop_condition(d: dict[str, Any]) -> None:
    del d["Statement"][1]["Condition"]


def _extra_principal(d: dict[str, Any]) -> None:
    d["Statement"][0]["Principal"]["AWS"].append("arn:aws:iam::1:role/c")


def _allow_instead_of_deny(d: dict[str, Any]) -> None:
    d["Statement"][1]["Effect"] = "Allow"


def _extra_statement(d: dict[str, Any]) -> None:
    d["Statement"].append({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})


def _renamed_sid(d: dict[str, Any]) -> None:
    d["Statement"][0]["Sid"] = "Other"


@pytest.mark.parametrize(
    "change",
    [
        _widen_action,
        _other_resource,
        _drop_condition,
        _extra_principal,
        _allow_instead_of_deny,
        _extra_statement,
        _renamed_sid,
    ],
)
def test_every_change_of_meaning_differs(change: Callable[[dict[str, Any]], None]) -> None:
    changed = copy.deepcopy(POLICY)
    change(changed)
    assert not policies_equal(POLICY, changed)
    assert not policies_equal(POLICY, _reserialised(changed))
    assert policy_diff(POLICY, changed), "a difference comes with a diff to show"


def test_arn_case_is_significant() -> None:
    changed = copy.deepcopy(POLICY)
    changed["Statement"][0]["Resource"] = changed["Statement"][0]["Resource"].upper()
    assert not policies_equal(POLICY, changed)


def test_normalised_form_is_stable() -> None:
    assert normalise_policy(POLICY) == normalise_policy(_reserialised(POLICY))
    assert normalise_policy(None) is None


def test_hcl_compares_up_to_trailing_whitespace_only() -> None:
    hcl = 'path "kv/data/a" {\n  capabilities = ["read"]\n}\n'
    assert hcl_equal(hcl, hcl.replace("\n", "  \n") + "\n\n")
    assert not hcl_equal(hcl, hcl.replace('["read"]', '["read", "list"]'))
    assert not hcl_equal(hcl, hcl.replace("kv/data/a", "kv/data/*"))
