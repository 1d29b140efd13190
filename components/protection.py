"""Keep data when the catalog changes: protect and retain data-bearing resources.

Component options don't reach children, so SecretsPlatform installs this as a
transformation, which the SDK applies to every descendant (under the real CLI and under the
mock monitor alike, unlike engine-side transforms).
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

#: Resource types that hold data a deletion would lose. Add a type here when a component
#: starts creating one.
DATA_BEARING_TYPES: frozenset[str] = frozenset(
    {
        "aws:kms/key:Key",
        "aws:secretsmanager/secret:Secret",
        "aws:cloudwatch/logGroup:LogGroup",
        "vault:index/mount:Mount",
        "vault:kv/secretBackendV2:SecretBackendV2",
        "vault:generic/endpoint:Endpoint",
        "vault:database/secretsMount:SecretsMount",
        "vault:database/secretBackendConnection:SecretBackendConnection",
        "vault:database/secretBackendStaticRole:SecretBackendStaticRole",
        "vault:index/audit:Audit",
        # Disabling an auth backend revokes every token it issued and drops its roles.
        "vault:index/authBackend:AuthBackend",
    }
)


def protect_data(
    enabled: bool,
) -> Callable[[pulumi.ResourceTransformationArgs], pulumi.ResourceTransformationResult | None]:
    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        if not enabled or args.type_ not in DATA_BEARING_TYPES:
            return None
        opts = pulumi.ResourceOptions.merge(
            args.opts, pulumi.ResourceOptions(protect=True, retain_on_delete=True)
        )
        return pulumi.ResourceTransformationResult(args.props, opts)

    return transform
