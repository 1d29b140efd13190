"""`seccat render`: every generated document as a reviewable file.

The documents are taken from the recorded resource inputs, so the files are exactly what
the program hands to AWS and Vault, not a second rendering that could drift.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from seccat.engine.preview import Preview
from seccat.reports.preview_json import render_json
from seccat.reports.render_folder import prepare, write_manifest

#: resource type -> (input holding the document, folder, file extension, is JSON)
DOCUMENT_INPUTS: dict[str, list[tuple[str, str, str]]] = {
    "aws:iam/rolePolicy:RolePolicy": [("policy", "iam/role-policies", "json")],
    "aws:iam/policy:Policy": [("policy", "iam/policies", "json")],
    "aws:iam/role:Role": [("assumeRolePolicy", "iam/trust-policies", "json")],
    "aws:kms/key:Key": [("policy", "kms/key-policies", "json")],
    "aws:secretsmanager/secretPolicy:SecretPolicy": [("policy", "secretsmanager/policies", "json")],
    "aws:sns/topicPolicy:TopicPolicy": [("policy", "sns/topic-policies", "json")],
    "aws:cloudwatch/eventRule:EventRule": [("eventPattern", "events/patterns", "json")],
    "aws:cloudwatch/dashboard:Dashboard": [("dashboardBody", "cloudwatch/dashboards", "json")],
    "vault:index/policy:Policy": [("policy", "vault/policies", "hcl")],
    "vault:database/secretBackendStaticRole:SecretBackendStaticRole": [
        ("rotationStatements", "vault/sql/rotation", "sql"),
    ],
    "vault:database/secretBackendRole:SecretBackendRole": [
        ("creationStatements", "vault/sql/creation", "sql"),
        ("revocationStatements", "vault/sql/revocation", "sql"),
    ],
}

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=,-]*")


@dataclass(frozen=True)
class Document:
    path: str  # relative, '/'-separated
    content: str


def _file_name(logical: str, ext: str) -> str:
    """Logical names may contain '/'; keep them as folders but never let one escape."""
    segments = logical.split("/")
    if any(not _SAFE_SEGMENT.fullmatch(s) or s in (".", "..") for s in segments):
        raise ValueError(f"refusing to write a document for resource name {logical!r}")
    return "/".join(segments) + f".{ext}"


def documents(preview: Preview) -> list[Document]:
    out: list[Document] = []
    for r in preview.resources:
        for key, folder, ext in DOCUMENT_INPUTS.get(r.type, []):
            value = r.inputs.get(key)
            if value in (None, ""):
                continue
            if ext == "json":
                content = json.dumps(json.loads(value), indent=2) + "\n"
            elif isinstance(value, list):
                content = ";\n".join(s.strip().rstrip(";") for s in value) + ";\n"
            else:
                content = str(value).rstrip("\n") + "\n"
            out.append(Document(f"{folder}/{_file_name(r.name, ext)}", content))
    return out


def inventory(preview: Preview) -> str:
    """The preview JSON, byte for byte what `seccat preview --format json` prints."""
    return render_json(preview)


def write_documents(
    preview: Preview,
    out_dir: Path,
    *,
    clean: bool = False,
    extra: Sequence[Document] = (),
) -> list[Path]:
    """Write every document plus ``inventory.json`` and ``extra`` (the runbooks) into a fresh
    ``out_dir`` (or, with ``clean``, one seccat rendered before, minus what it wrote then),
    and the manifest the next ``clean`` reads; returns the documents written. Raises
    ``FolderError`` (nothing changed) when the folder is not fit."""
    everything = [
        *documents(preview),
        Document("inventory.json", inventory(preview)),
        *extra,
    ]
    prepare(out_dir, (doc.path for doc in everything), clean)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the manifest first: a render that fails half-way can still be cleaned
    write_manifest(out_dir, (doc.path for doc in everything))
    written: list[Path] = []
    for doc in everything:
        target = out_dir / doc.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(doc.content.encode("utf-8"))  # exact bytes, no newline translation
        written.append(target)
    return written
