"""SARIF 2.1.0 for GitHub code scanning: each result sits on the catalog line and column of
the secret or service that produced the resource, so the pull request is annotated where the
fix belongs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from policies.framework import Rule
from policies.registry import RULES, RULES_BY_ID
from seccat.checking.findings import CheckResult, Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/seccat/seccat"
#: GitHub ranks code-scanning alerts by this number (0-10).
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "2.0"}


def _level(enforcement: str) -> str:
    return "error" if enforcement == "mandatory" else "warning"


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def _rule(rule: Rule) -> dict[str, Any]:
    controls = ", ".join(rule.controls) or "seccat baseline"
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.title.replace("'", "").split()[:8]),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description},
        "helpUri": rule.help_uri,
        "help": {
            "text": f"{rule.remediation}\nControls: {controls}",
            "markdown": f"**Remediation:** {rule.remediation}\n\n**Controls:** {controls}",
        },
        "defaultConfiguration": {"level": _level(rule.enforcement)},
        "properties": {
            "tags": ["security", *rule.controls],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
            "scope": rule.scope,
        },
    }


def _fingerprint(f: Finding) -> str:
    """Stable across line moves: the rule, the subject and the message."""
    basis = "\0".join((f.rule_id, f.target or "", f.resource_urn or "", f.message))
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": "note" if f.waived else _level(f.enforcement),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.file)},
                    "region": {"startLine": f.line, "startColumn": f.column},
                },
                **(
                    {
                        "logicalLocations": [
                            {"fullyQualifiedName": f.resource_urn, "kind": "resource"}
                        ]
                    }
                    if f.resource_urn
                    else {}
                ),
            }
        ],
        "partialFingerprints": {"seccatFinding/v1": _fingerprint(f)},
        "properties": {
            "severity": f.severity,
            "enforcement": f.enforcement,
            "target": f.target,
            "resourceType": f.resource_type,
            "tags": list(RULES_BY_ID[f.rule_id].controls),
        },
    }
    if f.waiver is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"{f.waiver.reason} (approved by {f.waiver.approved_by}, "
                    f"expires {f.waiver.expires})"
                ),
            }
        ]
    return result


def to_sarif(result: CheckResult, version: str = "0.1.0") -> dict[str, Any]:
    index = {r.id: i for i, r in enumerate(RULES)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "seccat",
                        "informationUri": TOOL_URI,
                        "semanticVersion": version,
                        "rules": [_rule(r) for r in RULES],
                    }
                },
                "automationDetails": {"id": f"seccat/{result.stack}/{result.pack}/"},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "workingDirectory": {"uri": Path(os.getcwd()).as_uri() + "/"},
                    }
                ],
                "results": [_result(f, index) for f in result.findings],
                "properties": {"stack": result.stack, "pack": result.pack},
            }
        ],
    }


def render(result: CheckResult) -> str:
    return json.dumps(to_sarif(result), indent=2) + "\n"
