"""Exit codes: part of the CLI contract that CI scripts rely on."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
