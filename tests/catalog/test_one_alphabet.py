"""One alphabet, proven (issue 8): whatever `seccat validate` accepts, `preview`, `render`
and `check` process without an exception.

Catalogs come from tests/catalog/catalog_strategies.py (leaf strings drawn from the
schema's own alphabets, references resolving often, every optional feature). For each one
the test runs what the commands run: ``parse_catalog`` (validate), ``run_preview`` for
every environment with the preview renderers (tree, Markdown, JSON), ``write_documents``
with the runbooks (render) and ``seccat.checking.runner.check`` with every report format
(check). A refused catalog must be refused with located one-line diagnostics, never a
traceback.

The default run replays a fixed set of 40 catalogs (derandomized); set
``SECCAT_PROPERTY_EXAMPLES`` to search that many fresh ones (docs/catalog.md).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from catalog_strategies import catalogs
from hypothesis import HealthCheck, Phase, given, settings

from seccat.catalog.loader import parse_catalog
from seccat.checking.packs import load_pack
from seccat.checking.runner import check
from seccat.engine.preview import run_preview
from seccat.reports import json as json_report
from seccat.reports import junit, markdown, sarif, text
from seccat.reports.documents import Document, write_documents
from seccat.reports.preview_markdown import render_markdown
from seccat.reports.preview_tree import render_tree
from seccat.reports.runbooks import runbooks

EXAMPLES = int(os.environ.get("SECCAT_PROPERTY_EXAMPLES", "40"))
#: The default run replays the same catalogs every time (a suite that passes keeps
#: passing); a run with SECCAT_PROPERTY_EXAMPLES set explores new ones.
SEARCH = "SECCAT_PROPERTY_EXAMPLES" in os.environ
#: Below this share of accepted catalogs the property would be close to vacuous.
MIN_ACCEPTED = 0.25


def catalog_text(catalog: dict[str, Any]) -> str:
    """The catalog as a file holds it (JSON is YAML)."""
    return json.dumps(catalog, indent=1, ensure_ascii=False)


def exercise(source: str) -> bool:
    """Validate ``source``; if accepted, preview every environment, render and check.
    Returns whether validation accepted it. Any exception fails the property."""
    model, diagnostics = parse_catalog(source, "catalog.yaml")
    if model is None:
        assert diagnostics, "refused without a diagnostic"
        for d in diagnostics:
            assert d.line >= 1 and d.column >= 1 and "\n" not in d.render()
        return False
    pack = load_pack("baseline")
    for stack in model.environments:
        preview = run_preview(model, stack, "catalog.yaml")
        render_tree(preview)
        render_markdown(preview)
        json.dumps(preview.to_json())
        pages = [Document(p.path, p.content) for p in runbooks(model, stack, preview)]
        with tempfile.TemporaryDirectory() as out:
            write_documents(preview, Path(out), extra=pages)
        result = check(model, preview, pack, today="2026-12-01")
        for report in (text, json_report, sarif, junit, markdown):
            report.render(result)
    return True


def test_whatever_validate_accepts_previews_renders_and_checks() -> None:
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not SEARCH,
        # a failing catalog previews slowly, so shrinking can take many minutes: the default
        # run reports the catalog as drawn, a search run shrinks it
        phases=None if SEARCH else [Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(catalogs())
    def accepted_implies_success(catalog: dict[str, Any]) -> None:
        outcomes["accepted" if exercise(catalog_text(catalog)) else "refused"] += 1

    accepted_implies_success()
    total = sum(outcomes.values())
    assert total >= EXAMPLES
    assert outcomes["accepted"] / total >= MIN_ACCEPTED, outcomes
