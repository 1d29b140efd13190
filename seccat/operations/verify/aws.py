"""The AWS half of `seccat verify`: Secrets Manager, KMS, Lambda and IAM against the preview.

Expected values are the recorded inputs of the resources `pulumi up` would create (names,
tags, documents, rotation rules, function settings). The mocked ids a preview holds (KMS key
ids, the random suffix of a secret ARN) are resolved to the live ones through names AWS
lets us look up: the environment's key alias, the secret's name.

Recovery window: AWS keeps no recovery window on a live secret (Pulumi holds
``recovery_window_in_days`` in its state and sends it only with DeleteSecret), so what can be
checked live is whether the secret is scheduled for deletion, and with how much time left
against the window the catalog's ``protect`` setting gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from seccat.engine.outputs import outputs_for
from seccat.engine.recording import RecordedResource
from seccat.operations.clients import AwsConnection
from seccat.operations.compare import (
    normalise_policy,
    parse_document,
    policies_equal,
    policy_diff,
)
from seccat.operations.errors import OperationError, aws_failure, error_code
from seccat.operations.targets import (
    FUNCTION_TYPE,
    KMS_ALIAS_TYPE,
    KMS_KEY_TYPE,
    ROLE_POLICY_TYPE,
    ROLE_TYPE,
    ROTATION_TYPE,
    SECRET_POLICY_TYPE,
    SECRET_TYPE,
    EnvironmentTargets,
)
from seccat.operations.verify import lambda_code
from seccat.operations.verify.recorder import Recorder

ATTACHMENT_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
_MISSING = frozenset({"ResourceNotFoundException", "NoSuchEntity", "NotFoundException"})
#: Tags verify leaves alone: written by operations (`rotate --incident`) and by the renewal
#: of owner-rotated secrets, not by the program.
OPERATIONAL_TAGS = frozenset({"seccat:incident", "seccat:not-after"})


def _int(value: Any) -> Any:
    """Mock-monitor inputs arrive as floats; compare whole numbers as ints."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def rotation_rules(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``rotationRules`` of a SecretRotation as DescribeSecret names them."""
    rules = inputs.get("rotationRules") or {}
    out: dict[str, Any] = {}
    for key, name in (
        ("automaticallyAfterDays", "AutomaticallyAfterDays"),
        ("scheduleExpression", "ScheduleExpression"),
        ("duration", "Duration"),
    ):
        if rules.get(key) is not None:
            out[name] = _int(rules[key])
    return out


def _rules_match(expected: Mapping[str, Any], live: Mapping[str, Any]) -> bool:
    for key, value in expected.items():
        if live.get(key) != value:
            return False
    days = expected.get("AutomaticallyAfterDays")
    schedule = live.get("ScheduleExpression")
    if "ScheduleExpression" not in expected and schedule is not None:
        # AWS may show a days rule as its rate() form as well; anything else is a change.
        return days is not None and schedule in (f"rate({days} days)", f"rate({days} day)")
    return True


class AwsVerifier:
    def __init__(self, targets: EnvironmentTargets, conn: AwsConnection, rec: Recorder) -> None:
        self.t = targets
        self.conn = conn
        self.rec = rec
        self.env = targets.name
        #: region -> (key id, key ARN) of the environment's live key there.
        self.keys: dict[str, tuple[str, str]] = {}
        #: mocked secret ARN -> real ARN, for documents that name a secret by ARN.
        self.real_arns: dict[str, str] = {}
        #: CodeSha256 -> the files of that deployed zip: functions sharing a package (every
        #: rotation function of a kind) download it once.
        self.deployed_code: dict[str, dict[str, str]] = {}

    # -- plumbing ------------------------------------------------------------------------

    def call(self, service: str, operation: str, region: str | None = None, **kwargs: Any) -> Any:
        """One read; None when the thing does not exist, OperationError when verify cannot
        read (it must never report "no drift" for what it could not see)."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.conn.client(service, region)
        try:
            return getattr(client, operation)(**kwargs)
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return None
            raise OperationError(aws_failure(exc, f"{self.env}: {service} {operation}")) from None
        except BotoCoreError as exc:
            raise OperationError(f"{self.env}: {service} {operation}: {exc}") from None

    def _path(self, r: RecordedResource, *tail: str) -> tuple[str, ...]:
        ref = tuple(r.catalog_ref or ("environments", self.env))
        if tail:
            return self.t.best_path(ref + tail, ref)
        return ref

    # -- the run -------------------------------------------------------------------------

    def run(self) -> None:
        self.verify_keys()
        for r in self.t.expected(SECRET_TYPE):
            self.verify_secret(r)
        for r in self.t.expected(FUNCTION_TYPE):
            self.verify_function(r)
        policies: dict[str, list[RecordedResource]] = {}
        for r in self.t.expected(ROLE_POLICY_TYPE):
            policies.setdefault(str(r.inputs.get("role")), []).append(r)
        attachments: dict[str, list[RecordedResource]] = {}
        for r in self.t.expected(ATTACHMENT_TYPE):
            attachments.setdefault(str(r.inputs.get("role")), []).append(r)
        created = set()
        for r in self.t.expected(ROLE_TYPE):
            name = str(r.inputs.get("name"))
            created.add(name)
            self.verify_role(r, policies.get(name, []), attachments.get(name, []))
        for role, inline in sorted(policies.items()):
            if role not in created:  # an existing role: only seccat's own policy is checked
                for p in inline:
                    self.verify_inline_policy(role, p)

    # -- KMS -------------------------------------------------------------------------------

    def verify_keys(self) -> None:
        aliases = {
            (r.provider.region if r.provider else self.conn.region): str(r.inputs.get("name"))
            for r in self.t.expected(KMS_ALIAS_TYPE)
        }
        for r in self.t.expected(KMS_KEY_TYPE):
            region = r.provider.region if r.provider and r.provider.region else self.conn.region
            alias = aliases.get(region)
            path = ("environments", self.env)
            subject = f"{alias or 'key'} ({region})"
            described = self.call("kms", "describe_key", region, KeyId=alias) if alias else None
            self.rec.compare()
            if described is None:
                self.rec.finding(
                    "aws.kms.key",
                    subject,
                    path,
                    f"the environment's KMS key {alias} does not exist in {region}",
                    expected={"alias": alias, "region": region},
                    live=None,
                )
                continue
            meta = described["KeyMetadata"]
            self.keys[region] = (meta["KeyId"], meta["Arn"])
            if meta.get("KeyState") != "Enabled":
                self.rec.finding(
                    "aws.kms.key",
                    subject,
                    path,
                    f"the environment's KMS key {alias} in {region} is {meta.get('KeyState')}",
                    expected={"KeyState": "Enabled"},
                    live={"KeyState": meta.get("KeyState")},
                )
                continue
            self._key_rotation(r, meta["KeyId"], region, subject, path)
            self._key_policy(r, meta["KeyId"], region, subject, path)

    def _key_rotation(
        self, r: RecordedResource, key_id: str, region: str, subject: str, path: tuple[str, ...]
    ) -> None:
        status = self.call("kms", "get_key_rotation_status", region, KeyId=key_id) or {}
        expected = {"KeyRotationEnabled": bool(r.inputs.get("enableKeyRotation"))}
        live = {"KeyRotationEnabled": bool(status.get("KeyRotationEnabled"))}
        period = r.inputs.get("rotationPeriodInDays")
        if period is not None and status.get("RotationPeriodInDays") is not None:
            expected["RotationPeriodInDays"] = _int(period)
            live["RotationPeriodInDays"] = status.get("RotationPeriodInDays")
        self.rec.compare()
        if expected != live:
            self.rec.finding(
                "aws.kms.rotation",
                subject,
                path,
                f"automatic rotation of KMS key {subject} differs",
                expected=expected,
                live=live,
            )

    def _key_policy(
        self, r: RecordedResource, key_id: str, region: str, subject: str, path: tuple[str, ...]
    ) -> None:
        got = self.call("kms", "get_key_policy", region, KeyId=key_id, PolicyName="default")
        live = parse_document((got or {}).get("Policy"))
        self.rec.compare()
        if not policies_equal(r.inputs.get("policy"), live):
            self.rec.finding(
                "aws.kms.policy",
                subject,
                path,
                f"the key policy of {subject} differs from the generated document",
                expected=normalise_policy(r.inputs.get("policy")),
                live=normalise_policy(live),
                diff=policy_diff(r.inputs.get("policy"), live),
            )

    # -- secrets ---------------------------------------------------------------------------

    def verify_secret(self, r: RecordedResource) -> None:
        secret_id = (r.catalog_ref or ("", ""))[1]
        name = str(r.inputs.get("name"))
        base = ("secrets", secret_id)
        described = self.call("secretsmanager", "describe_secret", SecretId=name)
        self.rec.compare()
        if described is None:
            self.rec.finding(
                "aws.secret.missing",
                secret_id,
                base,
                f"secret {name} does not exist in {self.conn.region}",
                expected={"Name": name},
                live=None,
            )
            return
        mocked, _ = outputs_for(r.type, r.name, r.inputs, self.conn.account_id, self.conn.region)
        self.real_arns[mocked] = described["ARN"]
        if described.get("DeletedDate"):
            self._deletion(r, secret_id, name, described)
            return  # its other settings are moot, and AWS refuses most reads of it
        self._secret_key(r, secret_id, name, described)
        self._secret_tags(r, secret_id, name, described)
        self._replicas(r, secret_id, name, described)
        self._rotation(secret_id, name, described)
        self._resource_policy(secret_id, name, described["ARN"])

    def _deletion(
        self, r: RecordedResource, secret_id: str, name: str, described: Mapping[str, Any]
    ) -> None:
        deleted: datetime = described["DeletedDate"]
        window = _int(r.inputs.get("recoveryWindowInDays"))
        changed = described.get("LastChangedDate")
        live: dict[str, Any] = {"DeletionDate": deleted.astimezone(UTC).isoformat()}
        used = None
        if isinstance(changed, datetime) and changed <= deleted:
            used = round((deleted - changed).total_seconds() / 86400)
            live["RecoveryWindowInDays"] = used
        left = max(0, (deleted - datetime.now(UTC)).days)
        shorter = (
            f" with a recovery window of {used} days (the catalog's is {window})"
            if (used is not None and used != window)
            else ""
        )
        self.rec.finding(
            "aws.secret.deletion",
            secret_id,
            self.t.best_path(("environments", self.env, "protect"), ("secrets", secret_id)),
            f"secret {name} is scheduled for deletion on {live['DeletionDate']} "
            f"({left} days left){shorter}",
            expected={"DeletionDate": None, "RecoveryWindowInDays": window},
            live=live,
        )

    def _key_id(self, key: str | None, region: str) -> str | None:
        """The key id of a live KmsKeyId (an id, ARN or alias)."""
        if not key:
            return None
        described = self.call("kms", "describe_key", region, KeyId=key)
        return described["KeyMetadata"]["KeyId"] if described else key

    def _secret_key(
        self, r: RecordedResource, secret_id: str, name: str, described: Mapping[str, Any]
    ) -> None:
        region = self.conn.region
        wanted = self.keys.get(region)
        live = described.get("KmsKeyId")
        self.rec.compare()
        if wanted is None:
            return  # the key itself is missing: already a finding
        if self._key_id(live, region) != wanted[0]:
            self.rec.finding(
                "aws.secret.kms-key",
                secret_id,
                ("secrets", secret_id),
                f"secret {name} is encrypted with {live or 'the AWS managed key'}, not the "
                f"environment's key {wanted[1]}",
                expected=wanted[1],
                live=live,
            )

    def _secret_tags(
        self, r: RecordedResource, secret_id: str, name: str, described: Mapping[str, Any]
    ) -> None:
        expected = dict(r.inputs.get("tags") or {})
        live = {t["Key"]: t["Value"] for t in described.get("Tags") or []}
        wrong = {k: v for k, v in expected.items() if live.get(k) != v}
        self.rec.compare()
        if wrong:
            self.rec.finding(
                "aws.secret.tags",
                secret_id,
                ("secrets", secret_id),
                f"secret {name}: tags {', '.join(sorted(wrong))} differ",
                expected=wrong,
                live={k: live.get(k) for k in wrong},
            )

    def _replicas(
        self, r: RecordedResource, secret_id: str, name: str, described: Mapping[str, Any]
    ) -> None:
        expected = {
            str(x.get("region")): self.keys.get(str(x.get("region")), ("?", "?"))[1]
            for x in r.inputs.get("replicas") or []
        }
        live_raw = {
            x["Region"]: x.get("KmsKeyId") for x in described.get("ReplicationStatus") or []
        }
        live: dict[str, Any] = {}
        for region, key in live_raw.items():
            key_id = self._key_id(key, region)
            wanted = self.keys.get(region)
            live[region] = wanted[1] if wanted and key_id == wanted[0] else key
        self.rec.compare()
        if expected != live:
            self.rec.finding(
                "aws.secret.replicas",
                secret_id,
                self.t.best_path(("secrets", secret_id, "replicas"), ("secrets", secret_id)),
                f"secret {name}: replicas differ (region -> key)",
                expected=expected,
                live=live,
            )

    def _rotation(self, secret_id: str, name: str, described: Mapping[str, Any]) -> None:
        expected_r = [
            x for x in self.t.expected(ROTATION_TYPE) if x.catalog_ref == ("secrets", secret_id)
        ]
        live = {
            "RotationEnabled": bool(described.get("RotationEnabled")),
            "RotationLambdaARN": described.get("RotationLambdaARN") or None,
            "RotationRules": dict(described.get("RotationRules") or {}),
        }
        path = self.t.best_path(("secrets", secret_id, "rotation"), ("secrets", secret_id))
        self.rec.compare()
        if not expected_r:
            if live["RotationEnabled"]:
                self.rec.finding(
                    "aws.secret.rotation",
                    secret_id,
                    path,
                    f"secret {name} has rotation enabled with {live['RotationLambdaARN']}, but "
                    "the catalog gives it no rotation function (its owner renews it)",
                    expected={"RotationEnabled": False},
                    live=live,
                )
            return
        rotation = expected_r[0]
        expected = {
            "RotationEnabled": True,
            "RotationLambdaARN": rotation.inputs.get("rotationLambdaArn"),
            "RotationRules": rotation_rules(rotation.inputs),
        }
        if not (
            live["RotationEnabled"]
            and live["RotationLambdaARN"] == expected["RotationLambdaARN"]
            and _rules_match(expected["RotationRules"], live["RotationRules"])
        ):
            what = "disabled" if not live["RotationEnabled"] else "configured differently"
            self.rec.finding(
                "aws.secret.rotation",
                secret_id,
                path,
                f"rotation of secret {name} is {what}",
                expected=expected,
                live=live,
            )

    def _resource_policy(self, secret_id: str, name: str, arn: str) -> None:
        expected_p = [
            x
            for x in self.t.expected(SECRET_POLICY_TYPE)
            if x.catalog_ref == ("secrets", secret_id)
        ]
        if not expected_p:
            return
        got = self.call("secretsmanager", "get_resource_policy", SecretId=arn) or {}
        live = parse_document(got.get("ResourcePolicy"))
        expected = expected_p[0].inputs.get("policy")
        self.rec.compare()
        if not policies_equal(expected, live):
            self.rec.finding(
                "aws.secret.policy",
                secret_id,
                self.t.best_path(("secrets", secret_id, "consumers"), ("secrets", secret_id)),
                f"the resource policy of secret {name} "
                + ("is missing" if live is None else "differs from the generated document"),
                expected=normalise_policy(expected),
                live=normalise_policy(live),
                diff=policy_diff(expected, live),
            )

    # -- Lambda ----------------------------------------------------------------------------

    def _real(self, value: Any) -> Any:
        if isinstance(value, str):
            for mocked, real in self.real_arns.items():
                value = value.replace(mocked, real)
        return value

    def verify_function(self, r: RecordedResource) -> None:
        name = str(r.inputs.get("name"))
        path = self._path(r, "rotation")
        live = self.call("lambda", "get_function_configuration", FunctionName=name)
        self.rec.compare()
        if live is None:
            self.rec.finding(
                "aws.function.missing",
                name,
                path,
                f"function {name} does not exist",
                expected={"FunctionName": name},
                live=None,
            )
            return
        i = r.inputs
        expected: dict[str, Any] = {
            "Role": i.get("role"),
            "Handler": i.get("handler"),
            "Runtime": i.get("runtime"),
            "Timeout": _int(i.get("timeout")),
            "MemorySize": _int(i.get("memorySize")),
            "Environment": {
                k: self._real(v)
                for k, v in ((i.get("environment") or {}).get("variables") or {}).items()
            },
        }
        got: dict[str, Any] = {
            "Role": live.get("Role"),
            "Handler": live.get("Handler"),
            "Runtime": live.get("Runtime"),
            "Timeout": live.get("Timeout"),
            "MemorySize": live.get("MemorySize"),
            "Environment": (live.get("Environment") or {}).get("Variables") or {},
        }
        logging_config = i.get("loggingConfig")
        if isinstance(logging_config, dict) and live.get("LoggingConfig") is not None:
            expected["LogGroup"] = logging_config.get("logGroup")
            got["LogGroup"] = live["LoggingConfig"].get("LogGroup")
        vpc = i.get("vpcConfig")
        if isinstance(vpc, dict):
            expected["Vpc"] = {
                "SubnetIds": sorted(vpc.get("subnetIds") or []),
                "SecurityGroupIds": sorted(vpc.get("securityGroupIds") or []),
            }
            live_vpc = live.get("VpcConfig") or {}
            got["Vpc"] = {
                "SubnetIds": sorted(live_vpc.get("SubnetIds") or []),
                "SecurityGroupIds": sorted(live_vpc.get("SecurityGroupIds") or []),
            }
        if i.get("layers"):
            expected["Layers"] = sorted(_layer_name(x) for x in i["layers"])
            got["Layers"] = sorted(_layer_name(x["Arn"]) for x in live.get("Layers") or [])
        differing = sorted(k for k in expected if expected[k] != got.get(k))
        if differing:
            self.rec.finding(
                "aws.function.config",
                name,
                path,
                f"function {name}: {', '.join(differing)} differ",
                expected={k: expected[k] for k in differing},
                live={k: got.get(k) for k in differing},
            )
        self.verify_code(r, name, path)

    def verify_code(self, r: RecordedResource, name: str, path: tuple[str, ...]) -> None:
        """The deployed zip's files against the packaged ones (lambda_code says why)."""
        from seccat.datafiles import SOURCE_ROOT

        expected = lambda_code.expected_files(r.inputs.get("code"), SOURCE_ROOT)
        if expected is None:
            return
        got = self.call("lambda", "get_function", FunctionName=name)
        if got is None:  # deleted since its configuration was read
            return
        self.rec.compare()
        sha = str((got.get("Configuration") or {}).get("CodeSha256") or "")
        location = (got.get("Code") or {}).get("Location")
        if sha not in self.deployed_code:
            if not isinstance(location, str) or not location:
                kind = (got.get("Configuration") or {}).get("PackageType") or "unknown"
                self.rec.finding(
                    "aws.function.code",
                    name,
                    path,
                    f"function {name}: its code is not a zip package (package type {kind})",
                    expected={"files": expected},
                    live={"packageType": kind},
                )
                return
            try:
                data = lambda_code.download(location)
                if lambda_code.code_sha256(data) != sha:
                    raise lambda_code.CodeError(
                        "the downloaded package is not the one the function runs "
                        "(its SHA-256 differs from CodeSha256)"
                    )
                self.deployed_code[sha] = lambda_code.deployed_files(data)
            except lambda_code.CodeError as exc:
                raise OperationError(f"{self.env}: function {name}: {exc}") from None
        live = self.deployed_code[sha]
        differing = lambda_code.differences(expected, live)
        if differing:
            names = lambda_code.named(differing)
            self.rec.finding(
                "aws.function.code",
                name,
                path,
                f"function {name}: deployed code differs from the packaged files: "
                + lambda_code.described(differing),
                expected={"files": {k: v for k, v in expected.items() if k in names}},
                live={"files": {k: v for k, v in live.items() if k in names}},
            )

    # -- IAM ------------------------------------------------------------------------------

    def verify_role(
        self,
        r: RecordedResource,
        inline: list[RecordedResource],
        attachments: list[RecordedResource],
    ) -> None:
        name = str(r.inputs.get("name"))
        trust_path = self._trust_path(r)
        role = self.call("iam", "get_role", RoleName=name)
        self.rec.compare()
        if role is None:
            self.rec.finding(
                "aws.role.missing",
                name,
                self._path(r),
                f"role {name} does not exist",
                expected={"RoleName": name},
                live=None,
            )
            return
        live_trust = parse_document(role["Role"].get("AssumeRolePolicyDocument"))
        self.rec.compare()
        if not policies_equal(r.inputs.get("assumeRolePolicy"), live_trust):
            self.rec.finding(
                "aws.role.trust",
                name,
                trust_path,
                f"the trust policy of role {name} differs from the generated document",
                expected=normalise_policy(r.inputs.get("assumeRolePolicy")),
                live=normalise_policy(live_trust),
                diff=policy_diff(r.inputs.get("assumeRolePolicy"), live_trust),
            )
        for policy in inline:
            self.verify_inline_policy(name, policy)
        listed = self._paged("iam", "list_role_policies", "PolicyNames", RoleName=name)
        wanted = {str(p.inputs.get("name")) for p in inline}
        for extra in sorted(set(listed) - wanted):
            self.rec.compare()
            got = self.call("iam", "get_role_policy", RoleName=name, PolicyName=extra) or {}
            self.rec.finding(
                "aws.role.inline-policy",
                f"{name}/{extra}",
                self._path(r),
                f"role {name} has an inline policy {extra} that seccat does not generate",
                expected=None,
                live=normalise_policy(parse_document(got.get("PolicyDocument"))),
            )
        attached = self._paged(
            "iam", "list_attached_role_policies", "AttachedPolicies", RoleName=name
        )
        allowed = {str(a.inputs.get("policyArn")) for a in attachments}
        extra_arns = sorted(p["PolicyArn"] for p in attached if p["PolicyArn"] not in allowed)
        self.rec.compare()
        if extra_arns:
            self.rec.finding(
                "aws.role.attached-policy",
                name,
                self._path(r),
                f"role {name} has managed policies attached: {', '.join(extra_arns)}",
                expected=sorted(allowed),
                live=sorted(p["PolicyArn"] for p in attached),
            )

    def verify_inline_policy(self, role: str, r: RecordedResource) -> None:
        policy_name = str(r.inputs.get("name"))
        got = self.call("iam", "get_role_policy", RoleName=role, PolicyName=policy_name)
        live = parse_document(got.get("PolicyDocument")) if got else None
        expected = r.inputs.get("policy")
        self.rec.compare()
        if not policies_equal(expected, live):
            self.rec.finding(
                "aws.role.inline-policy",
                f"{role}/{policy_name}",
                self._path(r),
                f"inline policy {policy_name} of role {role} "
                + ("is missing" if live is None else "differs from the generated document"),
                expected=normalise_policy(expected),
                live=normalise_policy(live),
                diff=policy_diff(expected, live),
            )

    def _trust_path(self, r: RecordedResource) -> tuple[str, ...]:
        ref = tuple(r.catalog_ref or ("environments", self.env))
        if ref[0] == "services":
            return self.t.best_path(
                (*ref, "environments", self.env, "aws", "trust"), (*ref, "aws", "trust"), ref
            )
        return self._path(r, "rotation")

    def _paged(self, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.conn.client(service)
        out: list[Any] = []
        try:
            for page in client.get_paginator(operation).paginate(**kwargs):
                out.extend(page.get(key) or [])
        except ClientError as exc:
            if error_code(exc) in _MISSING:
                return out
            raise OperationError(aws_failure(exc, f"{self.env}: {service} {operation}")) from None
        except BotoCoreError as exc:
            raise OperationError(f"{self.env}: {service} {operation}: {exc}") from None
        return out


def _layer_name(arn: str) -> str:
    """``arn:aws:lambda:r:a:layer:name:3`` -> ``name`` (the version is AWS's counter)."""
    parts = arn.split(":")
    return parts[6] if len(parts) > 6 else arn


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
