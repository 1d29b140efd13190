"""Connections to the live environment: AWS through boto3, Vault/OpenBao through hvac.

AWS: the standard credential chain (environment, profile, SSO, instance or task role), an
endpoint from ``--endpoint-url`` or ``AWS_ENDPOINT_URL`` (botocore reads the variable
itself), the region and account of the catalog environment. Before anything else the caller
is identified with ``sts:GetCallerIdentity`` and a command refuses to act when that account
is not the environment's: prod credentials never touch a dev stack and the reverse.

Vault: ``VAULT_ADDR`` (else the stack file's ``vault:address``), then a token from
``VAULT_TOKEN`` or the token helper file ``~/.vault-token``, or a login through the method
``SECCAT_VAULT_AUTH`` names (``approle``, ``jwt``, ``kubernetes``). The token is checked with
``auth/token/lookup-self`` before use.

Nothing here logs a request: botocore logs whole request bodies (a ``SecretString``) at
DEBUG, so its loggers are pinned at WARNING whatever the root logger says.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seccat.catalog.model import Environment
from seccat.operations.errors import EXIT_USAGE, OperationError, error_code

for _sdk_logger in ("botocore", "boto3", "urllib3", "s3transfer", "hvac"):
    logging.getLogger(_sdk_logger).setLevel(logging.WARNING)

#: botocore retries throttling and 5xx (standard mode); reads are idempotent, and the few
#: writes seccat makes carry a ClientRequestToken or are stage moves checked afterwards.
_RETRIES = {"mode": "standard", "max_attempts": 4}


@dataclass
class AwsConnection:
    """Verified credentials for one environment's account; ``client()`` per service/region.

    ``caller_arn`` is who the commands act as (an assumed-role ARN names the role), shown in
    plans so an operator sees which identity will change the secret.
    """

    environment: str
    account_id: str
    region: str
    caller_arn: str
    session: Any = field(repr=False)
    endpoint_url: str | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        """A boto3 client in ``region`` (the environment's by default); cached, thread-safe
        (clients are, their creation is serialised here)."""
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = _client(self.session, service, key[1], self.endpoint_url)
            return self._clients[key]


def _client(session: Any, service: str, region: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    config = Config(retries=_RETRIES, connect_timeout=10, read_timeout=60)
    kwargs: dict[str, Any] = {"region_name": region, "config": config}
    if endpoint_url:
        kwargs["endpoint_url"] = endpoint_url
    try:
        return session.client(service, **kwargs)
    except ValueError as exc:  # botocore: "Invalid endpoint: <url>" (--endpoint-url or
        # AWS_ENDPOINT_URL, which botocore reads itself), or a region it cannot use
        raise OperationError(f"cannot make an AWS {service} client: {exc}") from None


def connect_aws(
    env: Environment,
    *,
    endpoint_url: str | None = None,
    profile: str | None = None,
    session: Any = None,
) -> AwsConnection:
    """Credentials from the standard chain, checked to belong to ``env``'s account.

    Raises OperationError (exit 2) without credentials, when STS refuses them, or when they
    belong to another account.
    """
    if env.aws is None:
        raise OperationError(f"environment {env.name} has no aws: section in the catalog")
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        session = session or boto3.Session(profile_name=profile)
    except BotoCoreError as exc:
        raise OperationError(f"AWS session: {exc}") from None
    sts = _client(session, "sts", env.aws.region, endpoint_url)
    try:
        identity = sts.get_caller_identity()
    except NoCredentialsError:
        raise OperationError(
            "no AWS credentials: set them the standard way (AWS_PROFILE, environment "
            "variables, SSO, an instance or task role)"
        ) from None
    except ClientError as exc:
        raise OperationError(
            f"sts:GetCallerIdentity refused the credentials: {error_code(exc)}"
        ) from None
    except BotoCoreError as exc:
        raise OperationError(f"sts:GetCallerIdentity failed: {exc}") from None
    account = str(identity.get("Account", ""))
    caller = str(identity.get("Arn", ""))
    if account != env.aws.account_id:
        raise OperationError(
            f"refusing to act on {env.name}: the credentials are {caller} in account "
            f"{account}, but the catalog puts {env.name} in account {env.aws.account_id}",
            EXIT_USAGE,
        )
    return AwsConnection(env.name, account, env.aws.region, caller, session, endpoint_url)


# -- Vault ----------------------------------------------------------------------------------

#: Login methods a non-interactive operator or CI job can use without a token.
VAULT_AUTH_METHODS = ("token", "approle", "jwt", "kubernetes")
ENV_AUTH = "SECCAT_VAULT_AUTH"
ENV_AUTH_MOUNT = "SECCAT_VAULT_AUTH_MOUNT"
ENV_AUTH_ROLE = "SECCAT_VAULT_ROLE"
ENV_JWT_FILE = "SECCAT_VAULT_JWT_FILE"
KUBERNETES_TOKEN = Path("/var/run/secrets/kubernetes.io/serviceaccount/token")


@dataclass
class VaultConnection:
    """An authenticated hvac client; ``auth`` says how it logged in, ``display`` who."""

    client: Any = field(repr=False)
    address: str
    auth: str
    display: str = ""
    verify: Any = True
    namespace: str | None = None

    def with_token(self, token: str) -> Any:
        """Another hvac client on the same server and namespace, acting as ``token``."""
        import hvac

        return hvac.Client(
            url=self.address, token=token, verify=self.verify, namespace=self.namespace, timeout=30
        )


def connect_vault(
    address: str | None = None, environ: Mapping[str, str] | None = None
) -> VaultConnection:
    """Log in to Vault/OpenBao as configured by the environment variables (module docstring).

    Raises OperationError (exit 2) when there is no address, no way to log in, or the server
    refuses the token.
    """
    import hvac
    import hvac.exceptions
    import requests

    env = os.environ if environ is None else environ
    url = env.get("VAULT_ADDR") or address
    if not url:
        raise OperationError(
            "no Vault address: set VAULT_ADDR (or vault:address in the stack file)"
        )
    method = (env.get(ENV_AUTH) or "token").strip().lower()
    if method not in VAULT_AUTH_METHODS:
        raise OperationError(f"{ENV_AUTH}={method!r}: use one of {', '.join(VAULT_AUTH_METHODS)}")
    verify: Any = env.get("VAULT_CACERT") or True
    if verify is not True and not Path(verify).exists():
        # requests would raise a bare OSError from deep inside the first request
        raise OperationError(f"VAULT_CACERT={verify}: no such file or folder of CA certificates")
    namespace = env.get("VAULT_NAMESPACE") or None
    client = hvac.Client(url=url, token=None, namespace=namespace, verify=verify, timeout=30)
    try:
        if method == "token":
            # `export VAULT_TOKEN="$(cat token)"` from a file ending in a newline: the
            # helper file is read the same way (an HTTP header cannot carry the newline)
            token = (env.get("VAULT_TOKEN") or "").strip() or _token_helper_file(env)
            if not token:
                raise OperationError(
                    "no Vault token: set VAULT_TOKEN, log in with `bao login`/`vault login` "
                    f"(~/.vault-token), or set {ENV_AUTH} to a login method"
                )
            if not token.isascii() or not token.isprintable() or " " in token:
                # never quoted: it is a credential
                raise OperationError(
                    "the Vault token holds spaces, control or non-ASCII characters, which no "
                    "token has: check VAULT_TOKEN or ~/.vault-token"
                )
            client.token = token
        else:
            _login(client, method, env)
        info = client.auth.token.lookup_self()["data"]
    except OperationError:
        raise
    except (
        hvac.exceptions.Forbidden,
        hvac.exceptions.Unauthorized,
        hvac.exceptions.InvalidRequest,
    ):
        raise OperationError(f"Vault at {url} refused the {method} credentials") from None
    except hvac.exceptions.VaultError as exc:
        raise OperationError(f"Vault at {url}: {type(exc).__name__}") from None
    except requests.RequestException as exc:
        raise OperationError(f"Vault at {url} cannot be reached: {type(exc).__name__}") from None
    except OSError as exc:  # a CA bundle that cannot be read
        raise OperationError(f"Vault at {url}: {exc.strerror or exc}") from None
    display = str(info.get("display_name") or "")
    return VaultConnection(client, url, method, display, verify, namespace)


def _token_helper_file(env: Mapping[str, str]) -> str | None:
    home = env.get("HOME")
    if not home:
        return None
    path = Path(home) / ".vault-token"
    try:
        return path.read_text().strip() or None
    except OSError:
        return None


def _login(client: Any, method: str, env: Mapping[str, str]) -> None:
    mount = env.get(ENV_AUTH_MOUNT) or method
    role = env.get(ENV_AUTH_ROLE, "")
    if method == "approle":
        role_id, secret_id = env.get("VAULT_ROLE_ID"), env.get("VAULT_SECRET_ID")
        if not role_id or not secret_id:
            raise OperationError("approle login needs VAULT_ROLE_ID and VAULT_SECRET_ID")
        client.auth.approle.login(role_id=role_id, secret_id=secret_id, mount_point=mount)
        return
    if not role:
        raise OperationError(f"{method} login needs {ENV_AUTH_ROLE} (the Vault role)")
    if method == "jwt":
        jwt = _read_token(Path(env.get(ENV_JWT_FILE, "")), ENV_JWT_FILE)
        client.auth.jwt.jwt_login(role=role, jwt=jwt, path=mount)
    else:  # kubernetes
        jwt = _read_token(KUBERNETES_TOKEN, "the service account token")
        client.auth.kubernetes.login(role=role, jwt=jwt, mount_point=mount)


def _read_token(path: Path, what: str) -> str:
    try:
        text = path.read_text().strip() if str(path) not in ("", ".") else ""
    except OSError:
        text = ""
    if not text:
        raise OperationError(f"cannot read a login token from {what} ({path})")
    return text
