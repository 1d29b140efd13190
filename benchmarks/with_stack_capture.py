"""`seccat ARGS` with the Pulumi SDK's per-resource stack capture left on, as before the
offline engine skipped it (seccat.engine.stack_traces): the "before" of the benchmarks.

    .venv/bin/python benchmarks/with_stack_capture.py check --stack prod --catalog C
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seccat.engine import preview

preview.without_stack_traces = contextlib.nullcontext  # type: ignore[assignment]

from seccat.cli import app  # noqa: E402

if __name__ == "__main__":
    app(prog_name="seccat")
