"""Explicit AWS providers (a replica region's) with the stack's provider settings.

The default provider reads the `aws:*` stack config; an explicit one reads none of it. A
replica-region provider built from the region alone would drop the account guard
(`aws:allowedAccountIds`, so another account's credentials could create the replica key)
and, in a local run, the endpoint overrides (sending requests meant for LocalStack or moto to
AWS). It gets the same settings, with only the region changed.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

#: `aws:<key>` stack config -> aws.Provider argument, by how the config is read.
_OBJECTS = {
    "allowedAccountIds": "allowed_account_ids",
    "forbiddenAccountIds": "forbidden_account_ids",
    "endpoints": "endpoints",
    "assumeRoles": "assume_roles",
    "defaultTags": "default_tags",
    "ignoreTags": "ignore_tags",
}
_BOOLS = {
    "skipCredentialsValidation": "skip_credentials_validation",
    "skipRequestingAccountId": "skip_requesting_account_id",
    "skipMetadataApiCheck": "skip_metadata_api_check",
}
_STRINGS = {"profile": "profile", "stsRegion": "sts_region"}


def inherited_settings() -> dict[str, Any]:
    """The default provider's settings an explicit provider must carry too."""
    config = pulumi.Config("aws")
    settings: dict[str, Any] = {}
    for key, arg in _OBJECTS.items():
        value = config.get_object(key)
        if value is not None:
            settings[arg] = value
    for key, arg in _BOOLS.items():
        flag = config.get_bool(key)
        if flag is not None:
            settings[arg] = flag
    for key, arg in _STRINGS.items():
        text = config.get(key)
        if text is not None:
            settings[arg] = text
    return settings


def regional_provider(
    name: str, region: str, opts: pulumi.ResourceOptions | None = None
) -> aws.Provider:
    """An AWS provider for ``region`` with everything else as the stack configures it."""
    return aws.Provider(name, region=region, opts=opts, **inherited_settings())
