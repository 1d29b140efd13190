"""`seccat preview --format json`: the stable JSON of docs/preview-json.md.

Exactly ``json.dumps(document, indent=2, ensure_ascii=True) + "\\n"``: pure ASCII by
construction, so whatever a catalog holds, the bytes cannot be mangled by an encoding on the
way to a file or a pipe. Written by orjson when seccat.reports.exact_json can prove the bytes
are json's (it can for every preview the recorder made whose floats are integers, i.e. every
preview seccat's program makes), else by the pure-Python encoder.
"""

from __future__ import annotations

from seccat.collector import paused
from seccat.engine.preview import Preview
from seccat.reports.exact_json import by_python, dumps, plain


def render_json_bytes(preview: Preview) -> bytes:
    """The document's bytes, what the CLI writes as they are (no text encoding)."""
    # The document is a plain tree; at 10,000 secrets the collector rescanning the preview's
    # heap while it is built cost more than the encoding itself (docs/benchmarks.md).
    with paused():
        # A recorded resource's floats are in its inputs, which the recorder checked; its
        # other fields are strings, booleans and lists of strings, as are the document's
        # own (the summary's counts aside). A resource made any other way is walked.
        checked = all(r.floats_exact or plain(r.to_json()) for r in preview.resources)
        document = preview.to_json()
        if checked:
            return dumps(document, floats_checked=True, newline=True)
        # a float orjson may write otherwise (not a whole number, or beyond 2**53), or a
        # hand-made resource the walk cannot vouch for
        return by_python(document, newline=True)


def render_json(preview: Preview) -> str:
    return render_json_bytes(preview).decode("ascii")
