"""The example catalog pointed at throwaway servers on 127.0.0.1.

catalog.yaml gives every environment its own database servers; the real-server tests replace
each environment's host with one throwaway PostgreSQL cluster per environment (127.0.0.1 and
the cluster's port: one server per (host, port)), and TLS with ``disable`` (the clusters have
no certificate; scram-sha-256 still checks every password). Everything else is the catalog as
shipped. ``single_host`` rebuilds the layout issue 8 found: one host for every environment.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path

from ruamel.yaml import YAML

from servers.postgres import PostgresServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "catalog.yaml"


def _load() -> tuple[YAML, dict]:
    yaml = YAML()  # round-trip: comments, quotes and layout survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml, yaml.load(EXAMPLE.read_text(encoding="utf-8"))


def _dump(yaml: YAML, data: dict) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def per_environment(servers: Mapping[str, PostgresServer]) -> str:
    """catalog.yaml with each environment's databases on ``servers[env]``."""
    yaml, data = _load()
    for db in data["databases"].values():
        for env, own in db["environments"].items():
            own["host"] = servers[env].host
            own["port"] = servers[env].port
            own["ssl_mode"] = "disable"
    return _dump(yaml, data)


def single_host(endpoint: Callable[[str], tuple[str, int]], ssl_mode: str | None = None) -> str:
    """catalog.yaml as issue 8 found it: one host for every environment's databases
    (``endpoint(database name)`` gives it)."""
    yaml, data = _load()
    for name, db in data["databases"].items():
        vpc = db["environments"].get("prod", {}).get("vpc")
        del db["environments"]
        db["host"], db["port"] = endpoint(name)
        if ssl_mode is not None:
            db["ssl_mode"] = ssl_mode
        if vpc is not None:
            db["vpc"] = vpc
    return _dump(yaml, data)
