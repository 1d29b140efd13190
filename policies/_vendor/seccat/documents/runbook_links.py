"""Where each alarm's runbook is: one Markdown file per secret and environment.

``seccat render`` writes the runbooks (seccat/reports/runbooks.py) under ``runbooks/`` of its
``--out`` folder; alarms link to them. With ``runbooks.url`` in the catalog (a template such as
``https://git.example.com/platform/blob/main/rendered/{environment}/runbooks/{secret}.md``)
the link is that URL, which on-call can open from the alarm e-mail; without it, the link is
the path inside the rendered folder (``runbooks/payments/stripe-api-key.md``), which still says
which file to open. Alarms that watch a shared function rather than one secret (the KV
rotator of a team, the renewal check) have a runbook of their own under ``_platform/``, a name
no secret id can take (ids never start with ``_``).
"""

from __future__ import annotations

from seccat.catalog.model import Catalog
from seccat.documents.names import require

#: The folder ``seccat render`` writes runbooks to, inside ``--out``.
FOLDER = "runbooks"
#: Runbooks of shared functions: ``_`` cannot start a secret id.
PLATFORM = "_platform"
#: CloudWatch's limit on ``AlarmDescription``.
ALARM_DESCRIPTION_LIMIT = 1024


def secret_page(secret_id: str) -> str:
    """The runbook's path below the runbooks folder, without the extension."""
    return require(secret_id, "secret_id")


def platform_page(name: str) -> str:
    """A shared function's runbook (``_platform/kv-rotator-identity``)."""
    return f"{PLATFORM}/{require(name, 'name')}"


def link(catalog: Catalog, environment: str, page: str) -> str:
    """The URL (or rendered path) of ``page`` in ``environment``."""
    env = require(environment, "name")
    template = catalog.runbook_url
    if template is None:
        return f"{FOLDER}/{page}.md"
    return template.replace("{environment}", env).replace("{secret}", page)


def alarm_description(text: str, runbook: str) -> str:
    """``text`` and the runbook link, within CloudWatch's 1,024 characters; the link is never
    cut (the text is, with an ellipsis)."""
    tail = f" Runbook: {runbook}"
    room = ALARM_DESCRIPTION_LIMIT - len(tail)
    if room < 40:
        raise ValueError(f"runbook link {runbook!r} leaves no room in an alarm description")
    if len(text) > room:
        text = text[: room - 3].rstrip() + "..."
    return text + tail
