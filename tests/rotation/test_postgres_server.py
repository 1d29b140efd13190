"""The test cluster really checks passwords, or the rotation tests would prove nothing."""

from __future__ import annotations

import psycopg
import pytest
from servers.postgres import PostgresServer


def test_superuser_logs_in_over_tcp(postgres_server: PostgresServer) -> None:
    with postgres_server.connect() as conn:
        row = conn.execute("SELECT current_user, inet_server_addr()::text").fetchone()
    assert row is not None
    assert row[0] == postgres_server.superuser
    assert row[1].startswith("127.0.0.1")


def test_wrong_password_is_refused(postgres_server: PostgresServer) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        postgres_server.connect(password="definitely-not-the-password")


def test_clusters_per_environment_are_independent_servers(
    postgres_per_environment: dict[str, PostgresServer],
) -> None:
    """Copied from one initdb, yet separate: own port, own superuser password, own roles."""
    servers = postgres_per_environment
    assert len({s.port for s in servers.values()}) == len(servers) == 4
    assert len({s.superuser_password for s in servers.values()}) == 4
    dev, prod = servers["dev"], servers["prod"]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        prod.connect(password=dev.superuser_password)
    with dev.connect() as conn:
        conn.execute("CREATE ROLE only_on_dev LOGIN")
        try:
            with prod.connect() as other:
                row = other.execute("SELECT 1 FROM pg_roles WHERE rolname = 'only_on_dev'")
                assert row.fetchone() is None
        finally:
            conn.execute("DROP ROLE only_on_dev")
