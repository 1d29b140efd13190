"""Waivers that tell you when you are wrong: the environment-qualified target a finding
prints is accepted and waives in that environment only, a target that names nothing gets
the closest one in the form written, and waivers that match nothing or expire soon are
warnings (errors with --strict). Each case is the exact message a user sees."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from seccat.catalog.loader import parse_catalog
from seccat.catalog.model import Catalog, Waiver
from seccat.checking.packs import load_pack
from seccat.checking.runner import check
from seccat.engine.preview import Preview

ROOT = Path(__file__).resolve().parents[2]
#: catalog.yaml with two waived findings (two owner-rotated secrets renewed too rarely).
CATALOG = (ROOT / "tests" / "fixtures" / "waived-catalog.yaml").read_text()
FIRST_TARGET = "    target: payments/partner-tls\n"
SEGMENT = "data/segment-write-key"


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[nth]


def _validate(target: str, extra: str = "") -> tuple[Catalog | None, list[str]]:
    assert FIRST_TARGET in CATALOG
    text = CATALOG.replace(FIRST_TARGET, f"    target: {target}\n{extra}", 1)
    catalog, diagnostics = parse_catalog(text, "catalog.yaml")
    return catalog, [d.render() for d in diagnostics]


def test_the_environment_qualified_target_a_finding_prints_is_accepted() -> None:
    catalog, diagnostics = _validate("prod/payments/partner-tls")
    assert diagnostics == []
    assert catalog is not None
    waiver = catalog.waivers[0]
    assert (waiver.target, waiver.environments) == ("payments/partner-tls", ("prod",))
    assert waiver.shown_target == "prod/payments/partner-tls"
    # the plain form is unchanged
    plain = catalog.waivers[1]
    assert (plain.target, plain.environments, plain.shown_target) == (SEGMENT, (), SEGMENT)


def test_a_qualified_target_outside_the_waivers_environments_is_an_error() -> None:
    _, diagnostics = _validate("prod/payments/partner-tls", "    environments: [dev]\n")
    line = _line_of(CATALOG, "target: payments/partner-tls")
    assert diagnostics == [
        f"catalog.yaml:{line}:13: error: waivers[0].target: waiver target "
        "'prod/payments/partner-tls' names environment 'prod', which the waiver's "
        "environments (dev) leave out; write the target as 'payments/partner-tls' or add prod "
        "to environments (WAIVER)"
    ]
    _, agreeing = _validate("prod/payments/partner-tls", "    environments: [prod]\n")
    assert agreeing == []


@pytest.mark.parametrize(
    ("target", "hint"),
    [
        # a resource name copied from a finding: cut back to the secret, env kept
        ("prod/payments/partner-tls/rotation", "; did you mean 'prod/payments/partner-tls'?"),
        ("prod/checkout-api/role", "; did you mean 'prod/checkout-api'?"),  # a role's name
        ("prod/payments/partner-tl", "; did you mean 'prod/payments/partner-tls'?"),
        ("payments/partner-tl", "; did you mean 'payments/partner-tls'?"),
        ("qa/payments/partner-tls", "; did you mean 'payments/partner-tls'?"),
        ("storefront/shop-tls", ""),
    ],
)
def test_a_target_that_names_nothing_suggests_the_right_form(target: str, hint: str) -> None:
    _, diagnostics = _validate(target)
    line = _line_of(CATALOG, "target: payments/partner-tls")
    assert diagnostics == [
        f"catalog.yaml:{line}:13: error: waivers[0].target: waiver target '{target}' is "
        f"neither a secret nor a service{hint} (a waiver names exactly one secret id or "
        "service name, optionally after its environment: prod/payments/partner-tls) "
        "(UNKNOWN_REF)"
    ]


def _with_waivers(catalog: Catalog, *waivers: Waiver) -> Catalog:
    return replace(catalog, waivers=waivers)


def _waiver(target: str, **kw: object) -> Waiver:
    fields: dict[str, object] = {
        "rule": "SECCAT-CAT-006",
        "target": target,
        "reason": "vendor-issued",
        "expires": "2027-06-30",
        "approved_by": "security@example.com",
    }
    fields.update(kw)
    return Waiver(**fields)  # type: ignore[arg-type]


def test_a_qualified_waiver_waives_in_its_environment_only(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    text = CATALOG.replace(f"    target: {SEGMENT}\n", f"    target: prod/{SEGMENT}\n", 1)
    catalog, diagnostics = parse_catalog(text, "catalog.yaml")
    assert diagnostics == [] and catalog is not None
    pack = load_pack("baseline")

    def rotation_findings(stack: str) -> list[tuple[str, bool]]:
        result = check(catalog, example_preview(stack), pack, today="2026-12-01")
        return [
            (f.enforcement, f.waived)
            for f in result.findings
            if f.rule_id == "SECCAT-CAT-006" and f.target == SEGMENT
        ]

    assert rotation_findings("prod") == [("advisory", True)]
    assert rotation_findings("dev") == [("mandatory", False)]
    prod = check(catalog, example_preview("prod"), pack, today="2026-12-01")
    waived = next(f for f in prod.findings if f.waived and f.target == SEGMENT)
    assert waived.waiver is not None and waived.waiver.target == f"prod/{SEGMENT}"


STALE = (
    "  - rule: SECCAT-CAT-006\n"
    "    target: payments/stripe-api-key\n"
    "    reason: Waived while it was renewed every 45 days\n"
    '    expires: "2027-06-30"\n'
    "    approved_by: security@example.com\n"
)


def test_unmatched_and_soon_expiring_waivers_are_warnings(
    example_preview: Callable[[str], Preview],
) -> None:
    # a waiver of a finding that was fixed: the secret is renewed often enough now
    text = CATALOG.rstrip("\n") + "\n" + STALE
    catalog, diagnostics = parse_catalog(text, "catalog.yaml")
    assert diagnostics == [] and catalog is not None
    result = check(catalog, example_preview("prod"), load_pack("baseline"), today="2027-06-18")
    stale = _line_of(text, "target: payments/stripe-api-key") - 1
    expires = [_line_of(text, 'expires: "2027-06-30"', n) for n in (0, 1, 2)]
    soon = (
        "expires on 2027-06-30, in 12 days; renew it with a new approval or fix the finding "
        "(SECCAT-CAT-007 fails the check once it has expired) (WAIVER_EXPIRING)"
    )
    assert [d.render() for d in result.diagnostics] == [
        f"catalog.yaml:{expires[0]}:5: warning: waivers[0].expires: waiver of SECCAT-CAT-006 "
        f"for 'payments/partner-tls' {soon}",
        f"catalog.yaml:{expires[1]}:5: warning: waivers[1].expires: waiver of SECCAT-CAT-006 "
        f"for '{SEGMENT}' {soon}",
        f"catalog.yaml:{stale}:5: warning: waivers[2]: waiver of SECCAT-CAT-006 for "
        "'payments/stripe-api-key' matches no finding in stack prod; remove it if the "
        "finding is fixed, or correct its rule or target (WAIVER_UNMATCHED)",
        f"catalog.yaml:{expires[2]}:5: warning: waivers[2].expires: waiver of SECCAT-CAT-006 "
        f"for 'payments/stripe-api-key' {soon}",
    ]
    assert result.errors == []  # warnings only
    # months before expiry: only the stale waiver is worth a word; it fails the
    # check with --strict only
    calm = check(catalog, example_preview("prod"), load_pack("baseline"), today="2026-12-01")
    assert [(d.code, d.severity) for d in calm.diagnostics] == [("WAIVER_UNMATCHED", "warning")]
    assert not calm.failed
    strict = check(
        catalog, example_preview("prod"), load_pack("baseline"), today="2026-12-01", strict=True
    )
    assert [(d.code, d.severity) for d in strict.diagnostics] == [("WAIVER_UNMATCHED", "error")]
    assert strict.failed and strict.mandatory == []


def test_no_warning_where_a_waiver_cannot_apply(
    example_catalog: Catalog, example_preview: Callable[[str], Preview]
) -> None:
    """The partner-tls waiver in dev (the secret is prod-only), a waiver scoped to another
    environment, and one whose rule the pack disables: nothing to warn about."""
    scoped = _waiver("payments/stripe-api-key", environments=("staging",))
    waived, _ = parse_catalog(CATALOG, "catalog.yaml")
    assert waived is not None
    catalog = _with_waivers(waived, *waived.waivers, scoped)
    dev = check(catalog, example_preview("dev"), load_pack("baseline"), today="2026-12-01")
    assert dev.diagnostics == []
    cis = check(catalog, example_preview("prod"), load_pack("cis-aws-3"), today="2026-12-01")
    assert cis.diagnostics == []  # SECCAT-CAT-006 does not run in the CIS pack


def _run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", "check", "--stack", "prod", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=180,
    )


def test_cli_warns_and_strict_fails(tmp_path: Path) -> None:
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(CATALOG.replace('expires: "2027-06-30"', f'expires: "{soon}"', 1))
    line = _line_of(catalog.read_text(), f'expires: "{soon}"')
    warning = (
        f"{catalog}:{line}:5: warning: waivers[0].expires: waiver of SECCAT-CAT-006 for "
        f"'payments/partner-tls' expires on {soon}, in 10 days; renew it with a new approval "
        "or fix the finding (SECCAT-CAT-007 fails the check once it has expired) "
        "(WAIVER_EXPIRING)"
    )
    relaxed = _run_check("--catalog", str(catalog))
    assert relaxed.returncode == 0, relaxed.stdout + relaxed.stderr
    assert warning in relaxed.stdout.splitlines()
    assert relaxed.stdout.splitlines()[-1].endswith("2 waived, 1 warning")
    out = tmp_path / "report.json"
    strict = _run_check(
        "--catalog", str(catalog), "--strict", "--format", "json", "--out", str(out)
    )
    assert strict.returncode == 1
    assert warning.replace(": warning: ", ": error: ") in strict.stderr.splitlines()
    report = json.loads(out.read_text())
    assert report["passed"] is False and report["summary"]["errors"] == 1
    assert report["diagnostics"][0]["code"] == "WAIVER_EXPIRING"
