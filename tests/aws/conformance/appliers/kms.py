"""aws:kms/key:Key and aws:kms/alias:Alias."""

from __future__ import annotations

from tests.aws.conformance.model import (
    Applier,
    Clients,
    Compared,
    Real,
    Target,
    document,
    same,
    tag_list,
    tag_map,
)
from tests.aws.conformance.registry import register

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def apply_key(clients: Clients, t: Target) -> Real:
    kms = t.client(clients, "kms")
    i = t.inputs
    args = {
        "Description": i.get("description", ""),
        "Policy": i["policy"],
        "Tags": tag_list(i.get("tags"), "TagKey", "TagValue"),
    }
    if i.get("multiRegion"):
        args["MultiRegion"] = True
    meta = kms.create_key(**args)["KeyMetadata"]
    if i.get("enableKeyRotation"):
        kms.enable_key_rotation(
            KeyId=meta["KeyId"], RotationPeriodInDays=int(i["rotationPeriodInDays"])
        )
    return Real(meta["KeyId"], {"keyId": meta["KeyId"], "arn": meta["Arn"], "id": meta["KeyId"]})


def read_key(clients: Clients, t: Target, real: Real) -> list[Compared]:
    kms = t.client(clients, "kms")
    i = t.inputs
    meta = kms.describe_key(KeyId=real.id)["KeyMetadata"]
    policy = kms.get_key_policy(KeyId=real.id, PolicyName="default")["Policy"]
    rotation = kms.get_key_rotation_status(KeyId=real.id)
    tags = kms.list_resource_tags(KeyId=real.id)["Tags"]
    return [
        same("description", i.get("description", ""), meta["Description"]),
        document("policy", i["policy"], policy),
        same("enableKeyRotation", bool(i.get("enableKeyRotation")), rotation["KeyRotationEnabled"]),
        same("tags", i.get("tags") or {}, tag_map(tags, "TagKey", "TagValue")),
    ]


def apply_alias(clients: Clients, t: Target) -> Real:
    kms = t.client(clients, "kms")
    kms.create_alias(AliasName=t.inputs["name"], TargetKeyId=t.inputs["targetKeyId"])
    alias = _alias(clients, t, t.inputs["name"])
    return Real(alias["AliasName"], {"arn": alias["AliasArn"], "name": alias["AliasName"]})


def _alias(clients: Clients, t: Target, name: str) -> dict:
    pages = t.client(clients, "kms").get_paginator("list_aliases").paginate()
    found = [a for page in pages for a in page["Aliases"] if a["AliasName"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def read_alias(clients: Clients, t: Target, real: Real) -> list[Compared]:
    alias = _alias(clients, t, real.id)
    return [
        same("name", t.inputs["name"], alias["AliasName"]),
        same("targetKeyId", t.inputs["targetKeyId"], alias.get("TargetKeyId")),
    ]


register(
    Applier(
        KEY,
        apply_key,
        read_key,
        calls=(
            "kms.create_key",
            "kms.enable_key_rotation",
            "kms.describe_key",
            "kms.get_key_policy",
            "kms.get_key_rotation_status",
            "kms.list_resource_tags",
        ),
        oracle="key policy: cfn-lint E3512 (resource policy) + W3037 (actions)",
        gaps=(
            "moto stores any key policy (no grammar check, no lockout safety check); "
            "moto 5.2.5 ignores RotationPeriodInDays (enable_key_rotation keeps only on/off): "
            "not compared; deletionWindowInDays only applies when deletion is scheduled: not "
            "compared"
        ),
    )
)
register(
    Applier(
        ALIAS,
        apply_alias,
        read_alias,
        calls=("kms.create_alias", "kms.list_aliases"),
    )
)
