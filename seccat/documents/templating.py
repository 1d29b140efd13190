"""One jinja2 environment for every generated document.

JSON documents are parsed back and re-serialised, so a template can never emit invalid JSON
and the output is canonical (sorted keys are *not* used: statement order is meaningful to
reviewers).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from seccat.datafiles import TEMPLATES

if TYPE_CHECKING:
    import jinja2

TEMPLATE_DIR = TEMPLATES


@cache
def environment() -> jinja2.Environment:
    # Imported on first use: naming helpers beside the templates (seccat.documents.
    # monitoring) are imported by `seccat validate`, which renders no template.
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # json.dumps, not jinja's tojson: no HTML escaping inside policy documents.
    env.filters["json"] = lambda value: json.dumps(value)
    return env


def render_text(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_json(template: str, **context: Any) -> Any:
    """Render a JSON template and parse it; a template bug fails here, not in AWS."""
    text = render_text(template, **context)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:  # pragma: no cover - a template bug
        raise ValueError(f"template {template} produced invalid JSON: {exc}") from exc


def dumps(document: Any) -> str:
    """The one canonical serialisation used for every JSON policy input."""
    return json.dumps(document, indent=2)
