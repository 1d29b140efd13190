"""The blast radius of a service: every secret it can read, per the generated documents.

Read off the access graph of the preview (``seccat.access``, the edges `seccat diff`
compares), never off the catalog's consumer lists, so what `seccat rotate --service`
rotates is what the deployed documents really let the service read: in AWS what its role's
identity policy or the secret's resource policy allows it to ``GetSecretValue`` and no Deny
takes away; in Vault what the policies of its login roles let it read (KV ``data``,
database ``creds``/``static-creds``). A pure function of a preview (no server): the plan a
dry run prints is the plan the run executes.
"""

from __future__ import annotations

from seccat.access import AccessGraph, access_graph
from seccat.engine.preview import Preview
from seccat.operations.targets import EnvironmentTargets

#: Actions that hand over a secret's value or a login.
READS = frozenset({"secretsmanager:GetSecretValue", "data:read", "creds:read", "static-creds:read"})


_GRAPHS: dict[int, tuple[Preview, AccessGraph]] = {}


def _graph(preview: Preview) -> AccessGraph:
    """The access graph of a preview, computed once per preview object (a dry run and the
    run, or every service of a team, ask for the same one)."""
    known = _GRAPHS.get(id(preview))
    if known is None or known[0] is not preview:
        if len(_GRAPHS) >= 8:
            _GRAPHS.clear()
        known = _GRAPHS[id(preview)] = (preview, access_graph(preview))
    return known[1]


def blast_radius(targets: EnvironmentTargets, service: str) -> list[str]:
    """Catalog ids of every secret ``service`` can read in this environment, sorted.

    A service's principals: its IAM role (attributed to it by the preview), and the Vault
    auth roles seccat names after it (``aws-<env>/role/<service>``,
    ``kubernetes-<env>/role/<service>``), whether or not an IAM role ties them to it."""
    env = targets.name
    logins = {f"vault:aws-{env}/role/{service}", f"vault:kubernetes-{env}/role/{service}"}
    readable = {
        edge.secret
        for edge in _graph(targets.preview).edges
        if (edge.principal.service == service or edge.principal.id in logins)
        and edge.actions & READS
    }
    return sorted(readable & set(targets.secrets))


def team_secrets(targets: EnvironmentTargets, team: str) -> list[str]:
    return sorted(t.id for t in targets.secrets.values() if t.team == team)
