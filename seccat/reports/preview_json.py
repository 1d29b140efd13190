"""`seccat preview --format json`: the stable JSON of docs/preview-json.md, as a string.

Pure ASCII by construction (``ensure_ascii``): whatever a catalog holds, the bytes cannot be
mangled by an encoding on the way to a file or a pipe.
"""

from __future__ import annotations

import json

from seccat.engine.preview import Preview


def render_json(preview: Preview) -> str:
    return json.dumps(preview.to_json(), indent=2, ensure_ascii=True) + "\n"
