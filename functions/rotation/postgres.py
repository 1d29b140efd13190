"""Rotation Lambda for PostgreSQL logins (catalog ``type: database``).

Entry point: ``rotation.postgres.handler``. Strategies (``SECCAT_DB_STRATEGY``):

* ``single-user``: the login changes its own password (AWS's "single user" scheme); clients
  holding the old password fail until they re-read the secret. Falls back to the superuser
  secret (if configured) when neither pending, current nor previous password logs in.
* ``alternating-users``: the superuser secret alters the *other* of two logins (``username``
  and ``username_clone`` or the catalog's ``alternate_username``), creating it on first use as
  a member of the current login (``GRANT current TO clone``) so it has the same privileges.
  The previous login keeps working until the next rotation: zero downtime for consumers.

The secret value is the JSON of AWS's RDS rotation functions, so AWS tooling reads it too::

    {"engine": "postgres", "host": ..., "port": 5432, "dbname": ..., "username": ...,
     "password": ..., "masterarn": <superuser secret ARN, when configured>}

Connection settings come from non-secret ``SECCAT_DB_*`` environment variables (the catalog is
the source of truth), never from a value someone could tamper with in the secret.

Passwords never travel as SQL text: ``ALTER ROLE ... PASSWORD`` receives a SCRAM-SHA-256
verifier computed here, so not even ``log_statement = all`` or ``pg_stat_activity`` on the
server can show a password, and the literal holds only base64 characters. The driver is
pg8000, pure Python, so it vendors into the Lambda package for any architecture (psycopg needs
a native libpq built for the Lambda's CPU).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pg8000.exceptions
import pg8000.native

from rotation.common import (
    CURRENT,
    RotationError,
    SecretVersions,
    get_secret_string,
    logger,
    rotate,
)
from rotation.generator import GenerateSpec, generate_value

ENV_STRATEGY = "SECCAT_DB_STRATEGY"
ENV_HOST = "SECCAT_DB_HOST"
ENV_PORT = "SECCAT_DB_PORT"
ENV_DBNAME = "SECCAT_DB_NAME"
ENV_USERNAME = "SECCAT_DB_USERNAME"
ENV_ALTERNATE_USERNAME = "SECCAT_DB_ALTERNATE_USERNAME"
ENV_MASTER_ARN = "SECCAT_DB_MASTER_SECRET_ARN"
ENV_SSLMODE = "SECCAT_DB_SSLMODE"
ENV_SSL_ROOT_CERT = "SECCAT_DB_SSL_ROOT_CERT"
ENV_CONNECT_TIMEOUT = "SECCAT_DB_CONNECT_TIMEOUT"

Strategy = Literal["single-user", "alternating-users"]
SslMode = Literal["disable", "require", "verify-full"]

USERNAME_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_DBNAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}")
_ARN_RE = re.compile(
    r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}"
)
_VERIFIER_RE = re.compile(r"SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+")
#: Characters that break connection URLs and shell quoting (AWS's templates exclude the same).
URL_UNSAFE = ":/@\"'\\"
#: SQLSTATEs meaning "these credentials do not log in" rather than "the server is unreachable".
_LOGIN_REFUSED = {"28P01", "28000"}
_SCRAM_ITERATIONS = 4096


def _env(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _valid_username(name: str, what: str) -> str:
    if not USERNAME_RE.fullmatch(name):
        raise RotationError(f"{what} must match [a-z_][a-z0-9_]{{0,62}}")
    return name


@dataclass(frozen=True)
class DbConfig:
    """The rotation's fixed settings, from the catalog through environment variables."""

    strategy: Strategy
    host: str
    port: int
    dbname: str
    username: str
    alternate_username: str | None = None
    master_arn: str | None = None
    sslmode: SslMode = "require"
    ssl_root_cert: str | None = None
    connect_timeout: int = 10
    generate: GenerateSpec = field(default_factory=GenerateSpec)

    def __post_init__(self) -> None:
        if self.strategy not in ("single-user", "alternating-users"):
            raise RotationError(f"{ENV_STRATEGY} must be single-user or alternating-users")
        if not _HOST_RE.fullmatch(self.host):
            raise RotationError(f"{ENV_HOST} is not a valid host name")
        if not 1 <= self.port <= 65535:
            raise RotationError(f"{ENV_PORT} must be a TCP port")
        if not _DBNAME_RE.fullmatch(self.dbname):
            raise RotationError(f"{ENV_DBNAME} is not a valid database name")
        _valid_username(self.username, ENV_USERNAME)
        _valid_username(self.clone_username, "the alternate username")
        if self.clone_username == self.username:
            raise RotationError("the alternate username must differ from the username")
        if self.master_arn is not None and not _ARN_RE.fullmatch(self.master_arn):
            raise RotationError(f"{ENV_MASTER_ARN} is not a Secrets Manager secret ARN")
        if self.strategy == "alternating-users" and self.master_arn is None:
            raise RotationError(f"alternating-users needs the superuser secret: {ENV_MASTER_ARN}")
        if self.sslmode not in ("disable", "require", "verify-full"):
            raise RotationError(f"{ENV_SSLMODE} must be disable, require or verify-full")

    @property
    def clone_username(self) -> str:
        return self.alternate_username or f"{self.username}_clone"

    def other_username(self, username: str) -> str:
        if username == self.username:
            return self.clone_username
        if username == self.clone_username:
            return self.username
        raise RotationError(
            f"current login {username!r} is neither {self.username!r} nor "
            f"{self.clone_username!r}; refusing to rotate an unknown user"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DbConfig:
        env = os.environ if env is None else env
        required = (ENV_STRATEGY, ENV_HOST, ENV_DBNAME, ENV_USERNAME)
        missing = [n for n in required if not _env(env, n)]
        if missing:
            raise RotationError(f"missing environment variables: {', '.join(missing)}")
        try:
            port = int(_env(env, ENV_PORT) or "5432")
            timeout = int(_env(env, ENV_CONNECT_TIMEOUT) or "10")
        except ValueError:
            raise RotationError(f"{ENV_PORT} and {ENV_CONNECT_TIMEOUT} must be integers") from None
        return cls(
            strategy=env[ENV_STRATEGY].strip(),  # type: ignore[arg-type]
            host=env[ENV_HOST].strip(),
            port=port,
            dbname=env[ENV_DBNAME].strip(),
            username=env[ENV_USERNAME].strip(),
            alternate_username=_env(env, ENV_ALTERNATE_USERNAME),
            master_arn=_env(env, ENV_MASTER_ARN),
            sslmode=(_env(env, ENV_SSLMODE) or "require"),  # type: ignore[arg-type]
            ssl_root_cert=_env(env, ENV_SSL_ROOT_CERT),
            connect_timeout=timeout,
            generate=GenerateSpec.from_env(env).with_excluded(URL_UNSAFE),
        )


@dataclass(frozen=True)
class Credentials:
    """One version of a database secret."""

    host: str
    port: int
    dbname: str
    username: str
    password: str = field(repr=False)
    masterarn: str | None = None

    @classmethod
    def parse(cls, text: str, what: str) -> Credentials:
        """Parse a SecretString; errors name ``what`` (an ARN/stage), never the content."""
        try:
            data = json.loads(text)
        except ValueError:
            raise RotationError(f"{what} is not JSON") from None
        if not isinstance(data, dict):
            raise RotationError(f"{what} is not a JSON object")
        try:
            username, password = data["username"], data["password"]
        except KeyError:
            raise RotationError(f"{what} lacks username or password") from None
        if not isinstance(username, str) or not isinstance(password, str) or not password:
            raise RotationError(f"{what} has an invalid username or password")
        try:
            port = int(data.get("port", 5432))
        except (TypeError, ValueError):
            raise RotationError(f"{what} has an invalid port") from None
        return cls(
            host=str(data.get("host", "")),
            port=port,
            dbname=str(data.get("dbname") or "postgres"),
            username=username,
            password=password,
            masterarn=data.get("masterarn"),
        )

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "engine": "postgres",
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "username": self.username,
            "password": self.password,
        }
        if self.masterarn:
            data["masterarn"] = self.masterarn
        return json.dumps(data)


def scram_sha256_verifier(password: str, iterations: int = _SCRAM_ITERATIONS) -> str:
    """The verifier PostgreSQL stores for ``password`` (RFC 5802/7677, as libpq computes it).

    Only printable ASCII is accepted: for it SASLprep is the identity, so the server's check
    matches. Generated passwords are always printable ASCII.
    """
    if not (password.isascii() and password.isprintable()):
        raise RotationError("refusing a password that is not printable ASCII")
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", "sha256").digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _password_literal(password: str) -> str:
    verifier = scram_sha256_verifier(password)
    if not _VERIFIER_RE.fullmatch(verifier):  # belt and braces: only base64 reaches SQL
        raise RotationError("internal error: malformed SCRAM verifier")
    return pg8000.native.literal(verifier)


def _ident(username: str) -> str:
    return pg8000.native.identifier(_valid_username(username, "username"))


class PostgresRotator:
    def __init__(self, config: DbConfig, client: Any) -> None:
        self.config = config
        self.client = client

    # -- connections -----------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext | None:
        if self.config.sslmode == "disable":
            return None
        context = ssl.create_default_context(cafile=self.config.ssl_root_cert)
        if self.config.sslmode == "require":  # encrypt, like libpq's sslmode=require
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def connect(self, username: str, password: str) -> pg8000.native.Connection | None:
        """A connection to the configured server, or None when the login is refused.

        Any other failure (unreachable, TLS) raises: falling through to another credential on
        a network error could make single-user rotation pick the wrong path.
        """
        try:
            return pg8000.native.Connection(
                user=username,
                password=password,
                host=self.config.host,
                port=self.config.port,
                database=self.config.dbname,
                ssl_context=self._ssl_context(),
                timeout=self.config.connect_timeout,
                application_name="seccat-rotation",
            )
        except pg8000.exceptions.DatabaseError as exc:
            info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            if info.get("C") in _LOGIN_REFUSED:
                return None
            raise RotationError(
                f"PostgreSQL {self.config.host}:{self.config.port} refused {username!r}: "
                f"SQLSTATE {info.get('C', '?')}"
            ) from None
        except (pg8000.exceptions.InterfaceError, OSError) as exc:
            raise RotationError(
                f"cannot reach PostgreSQL {self.config.host}:{self.config.port}: "
                f"{type(exc).__name__}"
            ) from None

    def _master(self) -> pg8000.native.Connection:
        arn = self.config.master_arn
        if arn is None:
            raise RotationError("no superuser secret configured")
        text = get_secret_string(self.client, arn, CURRENT)
        if text is None:
            raise RotationError(f"superuser secret {arn} has no AWSCURRENT value")
        master = Credentials.parse(text, f"superuser secret {arn}")
        # Confused-deputy guard (as AWS's templates): the superuser must be for this server.
        if master.host and master.host != self.config.host:
            raise RotationError(f"superuser secret {arn} is for another host")
        conn = self.connect(master.username, master.password)
        if conn is None:
            raise RotationError(f"superuser secret {arn} does not log in")
        return conn

    # -- values ------------------------------------------------------------------------------

    def _credentials(self, username: str, password: str) -> Credentials:
        return Credentials(
            host=self.config.host,
            port=self.config.port,
            dbname=self.config.dbname,
            username=username,
            password=password,
            masterarn=self.config.master_arn,
        )

    def _parse(self, text: str | None, versions: SecretVersions, stage: str) -> Credentials | None:
        return None if text is None else Credentials.parse(text, f"{versions.arn} {stage}")

    def new_value(self, current: str | None) -> str:
        password = generate_value(self.config.generate)
        if current is None or self.config.strategy == "single-user":
            username = self.config.username
        else:
            username = self.config.other_username(
                Credentials.parse(current, "the AWSCURRENT version").username
            )
        return self._credentials(username, password).to_json()

    # -- steps -------------------------------------------------------------------------------

    def bootstrap(self, versions: SecretVersions, value: str) -> None:
        """First value: only the superuser can set a password nobody knows yet."""
        pending = Credentials.parse(value, "the new value")
        if self.config.master_arn is None:
            raise RotationError(
                f"{versions.arn} has no value and no superuser secret is configured: seed it "
                "with the current login as JSON (engine, host, port, dbname, username, "
                "password), then rotate"
            )
        conn = self._master()
        try:
            self._upsert_role(conn, pending, member_of=None)
        finally:
            conn.close()
        logger.info("createSecret: first login %s set up for %s", pending.username, versions.arn)

    def set(self, versions: SecretVersions) -> None:
        pending = Credentials.parse(versions.require_pending(), f"{versions.arn} AWSPENDING")
        self._check_target(pending)
        conn = self.connect(pending.username, pending.password)
        if conn is not None:
            conn.close()
            logger.info("setSecret: pending login already works for %s", versions.arn)
            return
        if self.config.strategy == "single-user":
            self._set_single_user(versions, pending)
        else:
            self._set_alternating(versions, pending)

    def _check_target(self, pending: Credentials) -> None:
        """Only ever touch the configured server and logins."""
        if (pending.host, pending.port, pending.dbname) != (
            self.config.host,
            self.config.port,
            self.config.dbname,
        ):
            raise RotationError("the pending version is for another server or database")
        allowed = {self.config.username}
        if self.config.strategy == "alternating-users":
            allowed.add(self.config.clone_username)
        if pending.username not in allowed:
            raise RotationError(
                f"the pending version names an unexpected login {pending.username!r}"
            )

    def _set_single_user(self, versions: SecretVersions, pending: Credentials) -> None:
        for stage in ("AWSCURRENT", "AWSPREVIOUS"):
            text = versions.current if stage == "AWSCURRENT" else versions.previous
            known = self._parse(text, versions, stage)
            if known is None or known.username != pending.username:
                continue
            conn = self.connect(known.username, known.password)
            if conn is not None:
                logger.info(
                    "setSecret: %s changes its own password (%s login)", known.username, stage
                )
                try:
                    conn.run(
                        f"ALTER ROLE {_ident(pending.username)} WITH PASSWORD "
                        f"{_password_literal(pending.password)}"
                    )
                finally:
                    conn.close()
                return
        if self.config.master_arn is None:
            raise RotationError(
                f"cannot log in to {self.config.host} as {pending.username} with the pending, "
                f"current or previous version of {versions.arn}"
            )
        logger.info("setSecret: no version of %s logs in, using the superuser", versions.arn)
        conn = self._master()
        try:
            self._upsert_role(conn, pending, member_of=None)
        finally:
            conn.close()

    def _set_alternating(self, versions: SecretVersions, pending: Credentials) -> None:
        current = self._parse(versions.current, versions, "AWSCURRENT")
        if current is None:  # bootstrapped into a value-less rotation stub
            member_of = None
        else:
            if self.config.other_username(current.username) != pending.username:
                raise RotationError(
                    f"pending login {pending.username!r} is not the alternate of "
                    f"{current.username!r}"
                )
            # Confused-deputy guard (as AWS's template): rotate only from working credentials.
            check = self.connect(current.username, current.password)
            if check is None:
                raise RotationError(
                    f"the AWSCURRENT version of {versions.arn} does not log in; "
                    "refusing to use the superuser"
                )
            check.close()
            member_of = current.username
        conn = self._master()
        try:
            self._upsert_role(conn, pending, member_of=member_of)
        finally:
            conn.close()
        logger.info("setSecret: login %s updated for %s", pending.username, versions.arn)

    def _upsert_role(
        self, conn: pg8000.native.Connection, creds: Credentials, member_of: str | None
    ) -> None:
        """Create the login (member of ``member_of``, so it has the same privileges) or reset it."""
        exists = conn.run("SELECT 1 FROM pg_roles WHERE rolname = :name", name=creds.username)
        password = _password_literal(creds.password)
        if exists:
            conn.run(f"ALTER ROLE {_ident(creds.username)} WITH LOGIN PASSWORD {password}")
            return
        conn.run(f"CREATE ROLE {_ident(creds.username)} WITH LOGIN PASSWORD {password}")
        if member_of is not None:
            conn.run(f"GRANT {_ident(member_of)} TO {_ident(creds.username)}")

    def test(self, versions: SecretVersions) -> None:
        pending = Credentials.parse(versions.require_pending(), f"{versions.arn} AWSPENDING")
        self._check_target(pending)
        conn = self.connect(pending.username, pending.password)
        if conn is None:
            raise RotationError(
                f"the pending version of {versions.arn} does not log in as {pending.username}"
            )
        try:
            rows = conn.run("SELECT current_user, 1")
        finally:
            conn.close()
        if not rows or rows[0] != [pending.username, 1]:
            raise RotationError(f"the pending login of {versions.arn} returned an unexpected row")


def handler(event: Mapping[str, Any], context: object = None) -> None:
    from rotation.common import secretsmanager_client

    client = secretsmanager_client()
    rotate(event, PostgresRotator(DbConfig.from_env(), client), client_factory=lambda: client)
