"""Access edges from a preview: who can do what to which secret, and who can become whom.

Read off the generated documents the preview records (IAM role policies, secret resource
policies, trust policies, Vault ACL policies and auth roles), never off catalog text, so a
bug in a generator shows up as access. Pure: a Preview in, frozen values out. `seccat diff`
compares two of these graphs; other commands (an access proof, a stack move) reuse them.
"""

from __future__ import annotations

from seccat.access import aws, vault
from seccat.access.model import AccessEdge, AccessGraph, Principal, TrustEdge, merge_edges
from seccat.engine.preview import Preview

__all__ = ["AccessEdge", "AccessGraph", "Principal", "TrustEdge", "access_graph"]


def access_graph(preview: Preview) -> AccessGraph:
    """Every access and trust edge of ``preview``'s stack."""
    resources = preview.resources
    aws_edges = aws.access_edges(resources)
    roles = {e.principal.id: e.principal.ref for e in aws_edges}
    roles.update({t.role.id: t.role.ref for t in aws.trust_edges(resources)})
    edges = merge_edges([*aws_edges, *vault.access_edges(resources, roles)])
    trust = sorted(set(aws.trust_edges(resources)) | set(vault.trust_edges(resources, roles)))
    return AccessGraph(preview.stack, edges, tuple(trust))
