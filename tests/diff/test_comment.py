"""The pull-request comment (`seccat diff --format markdown`): the golden comment of the
example change, its Mermaid graph parsed by Mermaid itself, user text escaped, and the
GitHub size limit kept by summarising."""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown_it import MarkdownIt

from seccat.access.model import Principal
from seccat.catalog.diagnostics import Diagnostic
from seccat.checking.baseline import Comparison
from seccat.checking.findings import Finding
from seccat.diff.model import (
    AccessChange,
    DiffResult,
    FieldChange,
    Location,
    SecretChange,
    SideInfo,
    StackDiff,
)
from seccat.reports import diff_markdown
from seccat.reports.escape import md_code, md_text, mermaid_label
from seccat.reports.links import Links
from tests.diff import mermaid_oracle
from tests.diff.conftest import ROOT, run

GOLDEN = ROOT / "tests" / "golden" / "diff-comment.md"
LINK_BASE = "https://github.com/example/secrets/blob/0123456789abcdef0123456789abcdef01234567"


def html(markdown: str) -> str:
    """GitHub-flavoured enough to count cells and see tags: CommonMark plus tables."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def test_the_comment_is_the_golden_file(change_dir: Path, tmp_path: Path) -> None:
    done = run(
        [
            "diff",
            "--base",
            "base.yaml",
            "--all-stacks",
            "--format",
            "markdown",
            "--out",
            str(tmp_path / "comment.md"),
        ],
        change_dir,
        GITHUB_SERVER_URL="https://github.com",
        GITHUB_REPOSITORY="example/secrets",
        GITHUB_SHA="0123456789abcdef0123456789abcdef01234567",
    )
    assert done.returncode == 1
    assert done.stderr == "FAILED: 1 unapproved access grant to restricted secrets\n"
    comment = (tmp_path / "comment.md").read_text(encoding="utf-8")
    assert comment == GOLDEN.read_text(encoding="utf-8")
    # --link-base gives the same links as the GitHub variables
    lines = comment.splitlines()
    assert lines[0] == diff_markdown.MARKER
    assert lines[1].startswith("**❌ seccat:** 1 unapproved access grant")
    headings = [line for line in lines if line.startswith("### ")]
    assert headings == ["### Access changes", "### Catalog changes"]
    assert lines.index("### Access changes") < lines.index("No new findings, and none fixed.")
    # The example catalog has no pre-existing finding (its owner-rotated secrets are watched,
    # not waived), so the comment ends with the findings line, without a details block.
    assert lines[-1] == "No new findings, and none fixed."
    assert f"]({LINK_BASE}/catalog.yaml#L112)" in comment


def test_the_golden_graph_parses_with_mermaid() -> None:
    comment = GOLDEN.read_text(encoding="utf-8")
    (graph,) = mermaid_oracle.blocks(comment)
    (parsed,) = mermaid_oracle.parse([graph])
    assert (parsed["ok"], parsed["type"]) == (True, "flowchart-v2")
    assert [n for n, _ in parsed["nodes"]] == ["n0", "n1", "n2", "n3"]
    assert parsed["edges"] == [
        ["n0", "n1", "+ DescribeSecret, GetSecretValue"],
        ["n0", "n2", "- DescribeSecret, GetSecretValue"],
        ["n3", "n2", "- DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage"],
    ]


def test_the_oracle_rejects_a_broken_graph() -> None:
    """Negative control: a quote left raw in a label, and an edge to nowhere."""
    results = mermaid_oracle.parse(
        [
            'flowchart LR\n  n0["a"b"] --> n1["x"]\n',
            'flowchart LR\n  n0["a"] -->|"b"|\n',
        ]
    )
    assert [r["ok"] for r in results] == [False, False]


HOSTILE = (
    'pwn"] --> x["<img src=x onerror=alert(1)> | @octocat #12 `tick` ``` '
    "[link](https://evil.example) :secret: $x$ www.evil.example\n## heading <!-- -->"
)


def _hostile_result() -> DiffResult:
    where = Location("catalog.yaml", 7, 3)
    principal = Principal("vault:aws-prod/role/" + HOSTILE, "vault-role", HOSTILE)
    stack = StackDiff("prod", True, True, True)
    stack.changed.append(
        SecretChange(
            "team/key",
            "changed",
            where,
            "restricted",
            "active",
            (FieldChange("description", "old", HOSTILE),),
        )
    )
    stack.granted.append(
        AccessChange(
            principal,
            HOSTILE,
            "vault-kv",
            frozenset({"data:read"}),
            frozenset({"data:read"}),
            "restricted",
            where,
            needs_approval=True,
        )
    )
    finding = Finding(
        "SECCAT-CAT-002", "medium", "advisory", HOSTILE, "catalog", "catalog.yaml", 9, 5, "t"
    )
    stack.findings = Comparison(new=[finding])
    return DiffResult(
        SideInfo("base", "base.yaml", None, None, True),
        SideInfo("head", "catalog.yaml", None, None, True),
        "baseline",
        [stack],
        Comparison(),
    )


def _cells(rendered: str) -> list[int]:
    return [row.count("<td>") + row.count("<td ") for row in rendered.split("<tr>")[1:]]


def test_user_text_cannot_escape_its_cell_ping_link_or_inject() -> None:
    comment = diff_markdown.render(_hostile_result(), Links(LINK_BASE))
    rendered = html(comment.removeprefix(diff_markdown.MARKER))
    # GitHub acts on text, never inside code: what is left outside code must be inert
    text = re.sub(r"<code[^>]*>.*?</code>", "", rendered, flags=re.DOTALL)
    for live in ("<img", "<!--", "@octocat", "#12", ":secret:", "https://evil", "www.evil"):
        assert live not in text, live
    assert "&#36;x&#36;" in comment  # math needs a literal '$' in the source
    assert "@\u200boctocat" in text  # shown, with a zero-width space GitHub does not mention
    # every table row keeps its columns: no cell was split by a pipe in user text
    tables = rendered.split("<table>")[1:]
    for table in tables:
        header = table.split("</thead>")[0].count("<th>")
        body = table.split("<tbody>")[1] if "<tbody>" in table else ""
        assert set(_cells("<tr>" + body)) <= {header, 0}
    # the only links are the catalog line and the rule docs
    hrefs = set(re.findall(r'href="([^"]+)"', rendered))
    assert hrefs == {
        f"{LINK_BASE}/catalog.yaml#L7",
        f"{LINK_BASE}/catalog.yaml#L9",
        f"{LINK_BASE}/docs/policies.md#seccat-cat-002",
    }
    # one heading line per section: user text made none
    assert [line for line in comment.splitlines() if line.startswith("#")] == [
        "### Access changes",
        "### Catalog changes",
        "### New findings: 0 mandatory, 1 other",
    ]


def test_hostile_labels_still_make_a_graph_mermaid_parses() -> None:
    comment = diff_markdown.render(_hostile_result(), Links())
    (graph,) = mermaid_oracle.blocks(comment)
    naive = graph.replace(
        mermaid_label(HOSTILE.replace("\n", " ") + " (restricted)"),
        f'"{HOSTILE} (restricted)"'.replace("\n", " "),
    )
    assert naive != graph
    escaped, unescaped = mermaid_oracle.parse([graph, naive])
    # one principal, one secret, one edge: the label stayed a label
    assert escaped["ok"] is True
    assert [n for n, _ in escaped["nodes"]] == ["n0", "n1"]
    assert [e[:2] for e in escaped["edges"]] == [["n0", "n1"]]
    # negative control: the same label unescaped injects a node and an edge of its own
    assert unescaped["ok"] is True
    assert "x" in [n for n, _ in unescaped["nodes"]]
    assert len(unescaped["edges"]) == 2
    assert "```" not in graph and "<img" not in graph


def test_escapers_by_example() -> None:
    assert md_text("a|b `c` <d> @e #1 [f](g) :x: $y$ *z*") == (
        "a\\|b \\`c\\` &lt;d&gt; @&#8203;e \\#&#8203;1 \\[f\\]\\(g\\) "
        ":&#8203;x: &#36;y&#36; \\*z\\*"
    )
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("`x`", table=False) == "`` `x` ``"
    assert mermaid_label('a"b#c<d>`e') == '"a#quot;b#35;c#lt;d#gt;#96;e"'
    assert md_text("line\nbreak\r\nagain") == "line break again"
    # control and bidi characters are shown, not obeyed
    assert md_text("a\x1b[31mb\u202ec") == "a\\\\x1b\\[31mb\\\\u202ec"
    assert mermaid_label("a\x07b") == '"a#92;x07b"'


def _big_result(n: int) -> DiffResult:
    stack = StackDiff("prod", True, True, True)
    for i in range(n):
        where = Location("catalog.yaml", i + 1, 3)
        principal = Principal(
            f"arn:aws:iam::1:role/svc-{i}", "aws-role", f"svc-{i}", ("services", f"svc-{i}")
        )
        stack.granted.append(
            AccessChange(
                principal,
                f"team/secret-{i}",
                "aws-secretsmanager",
                frozenset({"secretsmanager:GetSecretValue"}),
                frozenset({"secretsmanager:GetSecretValue"}),
                "confidential",
                where,
            )
        )
        stack.added.append(
            SecretChange(f"team/secret-{i}", "added", where, "confidential", "active")
        )
    findings = [
        Finding(
            "SECCAT-CAT-006",
            "high",
            "mandatory",
            f"secret 'team/secret-{i}' rotates too rarely " * 3,
            "catalog",
            "catalog.yaml",
            i + 1,
            5,
            f"team/secret-{i}",
        )
        for i in range(n)
    ]
    stack.findings = Comparison(new=findings[: n // 2], existing=findings[n // 2 :])
    return DiffResult(
        SideInfo("base", "base.yaml", None, None, True),
        SideInfo("head", "catalog.yaml", None, None, True),
        "baseline",
        [stack],
        Comparison(),
    )


def test_a_huge_change_is_summarised_under_githubs_limit() -> None:
    result = _big_result(3000)
    comment = diff_markdown.render(result, Links(LINK_BASE))
    size = len(comment.encode("utf-8"))
    assert size <= diff_markdown.GITHUB_LIMIT
    assert size > diff_markdown.GITHUB_LIMIT // 4  # summarised, not emptied
    lines = comment.splitlines()
    assert lines[1] == "**❌ seccat:** 1500 new mandatory findings (stacks: prod)."
    assert (
        "_Summarised to stay within GitHub's comment size; the JSON report has everything._"
        in lines
    )
    assert "### New findings: 1500 mandatory, 0 other" in lines
    assert any("more new findings (see the JSON report" in line for line in lines)
    (graph,) = mermaid_oracle.blocks(comment)
    assert mermaid_oracle.parse([graph])[0]["ok"] is True
    # a small change is never summarised
    assert "_Summarised" not in diff_markdown.render(_big_result(3), Links(LINK_BASE))


def test_an_invalid_head_is_reported_at_its_lines() -> None:
    bad = Diagnostic(
        "catalog.yaml",
        12,
        9,
        "secrets.a/b.consumers.0.service",
        "unknown service 'chekout-api'",
        "REF",
    )
    from seccat.diff.compare import validation_findings

    result = DiffResult(
        SideInfo("base", "base.yaml", None, None, True),
        SideInfo("head", "catalog.yaml", None, None, True, (bad,)),
        "baseline",
        [],
        Comparison(new=validation_findings([bad])),
    )
    comment = diff_markdown.render(result, Links(LINK_BASE))
    assert comment.splitlines()[1] == "**❌ seccat:** the catalog is invalid (1 new error)."
    assert f"[`catalog.yaml:12`]({LINK_BASE}/catalog.yaml#L12)" in comment
    assert "unknown service 'chekout-api'" in comment
    assert json.loads(json.dumps(result.to_json()))["verdict"]["failed"] is True
