"""Moves are safe (issue 12, item 2): when a secret changes stack (one stack split into
micro-stacks, an owner change, a shard label), `seccat stacks --diff` prints the exact
`pulumi state move` commands, and after them every resource, protected ones included, is
where the new program declares it, under its URN or the alias the program gives it: nothing
is deleted and recreated. Checked on recorded offline previews."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seccat.catalog.loader import parse_catalog
from seccat.catalog.model import Catalog
from seccat.engine import preview as engine
from seccat.engine.recording import RecordedResource
from seccat.stacks.moves import MoveError, after_moves, plan_moves, script, with_engine_urns
from seccat.stacks.plan import plan_environment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = (ROOT / "catalog.yaml").read_text()
SPLIT = EXAMPLE + "stacks: {mode: split}\n"
ROOT_COMPONENTS = ("seccat:index:SecretsPlatform", "seccat:index:SecretsShard")


def _catalog(text: str) -> Catalog:
    catalog, diagnostics = parse_catalog(text.encode())
    assert catalog is not None, diagnostics
    return catalog


@pytest.fixture
def aliases(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """Every registration's aliases, by URN, as the program sends them to the engine: the
    SDK engine's, which sends them (the resource plan does not record aliases)."""
    monkeypatch.setenv("SECCAT_ENGINE", "sdk")
    seen: dict[str, list[Any]] = {}
    original = engine._RecordingMonitor.RegisterResource

    def spy(self: Any, request: Any) -> Any:
        response = original(self, request)
        seen[self.make_urn(request.parent, request.type, request.name)] = list(request.aliases)
        return response

    monkeypatch.setattr(engine._RecordingMonitor, "RegisterResource", spy)
    yield seen


def _previews(catalog: Catalog, env: str) -> dict[str, list[RecordedResource]]:
    return {
        s.name: engine.run_preview(catalog, s.name, "catalog.yaml").resources
        for s in plan_environment(catalog, env).stacks
    }


def _accepted_urns(resources: list[RecordedResource], sent: dict[str, list[Any]]) -> set[str]:
    """Each resource's URN and the URNs its aliases name, as the Pulumi engine resolves
    them: a root-parent alias (noParent) on a resource, inherited by its descendants."""
    by_urn = {r.urn: r for r in resources}
    accepted: set[str] = set()

    def alias_urns(r: RecordedResource) -> set[str]:
        own = {r.urn}
        stack_part, rest = r.urn.split("::", 1)
        project, chain_name = rest.split("::", 1)
        name = chain_name.rsplit("::", 1)[1]
        if any(a.spec.noParent for a in sent.get(r.urn, [])):
            own.add(f"{stack_part}::{project}::{r.type}::{name}")
        parent = by_urn.get(r.parent or "")
        if parent is not None and parent.type not in ROOT_COMPONENTS:
            for alias in alias_urns(parent):
                parent_chain = alias.split("::", 2)[2].rsplit("::", 1)[0]
                own.add(f"{stack_part}::{project}::{parent_chain}${r.type}::{name}")
        return own

    for r in resources:
        accepted |= alias_urns(r)
    return accepted


def _assert_safe(
    base: dict[str, list[RecordedResource]],
    head: dict[str, list[RecordedResource]],
    sent: dict[str, list[Any]],
) -> Any:
    plan = plan_moves(base, head)
    landed = after_moves(base, plan)
    keys_head = {(r.type, r.name): (s, r) for s, rs in head.items() for r in rs if r.custom}
    # every custom resource of the base that the head still has: in the same stack under an
    # URN (or alias) the head program accepts
    accepted = {}
    for s, rs in head.items():
        engine_view = with_engine_urns(rs, s)
        renamed = {old.urn: sent.get(old.urn, []) for old in rs}
        by_new = {new.urn: renamed[old.urn] for old, new in zip(rs, engine_view, strict=True)}
        accepted[s] = _accepted_urns(engine_view, by_new)
    moved_protected = 0
    for stack, resources in base.items():
        for r in resources:
            if not r.custom or r.type.startswith("pulumi:providers:"):
                continue
            target = keys_head.get((r.type, r.name))
            if target is None:
                continue
            dest, _ = target
            landed_here = [u for u in landed.get(dest, ()) if u.rsplit("::", 1)[1] == r.name]
            assert any(u in accepted[dest] for u in landed_here), (
                r.type,
                r.name,
                dest,
                landed_here,
            )
            if dest != stack and r.options.get("protect"):
                moved_protected += 1
    return plan, moved_protected


def test_splitting_one_stack_moves_each_teams_resources_and_keeps_protected_data(
    aliases: dict[str, list[Any]],
) -> None:
    base = _previews(_catalog(EXAMPLE), "prod")
    head = _previews(_catalog(SPLIT), "prod")
    assert list(base) == ["prod"]
    plan, moved_protected = _assert_safe(base, head, aliases)
    assert sorted((m.source, m.dest) for m in plan.moves) == [
        ("prod", "prod.data"),
        ("prod", "prod.identity"),
        ("prod", "prod.payments"),
    ]
    assert plan.new_stacks == ["prod.data", "prod.identity", "prod.payments"]
    # secrets and their log groups, KV metadata: data the move keeps (prod protects)
    assert moved_protected > 10
    assert sum(m.protected for m in plan.moves) == moved_protected
    payments = next(m for m in plan.moves if m.dest == "prod.payments")
    assert (
        "urn:pulumi:prod::seccat::seccat:index:SecretsPlatform$seccat:aws:ManagedSecret::prod/payments/stripe-api-key"
        in payments.urns
    )
    # a consumer policy leaves its component (the role stays on the platform)
    assert (
        "urn:pulumi:prod::seccat::seccat:index:SecretsPlatform$seccat:aws:ServiceAccess$"
        "aws:iam/rolePolicy:RolePolicy::prod/checkout-api/secrets-policy" in payments.urns
    )
    # children are never listed: state move takes them along
    assert not any("ManagedSecret$aws:secretsmanager/secret:Secret" in u for u in payments.urns)
    # the platform keeps what it had: no move out of it into itself
    assert all(m.dest != "prod" for m in plan.moves)


def test_an_owner_change_moves_exactly_that_secret(aliases: dict[str, list[Any]]) -> None:
    moved = SPLIT.replace(
        "  payments/webhook-signing-key:\n    description: HMAC key that signs outgoing payment"
        " webhooks\n    owner: payments\n",
        "  payments/webhook-signing-key:\n    description: HMAC key that signs outgoing payment"
        " webhooks\n    owner: data\n",
    )
    assert moved != SPLIT
    base = _previews(_catalog(SPLIT), "prod")
    head = _previews(_catalog(moved), "prod")
    plan, moved_protected = _assert_safe(base, head, aliases)
    (move,) = plan.moves
    assert (move.source, move.dest) == ("prod.payments", "prod.data")
    assert move.subjects == ("secrets/payments/webhook-signing-key",)
    assert move.urns == (
        "urn:pulumi:prod.payments::seccat::seccat:index:SecretsShard$seccat:aws:ManagedSecret"
        "::prod/payments/webhook-signing-key",
    )
    # the secret, its rotation log group: protected, moved, not replaced
    assert moved_protected == move.protected == 2
    lines = list(script("prod", plan))
    assert lines[-1] == (
        "pulumi state move --source prod.payments --dest prod.data --yes \\\n"
        "  'urn:pulumi:prod.payments::seccat::seccat:index:SecretsShard$seccat:aws:"
        "ManagedSecret::prod/payments/webhook-signing-key'"
    )
    assert plan.new_stacks == []


def test_a_shard_label_moves_the_secret_into_its_own_stack(aliases: dict[str, list[Any]]) -> None:
    pinned = SPLIT.replace(
        "  identity/jwt-signing-key:\n", "  identity/jwt-signing-key:\n    shard: signing\n", 1
    )
    base = _previews(_catalog(SPLIT), "prod")
    head = _previews(_catalog(pinned), "prod")
    plan, _ = _assert_safe(base, head, aliases)
    assert [(m.source, m.dest) for m in plan.moves] == [("prod.identity", "prod.identity.signing")]
    assert plan.new_stacks == ["prod.identity.signing"]


def test_a_move_without_the_alias_would_replace_so_the_check_fails(
    aliases: dict[str, list[Any]],
) -> None:
    """Negative control: drop the aliases the program declares and the moved resources no
    longer match what the destination program declares."""
    base = _previews(_catalog(EXAMPLE), "prod")
    head = _previews(_catalog(SPLIT), "prod")
    aliases.clear()
    with pytest.raises(AssertionError):
        _assert_safe(base, head, aliases)


def test_a_resource_split_from_its_parent_is_refused() -> None:
    parent = RecordedResource(
        "seccat:aws:ManagedSecret",
        "s",
        "urn:pulumi:a::seccat::seccat:aws:ManagedSecret::s",
        None,
        {},
        {},
        False,
    )
    child = RecordedResource(
        "aws:secretsmanager/secret:Secret",
        "s",
        "urn:pulumi:a::seccat::seccat:aws:ManagedSecret$aws:secretsmanager/secret:Secret::s",
        parent.urn,
        {},
        {},
        True,
    )
    moved_parent = RecordedResource(
        parent.type, "s", "urn:pulumi:b::seccat::seccat:aws:ManagedSecret::s", None, {}, {}, False
    )
    kept_child = RecordedResource(
        child.type,
        "s",
        "urn:pulumi:a::seccat::aws:secretsmanager/secret:Secret::s",
        None,
        {},
        {},
        True,
    )
    with pytest.raises(MoveError, match="would follow its parent to b"):
        plan_moves({"a": [parent, child]}, {"a": [kept_child], "b": [moved_parent]})


def test_stacks_diff_prints_the_commands(tmp_path: Path) -> None:
    base = tmp_path / "base.yaml"
    base.write_text(SPLIT)
    head = tmp_path / "catalog.yaml"
    head.write_text(
        SPLIT.replace(
            "  identity/jwt-signing-key:\n", "  identity/jwt-signing-key:\n    shard: signing\n", 1
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "seccat.cli",
            "stacks",
            "--diff",
            "--base",
            str(base),
            "-c",
            str(head),
            "-s",
            "prod",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "# prod: run before `pulumi up` of any of these stacks; then `pulumi up`",
        "# each destination stack (it adopts what arrives, nothing is replaced), then each",
        "# source stack. Back up the stacks first: `pulumi stack export --stack S`.",
        "pulumi stack init prod.identity.signing",
        # a Vault KV secret: its metadata (protected: it holds the versions) and schedule
        "# prod.identity -> prod.identity.signing: 2 resources (1 protected) of "
        "secrets/identity/jwt-signing-key",
        "pulumi state move --source prod.identity --dest prod.identity.signing --yes \\",
        "  'urn:pulumi:prod.identity::seccat::seccat:index:SecretsShard$aws:scheduler/schedule:"
        "Schedule::prod-kv-rotation-identity.jwt-signing-key' \\",
        "  'urn:pulumi:prod.identity::seccat::seccat:index:SecretsShard$vault:generic/endpoint:"
        "Endpoint::prod-vault-kv-meta-identity.jwt-signing-key'",
    ]
    same = subprocess.run(
        [
            sys.executable,
            "-m",
            "seccat.cli",
            "stacks",
            "--diff",
            "--base",
            str(base),
            "-c",
            str(base),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert same.returncode == 0
    assert same.stdout.splitlines() == [
        "# dev: no resource changes stacks",
        "# staging: no resource changes stacks",
        "# prod: no resource changes stacks",
    ]


def _seccat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seccat.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=600,
    )


def test_an_upgrade_that_moves_resources_is_diffed_against_a_saved_preview(
    tmp_path: Path, aliases: dict[str, list[Any]]
) -> None:
    """Before seccat put owner-rotated secrets' renewal schedules and alarms in their team
    stacks, the platform stack declared them. The same catalog then moves them: only a
    preview saved with the old version shows it. The old layout is rebuilt here from
    today's preview (same types and names, declared under the platform's root component);
    `stacks --diff --base-preview` moves exactly those resources, and after the moves every
    resource is where the new program accepts it (URN or alias), as for catalog changes."""
    from seccat.cli.stack_moves import read_saved_previews
    from seccat.documents import logical_names as logical
    from seccat.documents.renewal import alarm_names, watched_secrets

    split = tmp_path / "catalog.yaml"
    split.write_text(SPLIT)
    saved = _seccat("preview", "--all-stacks", "-c", str(split), "-f", "json")
    assert saved.returncode == 0, saved.stderr
    document = json.loads(saved.stdout)
    prod = {d["stack"]: d for d in document["stacks"] if d["stack"].startswith("prod")}
    (root,) = [r for r in prod["prod"]["resources"] if r["type"] == ROOT_COMPONENTS[0]]
    catalog = _catalog(SPLIT)
    watched = {s.id for s in watched_secrets(catalog, catalog.environments["prod"])}
    names = set()
    for secret_id in watched:
        names.add(logical.renewal_schedule("prod", secret_id))
        names |= {logical.function_alarm("prod", a) for a in alarm_names("prod", secret_id)}
    relocated = []
    for stack, one in prod.items():
        if stack == "prod":
            continue
        for r in [r for r in one["resources"] if r["name"] in names]:
            one["resources"].remove(r)
            r = {**r, "parent": root["urn"], "urn": f"urn:pulumi:prod::seccat::"
                 f"{ROOT_COMPONENTS[0]}${r['type']}::{r['name']}"}  # fmt: skip
            prod["prod"]["resources"].append(r)
            relocated.append(r)
    assert len(relocated) == 3 * len(watched) == 15
    before = tmp_path / "before.json"
    before.write_text(json.dumps(document))

    moved = _seccat(
        "stacks", "--diff", "--base-preview", str(before), "-c", str(split), "-s", "prod"
    )
    assert moved.returncode == 0, moved.stderr
    moving = [
        line.strip(" '\\")
        for line in moved.stdout.splitlines()
        if line.startswith("  'urn:pulumi:prod::")
    ]
    expected = sorted(
        f"urn:pulumi:prod::seccat::{ROOT_COMPONENTS[0]}${r['type']}::{r['name']}" for r in relocated
    )
    assert sorted(moving) == expected
    assert "pulumi stack init" not in moved.stdout  # every team stack exists already
    assert "(0 protected)" in moved.stdout and "protected) of" in moved.stdout

    base = {s: rs for s, rs in read_saved_previews(before).items() if s.startswith("prod")}
    plan, moved_protected = _assert_safe(base, _previews(catalog, "prod"), aliases)
    assert sorted(u for m in plan.moves for u in m.urns) == expected
    assert moved_protected == 0

    # negative control: the preview of this very version moves nothing
    (tmp_path / "now.json").write_text(saved.stdout)
    same = _seccat(
        "stacks", "--diff", "--base-preview", str(tmp_path / "now.json"), "-c", str(split)
    )
    assert same.returncode == 0, same.stderr
    assert same.stdout.splitlines() == [
        f"# {env}: no resource changes stacks" for env in ("dev", "staging", "prod")
    ]


def test_a_base_preview_that_is_not_one_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"schemaVersion": 1, "stacks": [{"stack": "prod"}]}')
    (tmp_path / "y.json").write_text("[1, 2]")
    for name, why in (
        ("x.json", "a stack or resource lacks its fields"),
        ("y.json", "schemaVersion 1"),
        ("missing.json", "No such file or directory"),
    ):
        done = _seccat("stacks", "--diff", "--base-preview", str(tmp_path / name))
        assert (done.returncode, done.stdout) == (2, ""), name
        assert done.stderr.startswith(f"seccat: error: --base-preview {tmp_path / name}: ")
        assert why in done.stderr, done.stderr
    both = _seccat("stacks", "--diff", "--base", "x", "--base-preview", "y")
    assert both.returncode == 2 and "give one" in both.stderr
