"""`seccat render` writes a runbook per secret, and every alarm links to one that exists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from seccat.documents.runbook_links import ALARM_DESCRIPTION_LIMIT, alarm_description

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "runbook-prod-payments-partner-tls.md"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def render(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "seccat.cli",
            "render",
            "--stack",
            "prod",
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("render") / "prod"
    result = render(out)
    assert result.returncode == 0, result.stderr
    return out


def alarms(rendered: Path) -> list[dict]:
    inventory = json.loads((rendered / "inventory.json").read_text())
    return [r for r in inventory["resources"] if r["type"] == ALARM]


def test_every_alarm_links_to_a_runbook_that_was_written(rendered: Path) -> None:
    found = alarms(rendered)
    # Errors and Throttles of 3 rotation functions, 2 KV rotators and the renewal check; the
    # reminder and the overdue alarm of 5 owner-rotated secrets (3 in Secrets Manager, 2 in KV)
    assert len(found) == 22
    for alarm in found:
        description = alarm["inputs"]["alarmDescription"]
        assert len(description) <= ALARM_DESCRIPTION_LIMIT
        link = re.fullmatch(r".+ Runbook: (runbooks/[a-z0-9_/-]+\.md)", description)
        assert link, description
        assert (rendered / link.group(1)).is_file(), link.group(1)


def test_one_runbook_per_secret_and_shared_function(rendered: Path) -> None:
    pages = sorted(
        p.relative_to(rendered / "runbooks").as_posix()
        for p in (rendered / "runbooks").rglob("*.md")
    )
    assert pages == [
        "README.md",
        "_platform/kv-rotator-data.md",
        "_platform/kv-rotator-identity.md",
        "_platform/renewal-check.md",
        "data/legacy-ftp-password.md",
        "data/segment-write-key.md",
        "data/warehouse-etl.md",
        "data/warehouse-reader.md",
        "identity/jwt-signing-key.md",
        "identity/ldap-bind-password.md",
        "identity/oauth-client-secret.md",
        "identity/saml-signing-cert.md",
        "payments/orders-db-admin.md",
        "payments/orders-db-app.md",
        "payments/partner-tls.md",
        "payments/stripe-api-key.md",
        "payments/webhook-signing-key.md",
    ]


def test_owner_rotated_certificate_runbook_exactly(rendered: Path) -> None:
    """The whole page, byte for byte (regenerate with SECCAT_UPDATE_GOLDEN=1, then read it)."""
    page = (rendered / "runbooks" / "payments" / "partner-tls.md").read_bytes()
    if os.environ.get("SECCAT_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(page)
    assert page == GOLDEN.read_bytes()


def test_rotated_secret_runbook_has_its_commands_and_alarms(rendered: Path) -> None:
    page = (rendered / "runbooks" / "payments" / "orders-db-app.md").read_text()
    for command in (
        "seccat status --stack prod",
        "seccat verify --stack prod",
        "seccat rotate payments/orders-db-app --stack prod --dry-run",
        "seccat rotate payments/orders-db-app --stack prod\n",
        "seccat rollback payments/orders-db-app --stack prod",
        "seccat events --stack prod --log-group - --secret payments/orders-db-app",
    ):
        assert command in page, command
    assert "### seccat-prod-rotate-payments\\_orders-db-app-errors" in page
    assert "Read `/seccat/prod/rotation/payments/orders-db-app`" in page
    # A Vault static login cannot go back: no rollback command on its page.
    etl = (rendered / "runbooks" / "data" / "warehouse-etl.md").read_text()
    assert "seccat rollback" not in etl and "cannot be rolled back" in etl


def test_alarms_link_to_the_published_url_and_user_text_is_escaped(tmp_path: Path) -> None:
    hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** | pipe"
    catalog = tmp_path / "catalog.yaml"
    text = (ROOT / "catalog.yaml").read_text()
    text = text.replace(
        "description: Client certificate presented to the acquiring bank",
        f"description: '{hostile}'",
    )
    url = "https://git.example.com/platform/secrets/blob/main/rendered/{environment}/runbooks/{secret}.md"
    catalog.write_text(text + f"\nrunbooks: {{url: '{url}'}}\n")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "seccat.cli",
            "render",
            "--stack",
            "prod",
            "--catalog",
            str(catalog),
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    overdue = next(
        a
        for a in alarms(out)
        if a["inputs"]["name"] == "seccat-prod-renewal-overdue-payments.partner-tls"
    )
    assert overdue["inputs"]["alarmDescription"].endswith(
        " Runbook: https://git.example.com/platform/secrets/blob/main/rendered/prod/runbooks/"
        "payments/partner-tls.md"
    )
    page = (out / "runbooks" / "payments" / "partner-tls.md").read_text()
    assert (
        re.search(r"(?<!\\)[<>\[\]|*]", page.split("| Description |", 1)[1].split("\n")[0][:-2])
        is None
    )
    assert "&lt;img src=x onerror=alert\\(1\\)&gt; \\[click\\]\\(javascript:alert\\(1\\)\\)" in page


def test_alarm_description_keeps_the_link_whole() -> None:
    link = "https://git.example.com/" + "a" * 380 + "/payments/partner-tls.md"
    text = alarm_description("x" * 2000, link)
    assert len(text) == ALARM_DESCRIPTION_LIMIT
    assert text.endswith(f"... Runbook: {link}")
    assert alarm_description("short.", "runbooks/a.md") == "short. Runbook: runbooks/a.md"
    with pytest.raises(ValueError, match="leaves no room"):
        alarm_description("x", "https://e.com/" + "a" * 1000)
