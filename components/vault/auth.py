"""How services log in: AWS IAM auth bound to each service's role, and Kubernetes auth when
the catalog names a namespace and service account. One backend of each kind per environment,
so a login for one environment can never yield a token for another; the AWS mount requires
the environment's X-Vault-AWS-IAM-Server-ID in every signed login and each Kubernetes role the
environment's token audience, so a login made for another Vault cannot be replayed here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_vault as vault

from seccat.catalog.model import Service
from seccat.components.context import PlatformContext
from seccat.components.vault.policies import Policies
from seccat.documents import logical_names as logical
from seccat.documents import vault_layout as layout
from seccat.documents.aws_plan import service_role
from seccat.documents.iam import role_arn
from seccat.documents.names import require
from seccat.documents.vault_lifetimes import TOKEN_TTL_CEILING, token_ttl
from seccat.documents.vault_policy import consuming_services, consumptions


@dataclass(frozen=True)
class AuthBackends:
    """The environment's auth mounts: the resources in the platform stack, their paths
    (the same names) in a team stack, which creates roles on them."""

    aws: vault.AuthBackend | None
    kubernetes: vault.AuthBackend | None
    #: The AWS mount's client configuration (server-id header, STS endpoint): roles and
    #: logins wait for it.
    aws_client: vault.aws.AuthBackendClient | None = None
    aws_path: pulumi.Input[str] = ""
    kubernetes_path: pulumi.Input[str] | None = None


def needs_kubernetes(ctx: PlatformContext) -> bool:
    """Whether the environment has a Kubernetes auth mount: a consumer logs in from a pod."""
    consumers = consuming_services(ctx.catalog, ctx.env)
    return any(ctx.catalog.service_in(s, ctx.env.name).kubernetes for s in consumers)


def backend_names(ctx: PlatformContext) -> AuthBackends:
    """The platform stack's auth mounts, by path, for a team stack."""
    return AuthBackends(
        None,
        None,
        None,
        aws_path=layout.aws_auth_path(ctx.env),
        kubernetes_path=layout.kubernetes_auth_path(ctx.env) if needs_kubernetes(ctx) else None,
    )


def sts_endpoint(region: str) -> str:
    """The regional STS endpoint AWS IAM logins are signed for and Vault forwards them to."""
    return f"https://sts.{require(region, 'region')}.amazonaws.com"


def _tune() -> vault.AuthBackendTuneArgs:
    # The backend's own ceiling, so no role can ever issue longer-lived tokens.
    return vault.AuthBackendTuneArgs(
        default_lease_ttl=f"{TOKEN_TTL_CEILING.default}s",
        max_lease_ttl=f"{TOKEN_TTL_CEILING.max}s",
        token_type="default-service",
    )


def build_auth_backends(
    ctx: PlatformContext, depends_on: Sequence[pulumi.Resource]
) -> AuthBackends:
    env = ctx.env.name
    aws_backend = vault.AuthBackend(
        logical.vault_aws_auth(env),
        type="aws",
        path=layout.aws_auth_path(ctx.env),
        description=f"seccat: AWS IAM logins for {env} services and rotators",
        tune=_tune(),
        opts=ctx.child_opts(depends_on=list(depends_on)),
    )
    # Every IAM login must sign X-Vault-AWS-IAM-Server-ID with this environment's value, so
    # a signed GetCallerIdentity captured from (or made for) another Vault or another
    # environment's mount is refused here. The request is signed for the environment's
    # regional STS endpoint, where Vault sends it on.
    aws_client = None
    if ctx.env.aws is not None:
        aws_client = vault.aws.AuthBackendClient(
            logical.vault_aws_auth_client(env),
            backend=aws_backend.path,
            iam_server_id_header_value=require(ctx.env.vault.aws_auth_header, "header_value"),
            sts_endpoint=sts_endpoint(ctx.region),
            sts_region=ctx.region,
            opts=ctx.child_opts(depends_on=[aws_backend]),
        )
    k8s_backend = None
    if needs_kubernetes(ctx):
        k8s_backend = vault.AuthBackend(
            logical.vault_kubernetes_auth(env),
            type="kubernetes",
            path=layout.kubernetes_auth_path(ctx.env),
            description=f"seccat: Kubernetes service-account logins for {env}",
            tune=_tune(),
            opts=ctx.child_opts(depends_on=list(depends_on)),
        )
    return AuthBackends(
        aws_backend,
        k8s_backend,
        aws_client,
        aws_path=aws_backend.path,
        kubernetes_path=k8s_backend.path if k8s_backend is not None else None,
    )


def service_role_arn(ctx: PlatformContext, service: Service) -> str:
    """The IAM role the AWS components create for the service (or the catalog's own)."""
    return role_arn(ctx.account_id, service_role(service, ctx.env.name))


def build_service_roles(
    ctx: PlatformContext,
    policies: Policies,
    backends: AuthBackends,
    iam_roles: Mapping[str, pulumi.Resource],
) -> None:
    env = ctx.env
    consumed_by = consumptions(ctx.catalog, env)
    for name, policy in sorted(policies.services.items()):
        if not ctx.stack.holds_service(name):
            continue
        service = ctx.catalog.service_in(name, env.name)
        consumed = [secret.classification for secret, _ in consumed_by.get(name, ())]
        ttl = token_ttl(consumed)
        # Only a service with an IAM role (created from aws.trust, or its own aws.role_name)
        # can log in through AWS auth.
        if service.aws is not None and (service.aws.trust or service.aws.role_name):
            vault.aws.AuthBackendRole(
                logical.vault_aws_role(env.name, name),
                backend=backends.aws_path,
                role=require(name, "name"),
                auth_type="iam",
                bound_iam_principal_arns=[service_role_arn(ctx, service)],
                # Bind the role's unique id, so a deleted and re-created role of the same
                # name does not inherit access.
                resolve_aws_unique_ids=True,
                token_policies=[policy.name],
                token_ttl=ttl.default,
                token_max_ttl=ttl.max,
                token_type="service",
                opts=ctx.child_opts(depends_on=ctx.local(iam_roles.get(name), backends.aws_client)),
            )
        k8s = service.kubernetes
        if k8s is not None and backends.kubernetes_path is not None:
            vault.kubernetes.AuthBackendRole(
                logical.vault_kubernetes_role(env.name, name),
                backend=backends.kubernetes_path,
                role_name=require(name, "name"),
                bound_service_account_names=[require(k8s.service_account, "k8s_name")],
                bound_service_account_namespaces=[require(k8s.namespace, "k8s_name")],
                # Only tokens minted for this environment's Vault (a projected service-account
                # token with this audience): a token for the cluster's API server, another
                # service or another environment's Vault is refused.
                audience=require(env.vault.kubernetes_audience, "k8s_audience"),
                token_policies=[policy.name],
                token_ttl=ttl.default,
                token_max_ttl=ttl.max,
                token_type="service",
                opts=ctx.child_opts(),
            )
