"""aws:lambda/layerVersion, aws:lambda/function:Function, aws:lambda/permission."""

from __future__ import annotations

from typing import Any

from tests.aws.conformance.assets import code_sha256
from tests.aws.conformance.model import (
    Applier,
    ApplyError,
    Clients,
    Compared,
    Real,
    Target,
    same,
)
from tests.aws.conformance.registry import register


def apply_layer(clients: Clients, t: Target) -> Real:
    i = t.inputs
    got = t.client(clients, "lambda").publish_layer_version(
        LayerName=i["layerName"],
        Description=i.get("description", ""),
        Content={"ZipFile": t.assets.archive(i["code"])},
        CompatibleRuntimes=i.get("compatibleRuntimes") or [],
        CompatibleArchitectures=i.get("compatibleArchitectures") or [],
    )
    return Real(
        got["LayerVersionArn"],
        {
            "arn": got["LayerVersionArn"],
            "layerArn": got["LayerArn"],
            "version": str(got["Version"]),
        },
    )


def read_layer(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    layer_arn, version = real.id.rsplit(":", 1)
    got = t.client(clients, "lambda").get_layer_version(
        LayerName=layer_arn, VersionNumber=int(version)
    )
    return [
        same("layerName", i["layerName"], got["LayerArn"].rsplit(":", 1)[1]),
        same("description", i.get("description", ""), got.get("Description", "")),
        same("compatibleRuntimes", i.get("compatibleRuntimes"), got.get("CompatibleRuntimes")),
        same(
            "compatibleArchitectures",
            i.get("compatibleArchitectures"),
            got.get("CompatibleArchitectures"),
        ),
        same("code", code_sha256(t.assets.archive(i["code"])), got["Content"]["CodeSha256"]),
    ]


def _function_args(t: Target) -> dict[str, Any]:
    i = t.inputs
    args: dict[str, Any] = {
        "FunctionName": i["name"],
        "Role": i["role"],
        "Runtime": i["runtime"],
        "Handler": i["handler"],
        "Code": {"ZipFile": t.assets.archive(i["code"])},
        "Description": i.get("description", ""),
        "Timeout": int(i.get("timeout", 3)),
        "MemorySize": int(i.get("memorySize", 128)),
        "Architectures": i.get("architectures") or ["x86_64"],
        "Publish": False,
        "Tags": dict(i.get("tags") or {}),
    }
    if i.get("layers"):
        args["Layers"] = i["layers"]
    if i.get("environment"):
        args["Environment"] = {"Variables": i["environment"].get("variables") or {}}
    if i.get("loggingConfig"):
        lc = i["loggingConfig"]
        args["LoggingConfig"] = {"LogFormat": lc["logFormat"], "LogGroup": lc["logGroup"]}
    if i.get("vpcConfig"):
        vpc = i["vpcConfig"]
        args["VpcConfig"] = {
            "SubnetIds": vpc.get("subnetIds") or [],
            "SecurityGroupIds": vpc.get("securityGroupIds") or [],
        }
    if i.get("kmsKeyArn"):
        args["KMSKeyArn"] = i["kmsKeyArn"]
    return args


def apply_function(clients: Clients, t: Target) -> Real:
    aws_lambda = t.client(clients, "lambda")
    got = aws_lambda.create_function(**_function_args(t))
    concurrency = t.inputs.get("reservedConcurrentExecutions")
    if concurrency is not None:
        aws_lambda.put_function_concurrency(
            FunctionName=got["FunctionName"], ReservedConcurrentExecutions=int(concurrency)
        )
    return Real(got["FunctionName"], {"arn": got["FunctionArn"], "name": got["FunctionName"]})


def read_function(clients: Clients, t: Target, real: Real) -> list[Compared]:
    i = t.inputs
    got = t.client(clients, "lambda").get_function(FunctionName=real.id)
    c = got["Configuration"]
    compared = [
        same("name", i["name"], c["FunctionName"]),
        same("description", i.get("description", ""), c.get("Description", "")),
        same("role", i["role"], c["Role"]),
        same("runtime", i["runtime"], c["Runtime"]),
        same("handler", i["handler"], c["Handler"]),
        same("architectures", i.get("architectures") or ["x86_64"], c.get("Architectures")),
        same("timeout", i.get("timeout", 3), c["Timeout"]),
        same("memorySize", i.get("memorySize", 128), c["MemorySize"]),
        same("code", code_sha256(t.assets.archive(i["code"])), c["CodeSha256"]),
        same(
            "reservedConcurrentExecutions",
            i.get("reservedConcurrentExecutions"),
            got.get("Concurrency", {}).get("ReservedConcurrentExecutions"),
        ),
        same("tags", i.get("tags") or {}, got.get("Tags") or {}),
    ]
    if "layers" in i:
        compared.append(same("layers", i["layers"], [x["Arn"] for x in c.get("Layers", [])]))
    if "environment" in i:
        shown = {"variables": c.get("Environment", {}).get("Variables", {})}
        compared.append(same("environment", i["environment"], shown))
    if "vpcConfig" in i:
        vpc = c.get("VpcConfig") or {}
        shown = {
            "subnetIds": vpc.get("SubnetIds"),
            "securityGroupIds": vpc.get("SecurityGroupIds"),
        }
        compared.append(same("vpcConfig", i["vpcConfig"], shown))
    if "kmsKeyArn" in i:
        compared.append(same("kmsKeyArn", i["kmsKeyArn"], c.get("KMSKeyArn")))
    return compared


def apply_permission(clients: Clients, t: Target) -> Real:
    i = t.inputs
    args = {
        "FunctionName": i["function"],
        "StatementId": i["statementId"],
        "Action": i["action"],
        "Principal": i["principal"],
    }
    if i.get("sourceArn"):
        args["SourceArn"] = i["sourceArn"]
    if i.get("sourceAccount"):
        args["SourceAccount"] = i["sourceAccount"]
    t.client(clients, "lambda").add_permission(**args)
    return Real(f"{i['function']}/{i['statementId']}")


def read_permission(clients: Clients, t: Target, real: Real) -> list[Compared]:
    import json

    function, sid = real.id.split("/", 1)
    policy = json.loads(t.client(clients, "lambda").get_policy(FunctionName=function)["Policy"])
    found = [s for s in policy["Statement"] if s.get("Sid") == sid]
    if len(found) != 1:
        raise ApplyError(f"statement {sid} of {function}: {found}")
    s = found[0]
    condition = s.get("Condition", {})
    i = t.inputs
    return [
        same("function", i["function"], s["Resource"].split(":function:", 1)[1]),
        same("statementId", i["statementId"], s["Sid"]),
        same("action", i["action"], s["Action"]),
        same("principal", i["principal"], s["Principal"].get("Service")),
        same(
            "sourceArn",
            i.get("sourceArn"),
            condition.get("ArnLike", {}).get("AWS:SourceArn"),
        ),
        same(
            "sourceAccount",
            i.get("sourceAccount"),
            condition.get("StringEquals", {}).get("AWS:SourceAccount"),
        ),
    ]


def _other_archive(spec: dict[str, Any]) -> dict[str, Any]:
    """Negative control for code: a different, valid archive (one more member, or another
    folder), so the CodeSha256 comparison must fail."""
    if "assetArchive" in spec:
        members = dict(spec["assetArchive"])
        first = next(iter(sorted(members)))
        members[f"negative_control/{first}"] = members[first]
        return {"assetArchive": members}
    return {"fileArchive": "functions/rotation"}


register(
    Applier(
        "aws:lambda/layerVersion:LayerVersion",
        apply_layer,
        read_layer,
        calls=("lambda.publish_layer_version", "lambda.get_layer_version"),
        gaps="the layer's content is not run (no docker): only its CodeSha256 is compared",
        perturb={"code": _other_archive},
    )
)
register(
    Applier(
        "aws:lambda/function:Function",
        apply_function,
        read_function,
        calls=(
            "lambda.create_function",
            "lambda.put_function_concurrency",
            "lambda.get_function",
        ),
        gaps=(
            "functions are never invoked (moto runs them only in docker); moto 5.2.5 does "
            "not return LoggingConfig (not compared), does not check that subnets, security "
            "groups, the KMS key or the log group exist"
        ),
        perturb={"code": _other_archive},
    )
)
register(
    Applier(
        "aws:lambda/permission:Permission",
        apply_permission,
        read_permission,
        calls=("lambda.add_permission", "lambda.get_policy"),
        gaps="moto does not check the principal service name",
    )
)
