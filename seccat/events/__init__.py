"""Secret lineage: CloudTrail and Vault/OpenBao audit records as one event stream (OCSF API
Activity, seccat/events/ocsf.py), attributed to the catalog, and each credential's timeline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from seccat.catalog.model import Catalog
from seccat.events import cloudtrail, vault_audit
from seccat.events.attribution import CatalogIndex
from seccat.events.sources import Raw

__all__ = ["Collected", "collect"]


@dataclass
class Collected:
    """The normalised events of the chosen environments, in time order, and what was left
    out and why (for the summary on stderr)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def collect(
    catalog: Catalog,
    stacks: Sequence[str] | None,
    cloudtrail_records: Iterable[Raw] = (),
    vault_entries: Iterable[Raw] = (),
    secret: str | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
    on_record: Callable[[int], None] | None = None,
) -> Collected:
    """Normalise, attribute and filter. ``stacks`` None keeps every environment; events no
    environment can be given to are kept only then."""
    index = CatalogIndex.build(catalog)
    out = Collected()
    seen: set[str] = set()
    wanted = set(stacks) if stacks is not None else None
    done = 0
    for kind, raws, normalize in (
        ("cloudtrail", cloudtrail_records, cloudtrail.normalize),
        ("vault", vault_entries, vault_audit.normalize),
    ):
        for raw in raws:
            done += 1
            if on_record is not None and done % 500 == 0:
                on_record(done)
            event = normalize(raw.record, index)
            if event is None:
                out.skipped[f"{kind}: not about a seccat secret"] += 1
                continue
            # The same record read from two inputs (a trail's file and the lineage log group)
            # counts once; documented examples reuse ids, so the time and operation count too.
            uid = "|".join(
                (
                    kind,
                    str(event["metadata"].get("uid") or raw.origin),
                    event["time_dt"],
                    event["api"]["operation"],
                )
            )
            if uid in seen:
                out.skipped["duplicate records"] += 1
                continue
            seen.add(uid)
            s = event["unmapped"]["seccat"]
            if wanted is not None and s["environment"] not in wanted:
                out.skipped["other environments"] += 1
                continue
            if secret is not None and s["secret"] != secret:
                out.skipped["other secrets"] += 1
                continue
            if (since_ms is not None and event["time"] < since_ms) or (
                until_ms is not None and event["time"] >= until_ms
            ):
                out.skipped["outside the time range"] += 1
                continue
            out.events.append(event)
    out.events.sort(key=lambda e: (e["time"], e["metadata"].get("uid") or ""))
    return out
