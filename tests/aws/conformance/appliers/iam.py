"""aws:iam/role:Role and aws:iam/rolePolicy:RolePolicy."""

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


def apply_role(clients: Clients, t: Target) -> Real:
    iam = t.client(clients, "iam")
    i = t.inputs
    args = {
        "RoleName": i["name"],
        "AssumeRolePolicyDocument": i["assumeRolePolicy"],
        "Description": i.get("description", ""),
        "Tags": tag_list(i.get("tags")),
    }
    if i.get("maxSessionDuration") is not None:
        args["MaxSessionDuration"] = int(i["maxSessionDuration"])
    if i.get("path"):
        args["Path"] = i["path"]
    role = iam.create_role(**args)["Role"]
    # moto's create_role stores any trust policy; update_assume_role_policy runs its trust
    # policy grammar (moto.iam.policy_validation.IAMTrustPolicyDocumentValidator).
    iam.update_assume_role_policy(RoleName=i["name"], PolicyDocument=i["assumeRolePolicy"])
    return Real(
        role["RoleName"],
        {"arn": role["Arn"], "name": role["RoleName"], "uniqueId": role["RoleId"]},
    )


def read_role(clients: Clients, t: Target, real: Real) -> list[Compared]:
    iam = t.client(clients, "iam")
    i = t.inputs
    role = iam.get_role(RoleName=real.id)["Role"]
    tags = iam.list_role_tags(RoleName=real.id)["Tags"]
    return [
        same("name", i["name"], role["RoleName"]),
        same("description", i.get("description", ""), role.get("Description", "")),
        document("assumeRolePolicy", i["assumeRolePolicy"], role["AssumeRolePolicyDocument"]),
        same("maxSessionDuration", i.get("maxSessionDuration", 3600), role["MaxSessionDuration"]),
        same("tags", i.get("tags") or {}, tag_map(tags)),
    ]


def apply_role_policy(clients: Clients, t: Target) -> Real:
    i = t.inputs
    # put_role_policy runs moto's IAM policy grammar (IAMPolicyDocumentValidator).
    t.client(clients, "iam").put_role_policy(
        RoleName=i["role"], PolicyName=i["name"], PolicyDocument=i["policy"]
    )
    return Real(f"{i['role']}:{i['name']}")


def read_role_policy(clients: Clients, t: Target, real: Real) -> list[Compared]:
    role, name = real.id.split(":", 1)
    got = t.client(clients, "iam").get_role_policy(RoleName=role, PolicyName=name)
    return [
        same("role", t.inputs["role"], got["RoleName"]),
        same("name", t.inputs["name"], got["PolicyName"]),
        document("policy", t.inputs["policy"], got["PolicyDocument"]),
    ]


register(
    Applier(
        "aws:iam/role:Role",
        apply_role,
        read_role,
        calls=(
            "iam.create_role",
            "iam.update_assume_role_policy",
            "iam.get_role",
            "iam.list_role_tags",
        ),
        oracle=(
            "trust policy: moto's trust grammar via update_assume_role_policy, "
            "cfn-lint E3530 (trust policy), parliament"
        ),
        gaps=(
            "create_role accepts any trust policy text (hence update_assume_role_policy); "
            "moto's trust grammar does not require a Principal (cfn-lint does) and does not "
            "check that principals (roles, OIDC providers) exist"
        ),
    )
)
register(
    Applier(
        "aws:iam/rolePolicy:RolePolicy",
        apply_role_policy,
        read_role_policy,
        calls=("iam.put_role_policy", "iam.get_role_policy"),
        oracle=(
            "moto's IAM policy grammar (put_role_policy), cfn-lint E3510 (identity policy) "
            "+ W3037 (actions), parliament"
        ),
        gaps="moto does not know which actions exist (cfn-lint W3037 and parliament do)",
    )
)
