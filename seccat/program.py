"""The Pulumi program. `__main__.py` calls `main()` under the Pulumi CLI, and the offline
engine calls the very same function under the mock monitor."""

from __future__ import annotations

from pathlib import Path

import pulumi

from components.platform import SecretsPlatform
from seccat.catalog.diagnostics import CatalogError
from seccat.catalog.loader import load_catalog
from seccat.catalog.model import Catalog


def main(catalog: Catalog | None = None) -> None:
    """Build the stack. The offline engine passes the catalog it already validated; under
    the Pulumi CLI it is read from the `seccat:catalog` config (default catalog.yaml)."""
    catalog_path = pulumi.Config("seccat").get("catalog") or "catalog.yaml"
    environment = pulumi.get_stack()
    if catalog is None:
        try:
            catalog = load_catalog(Path(catalog_path))
        except CatalogError as exc:  # unreadable or invalid: located diagnostics, no traceback
            raise pulumi.RunError(str(exc)) from None
    if environment not in catalog.environments:
        known = ", ".join(sorted(catalog.environments))
        raise pulumi.RunError(
            f"stack {environment!r} names no environment in {catalog_path} (known: {known})"
        )
    platform = SecretsPlatform(f"seccat-{environment}", catalog, environment)
    pulumi.export("environment", environment)
    pulumi.export("kmsKeyArn", platform.kms_key.arn)
    pulumi.export("alarmTopicArn", platform.alarm_topic.arn)
