"""The Pulumi program. `__main__.py` calls `main()` under the Pulumi CLI, and the offline
engine calls the very same function under the mock monitor."""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.platform import SecretsPlatform
from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog


def main() -> None:
    config = pulumi.Config("seccat")
    catalog_path = config.get("catalog") or "catalog.yaml"
    environment = pulumi.get_stack()
    try:
        catalog = load_catalog(Path(catalog_path))
    except CatalogError as exc:
        raise pulumi.RunError(f"the catalog is invalid:\n{exc}") from None
    if environment not in catalog.environments:
        known = ", ".join(sorted(catalog.environments))
        raise pulumi.RunError(
            f"stack {environment!r} names no environment in {catalog_path} (known: {known})"
        )
    platform = SecretsPlatform(f"seccat-{environment}", catalog, environment)
    pulumi.export("environment", environment)
    pulumi.export("kmsKeyArn", platform.kms_key.arn)
    pulumi.export("alarmTopicArn", platform.alarm_topic.arn)
