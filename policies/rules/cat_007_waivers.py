"""Waivers are current and name a real rule."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from seccat.catalog.model import Catalog
from seccat.policies.framework import CatalogContext, CatalogViolation, Rule


def check(
    catalog: Catalog, config: Mapping[str, Any], ctx: CatalogContext
) -> Iterator[CatalogViolation]:
    from seccat.policies.registry import RULES_BY_ID

    for i, waiver in enumerate(catalog.waivers):
        path = ("waivers", str(i))
        if waiver.rule not in RULES_BY_ID:
            close = difflib.get_close_matches(waiver.rule, list(RULES_BY_ID), n=1, cutoff=0.8)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield CatalogViolation(
                f"waiver names unknown rule {waiver.rule!r}{hint}", (*path, "rule"), waiver.target
            )
        elif waiver.rule == RULE.id:
            yield CatalogViolation(f"{RULE.id} cannot be waived", (*path, "rule"), waiver.target)
        if ctx.today and waiver.expires < ctx.today:
            yield CatalogViolation(
                f"waiver of {waiver.rule} for {waiver.shown_target!r} expired on {waiver.expires} "
                f"(approved by {waiver.approved_by})",
                (*path, "expires"),
                waiver.target,
            )


RULE = Rule(
    id="SECCAT-CAT-007",
    title="Waivers are current",
    description=(
        "Every waiver names a known rule and has not expired; an expired waiver no longer "
        "downgrades anything and is itself a mandatory violation, so exceptions are "
        "re-approved or fixed (issue 5). This rule cannot be waived."
    ),
    severity="high",
    enforcement="mandatory",
    scope="catalog",
    controls=(),
    remediation="Fix the finding the waiver covered, or renew the waiver with a new approval.",
    check=check,
)
