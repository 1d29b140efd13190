"""SQL statements Vault runs against PostgreSQL, rendered from templates/vault/*.sql.j2.

Vault substitutes ``{{name}}``, ``{{password}}`` and ``{{expiration}}`` itself; seccat only
inserts identifiers from the catalog, each checked against the PostgreSQL role alphabet and
double-quoted, so a catalog value can never become SQL.
"""

from __future__ import annotations

from seccat.documents.names import require
from seccat.documents.templating import render_text


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier from the strict role alphabet, always quoted."""
    return f'"{require(name, "db_identifier")}"'


def _statements(template: str, **context: str) -> list[str]:
    """One statement per non-empty line: Vault runs each list item as its own statement."""
    text = render_text(template, **context)
    return [line.strip() for line in text.splitlines() if line.strip()]


def dynamic_creation_statements(group_role: str) -> list[str]:
    """A fresh login that inherits the catalog's group role (the DBA grants that role its
    privileges; Vault never hands out more than it)."""
    return _statements("vault/dynamic-creation.sql.j2", group_role=quote_ident(group_role))


def dynamic_revocation_statements(group_role: str) -> list[str]:
    return _statements("vault/dynamic-revocation.sql.j2", group_role=quote_ident(group_role))


def static_rotation_statements() -> list[str]:
    return _statements("vault/static-rotation.sql.j2")
