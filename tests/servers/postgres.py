"""A throwaway PostgreSQL cluster on a free loopback port, with real password checks.

Rotation tests must prove that a password really logs in (or really stops working), so the
cluster uses ``scram-sha-256`` for every TCP connection; under ``trust`` any password would
log in and the tests would prove nothing. PostgreSQL refuses to run as root, so when the tests
run as root the server binaries run as the ``postgres`` user through ``runuser``.

A missing PostgreSQL is an error, never a skip: CI installs it (Debian's ``postgresql``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from servers.ports import free_port

SERVER_USER = "postgres"
_START_ATTEMPTS = 3


class PostgresUnavailable(RuntimeError):
    """PostgreSQL binaries are missing or the cluster would not start."""


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    superuser: str
    superuser_password: str = field(repr=False)
    data_dir: Path
    log_file: Path

    def dsn(
        self, user: str | None = None, password: str | None = None, dbname: str = "postgres"
    ) -> str:
        """libpq conninfo over TCP (so the password is really checked); superuser by default."""
        return make_conninfo(
            host=self.host,
            port=self.port,
            user=user or self.superuser,
            password=self.superuser_password if password is None else password,
            dbname=dbname,
            connect_timeout=5,
        )

    def connect(
        self, user: str | None = None, password: str | None = None, dbname: str = "postgres"
    ) -> psycopg.Connection:
        return psycopg.connect(self.dsn(user, password, dbname), autocommit=True)

    def password_hashes(self) -> dict[str, str]:
        """Login -> stored SCRAM verifier (pg_authid, superuser only), for every role with a
        password: which logins a rotation changed, read without knowing any password."""
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT rolname, rolpassword FROM pg_authid WHERE rolpassword IS NOT NULL"
            ).fetchall()
        return {name: verifier for name, verifier in rows}


def find_bindir() -> Path:
    """The directory holding initdb/pg_ctl: ``pg_config --bindir``, else the newest Debian one."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], check=True, capture_output=True, text=True
            ).stdout.strip()
            candidates.append(Path(out))
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(Path(p) for p in debian)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found via `pg_config --bindir` or "
        "/usr/lib/postgresql/*/bin. Install them (Debian: `apt-get install postgresql`); "
        "real-server tests fail rather than skip without them."
    )


def _as_server_user(argv: list[str]) -> list[str]:
    """PostgreSQL refuses root; drop to the postgres user only when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *argv]
    return argv


def _run(argv: list[str], cwd: Path, what: str) -> None:
    proc = subprocess.run(
        _as_server_user(argv), cwd=cwd, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise PostgresUnavailable(
            f"{what} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )


def _chown_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user=SERVER_USER, group=None)


@contextlib.contextmanager
def running_postgres(max_connections: int = 40) -> Iterator[PostgresServer]:
    """Start a fresh cluster, yield it, then stop it and delete every file it wrote.

    ``max_connections``: a cluster standing in for many catalog databases needs more (Vault
    keeps a pool per database connection)."""
    with running_postgres_clusters(("only",), max_connections) as servers:
        yield servers["only"]


@contextlib.contextmanager
def running_postgres_clusters(
    names: Sequence[str], max_connections: int = 40
) -> Iterator[dict[str, PostgresServer]]:
    """Independent clusters, one per name: each its own data directory, port and superuser
    password, all on 127.0.0.1. One initdb serves as the template (copied per cluster) and
    the clusters start in parallel, so N clusters cost little more than one."""
    bindir = find_bindir()
    root = Path(tempfile.mkdtemp(prefix="seccat-pg-"))
    started: list[PostgresServer] = []
    try:
        _chown_to_server_user(root)
        template = root / "template"
        _initdb(bindir, root, template)
        dirs = {}
        for i, name in enumerate(names):
            home = root / f"cluster-{i}"
            home.mkdir()
            (home / "sock").mkdir()
            _chown_to_server_user(home)
            _chown_to_server_user(home / "sock")
            _run(["cp", "-a", str(template), str(home / "data")], root, "copying the cluster")
            dirs[name] = home
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(names) or 1) as pool:
            futures = {
                name: pool.submit(
                    _start_own, bindir, home, secrets.token_urlsafe(24), started, max_connections
                )
                for name, home in dirs.items()
            }
            servers = {name: future.result() for name, future in futures.items()}
        yield servers
    finally:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(started) or 1) as pool:
            for server in started:
                pool.submit(_stop, bindir, root, server)
        _remove_in_background(root)


def _remove_in_background(root: Path) -> None:
    """Delete the stopped clusters' files without waiting: on a busy shared disk, unlinking
    the data directories after a run took 16 s, which no test needs to wait for."""
    subprocess.Popen(
        ["rm", "-rf", "--", str(root)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(bindir: Path, root: Path, server: PostgresServer) -> None:
    stop = [str(bindir / "pg_ctl"), "-D", str(server.data_dir), "-m", "immediate", "-w", "stop"]
    with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
        _run(stop, root, "pg_ctl stop")


#: The template's superuser password: replaced in every cluster before anyone can use it.
_TEMPLATE_PASSWORD = secrets.token_urlsafe(24)


def _initdb(bindir: Path, root: Path, data_dir: Path) -> None:
    pwfile = root / "pwfile"
    pwfile.write_text(_TEMPLATE_PASSWORD + "\n")
    pwfile.chmod(0o600)
    _chown_to_server_user(pwfile)
    try:
        _run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data_dir),
                "--auth-host=scram-sha-256",
                "--auth-local=peer",
                f"--pwfile={pwfile}",
                "-U",
                SERVER_USER,
                "-E",
                "UTF8",
                "--no-sync",
                "--no-instructions",
            ],
            root,
            "initdb",
        )
    finally:
        pwfile.unlink()


def _start_own(
    bindir: Path,
    home: Path,
    password: str,
    started: list[PostgresServer],
    max_connections: int,
) -> PostgresServer:
    """Start a copied cluster and give its superuser a password of its own, so no two
    clusters share a credential."""
    server = _start(
        bindir,
        home,
        home / "data",
        home / "sock",
        home / "server.log",
        _TEMPLATE_PASSWORD,
        max_connections,
    )
    started.append(server)
    with server.connect() as conn:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(SERVER_USER), sql.Literal(password)
            )
        )
    return replace(server, superuser_password=password)


def _start(
    bindir: Path,
    root: Path,
    data_dir: Path,
    socket_dir: Path,
    log_file: Path,
    password: str,
    max_connections: int = 40,
) -> PostgresServer:
    """pg_ctl start on a free port; retried because another process may grab the port first."""
    conf = data_dir / "postgresql.conf"
    base_conf = conf.read_text()
    last_error = ""
    for _ in range(_START_ATTEMPTS):
        port = free_port()
        # Throwaway cluster: durability off for speed, loopback only, sockets in our temp dir.
        conf.write_text(
            base_conf
            + "\n# seccat test cluster\n"
            + f"port = {port}\n"
            + "listen_addresses = '127.0.0.1'\n"
            + f"unix_socket_directories = '{socket_dir}'\n"
            + "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            + f"max_connections = {max_connections}\nshared_buffers = 32MB\n"
            + "password_encryption = 'scram-sha-256'\n"
        )
        proc = subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log_file),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            cwd=root,
            capture_output=True,
            text=True,
            timeout=90,
        )
        if proc.returncode == 0:
            server = PostgresServer(
                host="127.0.0.1",
                port=port,
                superuser=SERVER_USER,
                superuser_password=password,
                data_dir=data_dir,
                log_file=log_file,
            )
            _wait_ready(server)
            return server
        log = log_file.read_text() if log_file.exists() else ""
        last_error = f"{proc.stdout}\n{proc.stderr}\n{log[-2000:]}"
    raise PostgresUnavailable(f"PostgreSQL did not start:\n{last_error}")


def _wait_ready(server: PostgresServer, timeout: float = 30.0) -> None:
    """pg_ctl -w already waits; this also proves a scram login over TCP works."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with server.connect() as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise PostgresUnavailable(f"PostgreSQL not accepting logins: {exc}") from exc
            time.sleep(0.1)
