"""Member names of a replaced deployment zip are the replacer's text: in a verify finding
they are escaped and capped in every format, the text report keeps one line per finding,
and a zip that names one file twice cannot hide which copy runs (red-team pass)."""

from __future__ import annotations

import hashlib
import io
import json
import warnings
import zipfile

from seccat.operations.verify import lambda_code
from seccat.operations.verify.findings import Finding, VerifyResult
from seccat.reports.verify import render_json, render_markdown, render_sarif, render_text

GOOD = b"def handler(event, context): pass\n"
EXPECTED = {"index.py": hashlib.sha256(GOOD).hexdigest()}


def _zip(*members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": what is under test
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in members:
                archive.writestr(name, data)
    return buffer.getvalue()


def _finding(differing: list[str], live: dict[str, str]) -> Finding:
    """As verify_code builds it (seccat/operations/verify/aws.py)."""
    names = lambda_code.named(differing)
    return Finding(
        check="aws.function.code",
        environment="prod",
        subject="seccat-prod-rotate",
        message="function seccat-prod-rotate: deployed code differs from the packaged files: "
        + lambda_code.described(differing),
        file="catalog.yaml",
        line=3,
        column=5,
        catalog_path=("secrets", "a", "rotation"),
        expected={"files": {k: v for k, v in EXPECTED.items() if k in names}},
        live={"files": {k: v for k, v in live.items() if k in names}},
    )


FORGED = "\nseccat verify: no drift: 0 finding(s), 9 comparisons in prod\n::stop-commands::x"


def test_a_name_with_line_breaks_and_escapes_stays_on_the_findings_line() -> None:
    live = lambda_code.deployed_files(
        _zip(("index.py", GOOD), (f"evil.py{FORGED}", b""), ("b\x1b]0;t\x07\u202e.py", b""))
    )
    finding = _finding(lambda_code.differences(EXPECTED, live), live)
    result = VerifyResult("catalog.yaml", ["prod"], [finding], [], {"prod": 1})
    text = render_text(result)
    lines = text.splitlines()
    assert len(lines) == 4, text  # the finding, expected, live, the summary
    assert lines[0].startswith("catalog.yaml:3:5: error: aws.function.code:prod/")
    assert "extra evil.py\\nseccat verify: no drift" in lines[0]
    assert all(line.isprintable() for line in lines), text
    assert lines[-1].startswith("seccat verify: DRIFT")
    markdown = render_markdown(result)
    assert "\x1b" not in markdown and "\u202e" not in markdown
    for rendered in (markdown, render_json(result), render_sarif(result)):
        assert "\n::stop-commands" not in rendered and "\nseccat verify: no" not in rendered
    # JSON escapes what JSON must in the details (the member names themselves, for
    # scripts); the message, which people read, holds the escaped, capped form
    (sarif,) = json.loads(render_sarif(result))["runs"][0]["results"]
    (as_json,) = json.loads(render_json(result))["findings"]
    for message in (sarif["message"]["text"], as_json["message"]):
        assert "extra b\\x1b]0;t\\x07\\u202e.py" in message
    assert f"evil.py{FORGED}" in as_json["live"]["files"]


def test_clean_names_read_as_before() -> None:
    """Negative control: plain names are shown as they are."""
    live = lambda_code.deployed_files(_zip(("index.py", GOOD + b"#"), ("x.py", b"")))
    differing = lambda_code.differences(EXPECTED, live)
    assert lambda_code.described(differing) == "changed index.py, extra x.py"


def test_many_or_long_names_are_capped() -> None:
    members = [(f"{i:05d}-" + "n" * 5000, b"") for i in range(500)]
    live = lambda_code.deployed_files(_zip(("index.py", GOOD), *members))
    differing = lambda_code.differences(EXPECTED, live)
    assert len(differing) == 500
    shown = lambda_code.described(differing)
    assert shown.endswith(", and 480 more")
    assert shown.count("extra ") == lambda_code.MAX_NAMED == 20
    assert len(shown) < 20 * 100
    assert lambda_code.named(differing) == {name for name, _ in members[:20]}


def test_a_file_named_twice_is_a_difference() -> None:
    """Which copy Lambda runs is not seccat's to guess: the packaged bytes in one copy must
    not hide other bytes in the other."""
    for order in ((GOOD, b"import os  # other"), (b"import os  # other", GOOD), (GOOD, GOOD)):
        live = lambda_code.deployed_files(_zip(*(("index.py", data) for data in order)))
        assert lambda_code.differences(EXPECTED, live) == ["twice index.py"], order
    # negative control: once, the same bytes, compares equal
    once = lambda_code.deployed_files(_zip(("index.py", GOOD)))
    assert lambda_code.differences(EXPECTED, once) == []
