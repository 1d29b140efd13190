"""SARIF 2.1.0 for GitHub code scanning: each result sits on the catalog line and column of
the secret or service that produced the resource, so the pull request is annotated where the
fix belongs.

Artifact URIs are relative to the repository root (``%SRCROOT%``, declared absolutely in
``originalUriBaseIds``), as code scanning expects whatever folder seccat ran in; a file
outside the root keeps an absolute ``file://`` URI and no base. Problems that stop the check
before any rule runs (an invalid catalog, a stack file that disagrees with it) and waiver
warnings are results too, under ``SECCAT-INPUT-<CODE>`` rules, so they annotate the line as
well."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.findings import CheckResult, Finding
from seccat.policies.docs import public_text
from seccat.policies.framework import Rule
from seccat.policies.registry import RULES, RULES_BY_ID
from seccat.reports.common import diagnostic_text, repo_relative

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_URI = "https://github.com/seccat/seccat"
#: GitHub ranks code-scanning alerts by this number (0-10).
SECURITY_SEVERITY = {"critical": "9.5", "high": "7.5", "medium": "5.0", "low": "2.0"}
#: The base every relative artifact URI is resolved against: the repository root.
SRCROOT = "%SRCROOT%"
#: Rule ids of diagnostics (what stops a check, waiver warnings): this prefix and the code.
INPUT_RULE_PREFIX = "SECCAT-INPUT-"
#: What each diagnostic code is about, for the SARIF rule that carries it.
_INPUT_RULES = {
    "READ": "The catalog or another input file cannot be read",
    "SCHEMA": "The catalog does not match its schema",
    "UNKNOWN_REF": "The catalog refers to something it does not define",
    "STACK_CONFIG": "The stack file disagrees with the catalog",
    "STACK": "The stack cannot be read or is not in the catalog",
    "PACK": "The policy pack configuration is invalid",
    "WAIVER": "A waiver is inconsistent",
    "WAIVER_UNMATCHED": "A waiver matches no finding",
    "WAIVER_EXPIRING": "A waiver expires soon",
}
_WAIVER_CODES = ("WAIVER_UNMATCHED", "WAIVER_EXPIRING")


def _level(enforcement: str) -> str:
    return "error" if enforcement == "mandatory" else "warning"


def _location(file: str, root: Path) -> dict[str, Any]:
    """``{"uri": "catalog.yaml", "uriBaseId": "%SRCROOT%"}`` for a file under ``root``."""
    relative = repo_relative(file, root)
    if relative is None:
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def _rule(rule: Rule) -> dict[str, Any]:
    controls = ", ".join(rule.controls) or "seccat baseline"
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.title.replace("'", "").split()[:8]),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": public_text(rule.description)},
        "helpUri": rule.help_uri,
        "help": {
            "text": f"{public_text(rule.remediation)}\nControls: {controls}",
            "markdown": (
                f"**Remediation:** {public_text(rule.remediation)}\n\n**Controls:** {controls}"
            ),
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


def _input_rule(code: str) -> dict[str, Any]:
    title = _INPUT_RULES.get(code, f"seccat reports a problem in an input file ({code})")
    anchor = "policies.md#waivers" if code.startswith("WAIVER") else "catalog.md#diagnostic-codes"
    return {
        "id": INPUT_RULE_PREFIX + code,
        "name": "Input" + "".join(w.capitalize() for w in code.split("_")),
        "shortDescription": {"text": title},
        "helpUri": f"{TOOL_URI}/blob/main/docs/{anchor}",
        "defaultConfiguration": {"level": "warning" if code in _WAIVER_CODES else "error"},
        "properties": {"tags": ["seccat-input"], "precision": "very-high"},
    }


def _diagnostic_result(d: Diagnostic, index: dict[str, int], root: Path) -> dict[str, Any]:
    rule_id = INPUT_RULE_PREFIX + d.code
    basis = "\0".join((d.code, d.path, d.message))
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": diagnostic_text(d)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _location(d.file, root),
                    "region": {"startLine": d.line, "startColumn": d.column},
                }
            }
        ],
        "partialFingerprints": {"seccatInput/v1": hashlib.sha256(basis.encode()).hexdigest()[:32]},
        "properties": {"code": d.code, "path": d.path},
    }


def _result(f: Finding, index: dict[str, int], root: Path) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": "note" if f.waived else _level(f.enforcement),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _location(f.file, root),
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
    if f.baseline is not None:
        result["baselineState"] = f.baseline
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


def to_sarif(
    result: CheckResult, version: str | None = None, repo_root: Path | None = None
) -> dict[str, Any]:
    """The SARIF log; ``repo_root`` (default: the current directory) is what artifact URIs
    are relative to."""
    if version is None:
        from seccat import version as installed

        version = installed()
    root = Path(os.path.abspath(repo_root or os.getcwd()))
    codes = sorted({d.code for d in result.diagnostics})
    descriptors = [_rule(r) for r in RULES] + [_input_rule(c) for c in codes]
    index = {d["id"]: i for i, d in enumerate(descriptors)}
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
                        "rules": descriptors,
                    }
                },
                "automationDetails": {"id": f"seccat/{result.stack}/{result.pack}/"},
                "originalUriBaseIds": {SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "workingDirectory": {"uri": Path(os.getcwd()).as_uri().rstrip("/") + "/"},
                    }
                ],
                "results": [_diagnostic_result(d, index, root) for d in result.diagnostics]
                + [_result(f, index, root) for f in result.findings],
                "properties": {
                    "stack": result.stack,
                    "pack": result.pack,
                    **({"stopped": result.stopped} if result.stopped else {}),
                },
            }
        ],
    }


def render(result: CheckResult, *, repo_root: Path | None = None) -> str:
    return json.dumps(to_sarif(result, repo_root=repo_root), indent=2) + "\n"
