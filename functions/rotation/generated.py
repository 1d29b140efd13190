"""Rotation Lambda for generated values (catalog types ``api-key`` and ``password``).

Entry point: ``rotation.generated.handler``.

The stored SecretString is the value itself, not JSON: consumers read it as it is, and an API
key or password needs no envelope. The shape comes from ``SECCAT_GENERATE_*`` environment
variables (length and alphabet, none of them secret).

There is no external system to update, so setSecret has nothing to apply; testSecret checks
the pending value really has the catalog's shape, which catches a value written by hand or by
another tool into the pending version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rotation.common import RotationError, SecretVersions, rotate
from rotation.generator import GenerateSpec, generate_value


class GeneratedRotator:
    def __init__(self, spec: GenerateSpec) -> None:
        self.spec = spec

    def new_value(self, current: str | None) -> str:
        value = generate_value(self.spec)
        # Astronomically unlikely, but a "rotation" to the same value would be silent failure.
        while value == current:
            value = generate_value(self.spec)
        return value

    def bootstrap(self, versions: SecretVersions, value: str) -> None:
        """Nothing to apply: the value is the secret."""

    def set(self, versions: SecretVersions) -> None:
        """Nothing to apply: consumers read the new value from Secrets Manager."""

    def test(self, versions: SecretVersions) -> None:
        pending = versions.require_pending()
        if not self.spec.accepts(pending):
            raise RotationError(
                f"pending version {versions.token} of {versions.arn} does not match the "
                f"catalog's generate settings (length {self.spec.length})"
            )
        if pending == versions.current:
            raise RotationError(
                f"pending version {versions.token} of {versions.arn} repeats the current value"
            )


def handler(event: Mapping[str, Any], context: object = None) -> None:
    rotate(event, GeneratedRotator(GenerateSpec.from_env()))
