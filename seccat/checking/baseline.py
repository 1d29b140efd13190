"""Which findings are new: fingerprints, and a comparison with a baseline.

A fingerprint names a finding by what it is, not where it is: the stack, the rule, the
catalog entry it targets, the resource it is about and its message. Moving an entry to
another line, or adding one above it, keeps every fingerprint; fixing the problem, or
changing it so the message changes (a rotation interval that is still too long, but another
one), does not. `seccat check --baseline` compares with a saved `check --format json` result,
`seccat diff` with the base catalog's own check: both through this one module.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seccat.checking.findings import CheckResult, Finding
from seccat.inputs import read_regular

#: Bumped if the fingerprint's basis ever changes, so old baselines are refused, not misread.
FINGERPRINT_VERSION = "seccat-finding/1"


class BaselineError(ValueError):
    """A baseline file that cannot be read or is not a `seccat check --format json` result."""


def fingerprint(
    stack: str, rule_id: str, target: str | None, resource_urn: str | None, message: str
) -> str:
    basis = "\0".join(
        (FINGERPRINT_VERSION, stack, rule_id, target or "", resource_urn or "", message)
    )
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def of_finding(f: Finding, stack: str) -> str:
    return fingerprint(stack, f.rule_id, f.target, f.resource_urn, f.message)


@dataclass(frozen=True)
class BaselineEntry:
    """What a report needs of a baseline finding to say it was fixed."""

    fingerprint: str
    rule_id: str
    severity: str
    enforcement: str
    waived: bool
    message: str
    target: str | None
    file: str
    line: int
    column: int
    resource_name: str | None = None

    @classmethod
    def of(cls, f: Finding, stack: str) -> BaselineEntry:
        return cls(
            of_finding(f, stack),
            f.rule_id,
            f.severity,
            f.enforcement,
            f.waived,
            f.message,
            f.target,
            f.file,
            f.line,
            f.column,
            f.resource_name,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "ruleId": self.rule_id,
            "severity": self.severity,
            "enforcement": self.enforcement,
            "waived": self.waived,
            "message": self.message,
            "target": self.target,
            "location": {"file": self.file, "line": self.line, "column": self.column},
            "resource": self.resource_name,
        }


@dataclass(frozen=True)
class Baseline:
    """The findings of an earlier check of one stack."""

    stack: str
    entries: tuple[BaselineEntry, ...] = ()
    #: Where it came from, for messages ("baseline.json", "main:catalog.yaml").
    source: str = ""

    @classmethod
    def of(cls, result: CheckResult, source: str = "") -> Baseline:
        return cls(
            result.stack,
            tuple(BaselineEntry.of(f, result.stack) for f in result.findings),
            source,
        )


@dataclass(frozen=True)
class Comparison:
    """Head findings split into new and existing, and the baseline's findings now gone."""

    new: list[Finding] = field(default_factory=list)
    existing: list[Finding] = field(default_factory=list)
    fixed: list[BaselineEntry] = field(default_factory=list)

    @property
    def new_mandatory(self) -> list[Finding]:
        return [f for f in self.new if f.enforcement == "mandatory"]


def compare(findings: Iterable[Finding], stack: str, baseline: Baseline | None) -> Comparison:
    """Match by fingerprint, as a multiset: two identical findings in the head and one in the
    baseline make one existing and one new. No baseline: every finding is new."""
    available: Counter[str] = (
        Counter(e.fingerprint for e in baseline.entries) if baseline else Counter()
    )
    out = Comparison()
    matched: Counter[str] = Counter()
    for f in findings:
        fp = of_finding(f, stack)
        if available[fp] > matched[fp]:
            matched[fp] += 1
            out.existing.append(f)
        else:
            out.new.append(f)
    if baseline is not None:
        for e in baseline.entries:
            if matched[e.fingerprint] > 0:
                matched[e.fingerprint] -= 1
            else:
                out.fixed.append(e)
    return out


def read_baseline(path: Path, stack: str | None) -> Baseline:
    """A saved `seccat check --format json` result for ``stack``; BaselineError otherwise.

    ``stack`` None takes the stack the result names (`check --all-stacks` knows which it
    needs only once it has read the catalog, and compares then)."""
    try:
        data = json.loads(read_regular(path).decode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not JSON (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not JSON ({exc})") from None
    # what the parser refuses to build: an integer past 4,300 digits (a ValueError), nesting
    # deeper than the interpreter's stack (a RecursionError, a traceback before)
    except ValueError:
        raise BaselineError(f"{path}: not JSON (a number too long)") from None
    except RecursionError:
        raise BaselineError(f"{path}: not JSON (nested too deeply)") from None
    return parse_baseline(data, stack, str(path))


def parse_baseline(data: Any, stack: str | None, source: str) -> Baseline:
    if not isinstance(data, Mapping) or not isinstance(data.get("findings"), list):
        raise BaselineError(
            f"{source}: not a `seccat check --format json` result (no findings list)"
        )
    if data.get("schemaVersion") != 1:
        raise BaselineError(
            f"{source}: schemaVersion {data.get('schemaVersion')!r}; this seccat reads version 1"
        )
    recorded = data.get("stack")
    if stack is None:
        if not isinstance(recorded, str):
            raise BaselineError(f"{source}: the result names no stack")
        stack = recorded
    if recorded != stack:
        raise BaselineError(
            f"{source}: the baseline is of stack {recorded!r}, not {stack!r}; save one per stack"
        )
    entries = []
    for i, raw in enumerate(data["findings"]):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("ruleId"), str):
            raise BaselineError(f"{source}: findings[{i}] has no ruleId")
        resource = raw.get("resource") if isinstance(raw.get("resource"), Mapping) else {}
        location = raw.get("location") if isinstance(raw.get("location"), Mapping) else {}
        message = str(raw.get("message") or "")
        target = raw.get("target") if isinstance(raw.get("target"), str) else None
        urn = resource.get("urn") if isinstance(resource.get("urn"), str) else None
        entries.append(
            BaselineEntry(
                fingerprint(stack, raw["ruleId"], target, urn, message),
                raw["ruleId"],
                str(raw.get("severity") or ""),
                str(raw.get("enforcement") or ""),
                bool(raw.get("waived")),
                message,
                target,
                str(location.get("file") or ""),
                _int(location.get("line")),
                _int(location.get("column")),
                resource.get("name") if isinstance(resource.get("name"), str) else None,
            )
        )
    return Baseline(stack, tuple(entries), source)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 1
