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
