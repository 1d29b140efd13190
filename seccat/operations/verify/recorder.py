"""Collects what a verify run compared and found, located at catalog lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from seccat.operations.targets import EnvironmentTargets
from seccat.operations.verify.findings import CHECKS, Finding, Note


@dataclass
class Recorder:
    targets: EnvironmentTargets
    findings: list[Finding] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    compared: int = 0

    def compare(self, n: int = 1) -> None:
        self.compared += n

    def finding(
        self,
        check: str,
        subject: str,
        path: tuple[str, ...],
        message: str,
        *,
        expected: Any = None,
        live: Any = None,
        diff: Sequence[str] = (),
    ) -> None:
        assert check in CHECKS, check
        where = self.targets.position(path)
        self.findings.append(
            Finding(
                check=check,
                environment=self.targets.name,
                subject=subject,
                message=message,
                file=self.targets.catalog.source,
                line=where.line,
                column=where.column,
                catalog_path=path,
                expected=expected,
                live=live,
                diff=tuple(diff),
            )
        )

    def note(self, message: str) -> None:
        self.notes.append(Note(self.targets.name, message))
