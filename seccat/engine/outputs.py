"""Realistic, deterministic outputs for mocked resources.

ARNs are built from the account and region of the provider that manages the resource (the
environment's, or an explicit regional provider's) and the resource's name, exactly as AWS
would build them, so inputs that depend on other resources' outputs are concrete in a
preview and stable across runs (golden files stay golden).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

_NAMESPACE = uuid.UUID("6f1c5d0e-2b8c-4f55-9a57-3c1e0d4b7a10")
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _suffix(seed: str, length: int) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(_SUFFIX_ALPHABET[b % len(_SUFFIX_ALPHABET)] for b in digest[:length])


#: Inputs that carry a resource's physical name, for types that do not call it ``name``.
_NAME_INPUTS = ("name", "dashboardName", "layerName")


def physical_name(logical: str, inputs: Mapping[str, Any]) -> str:
    """The name AWS would see: the explicit one, or Pulumi-style auto-naming."""
    for key in _NAME_INPUTS:
        explicit = inputs.get(key)
        if isinstance(explicit, str) and explicit:
            return explicit
    return f"{logical.replace('/', '-')}-{hashlib.sha256(logical.encode()).hexdigest()[:7]}"


def outputs_for(
    type_token: str, logical: str, inputs: Mapping[str, Any], account: str, region: str
) -> tuple[str, dict[str, Any]]:
    """(id, state) for one resource: its inputs plus the outputs AWS or Vault would add."""
    state: dict[str, Any] = dict(inputs)
    name = physical_name(logical, inputs)
    provider, module_type = type_token.split(":", 1)[0], type_token.split(":", 1)[1]
    module = module_type.split("/", 1)[0]
    resource_id = name
    arn: str | None = None

    if provider != "aws":
        # Vault/OpenBao resources are identified by their path.
        resource_id = str(inputs.get("path") or inputs.get("name") or name)
        state.setdefault("id", resource_id)
        return resource_id, state

    if type_token == "aws:kms/key:Key":
        key_id = str(uuid.uuid5(_NAMESPACE, f"{account}/{region}/{logical}"))
        resource_id = key_id
        arn = f"arn:aws:kms:{region}:{account}:key/{key_id}"
        state["keyId"] = key_id
    elif type_token == "aws:kms/alias:Alias":
        arn = f"arn:aws:kms:{region}:{account}:{name}"
    elif type_token == "aws:secretsmanager/secret:Secret":
        arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{name}-{_suffix(name, 6)}"
        resource_id = arn
    elif module == "iam":
        kind = module_type.split(":", 1)[1].split("/")[0].lower()
        if type_token in ("aws:iam/role:Role", "aws:iam/policy:Policy"):
            path = str(inputs.get("path") or "/")
            arn = f"arn:aws:iam::{account}:{kind}{path}{name}"
            state["uniqueId"] = "AROA" + _suffix(name, 17).upper()
        else:
            resource_id = f"{inputs.get('role', name)}:{name}"
    elif type_token == "aws:lambda/function:Function":
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        state["invokeArn"] = (
            f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
        )
        state["qualifiedArn"] = f"{arn}:1"
        state["version"] = "1"
    elif type_token == "aws:lambda/layerVersion:LayerVersion":
        layer = f"arn:aws:lambda:{region}:{account}:layer:{inputs.get('layerName') or name}"
        arn = f"{layer}:1"
        resource_id = arn
        state["layerArn"] = layer
        state["version"] = "1"
    elif type_token == "aws:sns/topic:Topic":
        arn = f"arn:aws:sns:{region}:{account}:{name}"
        resource_id = arn
    elif type_token == "aws:cloudwatch/logGroup:LogGroup":
        arn = f"arn:aws:logs:{region}:{account}:log-group:{name}"
    elif type_token == "aws:cloudwatch/eventRule:EventRule":
        arn = f"arn:aws:events:{region}:{account}:rule/{name}"
    elif type_token == "aws:cloudwatch/metricAlarm:MetricAlarm":
        arn = f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"
    elif type_token == "aws:cloudwatch/dashboard:Dashboard":
        arn = f"arn:aws:cloudwatch::{account}:dashboard/{name}"
    elif type_token == "aws:cfg/rule:Rule":
        arn = f"arn:aws:config:{region}:{account}:config-rule/config-rule-{_suffix(name, 6)}"
    elif type_token == "aws:scheduler/scheduleGroup:ScheduleGroup":
        arn = f"arn:aws:scheduler:{region}:{account}:schedule-group/{name}"
    elif type_token == "aws:sns/topicSubscription:TopicSubscription":
        # <topic ARN>:<subscription id>; AWS makes the id up, the mock derives it.
        topic = str(inputs.get("topic") or f"arn:aws:sns:{region}:{account}:{name}")
        arn = f"{topic}:{uuid.uuid5(_NAMESPACE, f'{account}/{region}/{logical}')}"
        resource_id = arn
    elif type_token == "aws:scheduler/schedule:Schedule":
        group = inputs.get("groupName") or "default"
        arn = f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}"
    else:
        service = {"cloudwatch": "cloudwatch", "lambda": "lambda"}.get(module, module.lower())
        kind = module_type.split(":", 1)[1].split("/")[0].lower()
        arn = f"arn:aws:{service}:{region}:{account}:{kind}/{name}"

    if arn is not None:
        state.setdefault("arn", arn)
    state.setdefault("id", resource_id)
    if "name" in _NAMED_TYPES.get(type_token, ("name",)):
        state.setdefault("name", name)
    state.setdefault("tagsAll", inputs.get("tags") or {})
    return resource_id, state


#: Types whose ``name`` output is not the physical name (kept empty: all AWS types we use
#: expose ``name``).
_NAMED_TYPES: dict[str, tuple[str, ...]] = {}
