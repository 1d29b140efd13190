"""`seccat preview --format json`: the stable JSON of docs/preview-json.md.

Exactly ``json.dumps(document, indent=2, ensure_ascii=True) + "\\n"``: pure ASCII by
construction, so whatever a catalog holds, the bytes cannot be mangled by an encoding on the
way to a file or a pipe. Written by orjson when seccat.reports.exact_json can prove the bytes
are json's (it can for every preview the recorder made whose floats are integers, i.e. every
preview seccat's program makes), else by the pure-Python encoder.

The CLI writes the document as :func:`json_pieces` makes it, a batch of resources at a time:
at 10,000 secrets the whole is 146 MB, and holding it at once cost more than encoding it
(docs/benchmarks.md, "Fifth round: preview JSON output").
"""

from __future__ import annotations

from collections.abc import Iterator

from seccat.collector import paused
from seccat.engine.preview import Preview
from seccat.reports.exact_json import BATCH, object_pieces, plain


def json_pieces(preview: Preview, *, batch: int = BATCH) -> Iterator[bytes]:
    """The document's bytes in pieces, each resource's dict built only when its batch is
    encoded; joined, they are :func:`render_json_bytes`."""
    # The document is a plain tree; at 10,000 secrets the collector rescanning the preview's
    # heap while it is built cost more than the encoding itself (docs/benchmarks.md).
    with paused():
        # A recorded resource's floats are in its inputs, which the recorder checked; its
        # other fields are strings, booleans and lists of strings, as are the document's
        # own (the summary's counts aside). A resource made any other way is walked, and
        # if one holds a float orjson may write otherwise (not a whole number, or beyond
        # 2**53), or anything else the walk cannot vouch for, each batch is walked again
        # and the ones that are not plain go to the Python encoder.
        checked = all(r.floats_exact or plain(r.to_json()) for r in preview.resources)
        yield from object_pieces(
            preview.head_json(),
            "resources",
            (r.to_json() for r in preview.resources),
            floats_checked=checked,
            newline=True,
            batch=batch,
        )


def render_json_bytes(preview: Preview) -> bytes:
    """The whole document's bytes (a report embedding it, tests); the CLI streams
    :func:`json_pieces` instead."""
    with paused():  # from the start: the generator's own set-up allocates too
        return b"".join(json_pieces(preview))


def render_json(preview: Preview) -> str:
    return render_json_bytes(preview).decode("ascii")
