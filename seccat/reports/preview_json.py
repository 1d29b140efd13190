"""`seccat preview --format json`: the stable JSON of docs/preview-json.md, as a string.

Pure ASCII by construction (``ensure_ascii``): whatever a catalog holds, the bytes cannot be
mangled by an encoding on the way to a file or a pipe.
"""

from __future__ import annotations

from seccat.collector import paused
from seccat.engine.preview import Preview
from seccat.reports.indented_json import dumps


def render_json(preview: Preview) -> str:
    # The document is a plain tree; at 10,000 secrets the collector rescanning the preview's
    # heap while it is built cost more than the encoding itself (docs/benchmarks.md).
    with paused():
        return dumps(preview.to_json()) + "\n"
