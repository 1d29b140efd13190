"""Every Secrets Manager secret has a rotation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import StackValidationArgs

from policies.framework import Rule, StackViolation
from policies.props import get
from policies.rules._types import SECRET, SECRET_ROTATION
from policies.stack import known, name_of, of_type, rotations_by_secret


def check(args: StackValidationArgs, config: Mapping[str, Any]) -> Iterator[StackViolation]:
    resources = args.resources
    rotations = rotations_by_secret(resources)
    for secret in of_type(resources, SECRET):
        rotation = rotations.get(secret.urn)
        if rotation is None:
            yield StackViolation(f"secret {name_of(secret)!r} has no SecretRotation", secret.urn)
        elif known(lambda r=rotation: get(r.props, "rotationEnabled")) is False:
            yield StackViolation(
                f"rotation of secret {name_of(secret)!r} is disabled (rotationEnabled: false)",
                rotation.urn,
            )


RULE = Rule(
    id="SECCAT-AWS-002",
    title="Every secret has a rotation",
    description=(
        "Each aws.secretsmanager.Secret must have an enabled SecretRotation (AWS Config "
        "secretsmanager-rotation-enabled-check / Security Hub SecretsManager.1; Checkov "
        "CKV2_AWS_57)."
    ),
    severity="high",
    enforcement="mandatory",
    scope="stack",
    resource_types=(SECRET, SECRET_ROTATION),
    controls=(
        "pci-dss-4.0.1:8.6.3",
        "pci-dss-4.0.1:8.3.9",
        "nist-800-53-r5:AC-2(1)",
        "nist-800-53-r5:AC-3(15)",
        "soc2:CC6.1",
        "soc2:CC6.2",
    ),
    remediation=(
        "Give the secret a rotation in the catalog; seccat then creates the SecretRotation "
        "with its rotation function. An externally issued secret (generic, certificate) that "
        "no function can rotate needs a catalog waiver naming the manual procedure."
    ),
    check=check,
)
