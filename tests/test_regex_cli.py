"""Regex property filters through the real CLI on both stores: what preview shows is what
dispatch sends, and a pattern a store would refuse is refused with its position before
anything is selected or sent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

REQUEST = "2026-11-28-regex"
REGEX_REQUEST = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: SAP was down, INC-1234
action: resubmit
flows: [Order Processing]
select:
  status: [Error]
  properties:
    - {{name: OrderId, op: regex, value: {pattern}}}
"""


def _cli(root: Path, store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "--store", store_url, "--repo", str(root), *args, env={"ORDERS_API_KEY": API_KEY}
    )


def _prepare(root: Path, store_url: str, ca_pem: Path, receiver: Receiver, pattern: str) -> None:
    write_tree(root, ca_pem=ca_pem, url=receiver.url())
    for default in (root / "requests.d").iterdir():
        default.unlink()
    seed_store_at(store_url, root, [record_text(i) for i in range(40)])
    (root / "requests.d" / f"{REQUEST}.yaml").write_text(
        REGEX_REQUEST.format(name=REQUEST, pattern=pattern)
    )


def test_regex_request_dispatches_exactly_the_matching_runs(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    # OrderId is A-<i>: ..A-27 match; must not
    pattern = "'^A-(3|2[5-7])$'"
    expected = {f"run-{i:06d}" for i in (3, 25, 26, 27)}
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        _prepare(tmp_path, store_url, ca_pem, receiver, pattern)
        preview = _cli(tmp_path, store_url, "requests", "preview", "--format", "json")
        assert preview.returncode == 0, preview.stdout + preview.stderr
        [previewed] = json.loads(preview.stdout)["requests"]
        assert previewed["send"] == 4 and previewed["state"] == "ready", previewed
        assert {run["id"] for run in previewed["flows"][0]["sample"]} == expected
        listed = _cli(
            tmp_path,
            store_url,
            "runs",
            "list",
            "--property",
            "OrderId~=^A-(3|2[5-7])$",
            "--format",
            "json",
        )
        assert listed.returncode == 0, listed.stderr
        assert {r["id"] for r in json.loads(listed.stdout)["runs"]} == expected
        done = _cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 0, done.stdout + done.stderr
        sent = [r["id"] for hit in receiver.hits for r in json.loads(hit.body)]
    assert sorted(sent) == sorted(expected)
    status = _cli(tmp_path, store_url, "requests", "status", REQUEST, "--format", "json")
    assert json.loads(status.stdout)["request"]["status"] == "completed", status.stdout


BAD_PATTERNS = [
    # (pattern as written in YAML, column inside the pattern, what the message says)
    ("'a{99999999999}'", 2, "bad bound {99999999999}"),
    ("'[z-a]'", 2, "range 'z-a' runs backwards"),
    ("'[a-z-9]'", 5, "'-' right after a range"),
    ("'(a{255}){255}'", 9, "multiply to more than 1000"),
    ('"A\\0B"', 2, "NUL is not allowed"),
    ("'x(?=y)'", 2, "'(?' constructs"),
]


def test_regex_the_stores_would_refuse_is_a_finding_with_its_position(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        for number, (pattern, column, problem) in enumerate(BAD_PATTERNS):
            root = tmp_path / f"repo{number}"
            url = f"sqlite:///{root / 'store.db'}" if store_url.startswith("sqlite") else store_url
            _prepare(root, url, ca_pem, receiver, pattern)
            request_file = f"requests.d/{REQUEST}.yaml"
            text = (root / request_file).read_text()
            line = next(n for n, row in enumerate(text.splitlines(), 1) if "op: regex" in row)
            col = text.splitlines()[line - 1].index(pattern) + 1
            validated = _cli(root, url, "validate", "--format", "json")
            assert validated.returncode == 1, validated.stdout + validated.stderr
            [finding] = json.loads(validated.stdout)["findings"]
            assert (finding["path"], finding["line"], finding["col"], finding["rule"]) == (
                request_file,
                line,
                col,
                "invalid-regex",
            ), finding
            assert f"column {column}: " in finding["message"] and problem in finding["message"]
            if number == 0:
                github = _cli(root, url, "validate", "--format", "github")
                assert f"::error file={request_file},line={line},col={col}" in github.stdout
            for command in (("requests", "preview"), ("requests", "dispatch")):
                done = _cli(root, url, *command)
                assert done.returncode == 1, (command, done.stdout, done.stderr)
                assert f"{request_file}:{line}:{col}" in done.stdout + done.stderr, done
                assert "internal error" not in done.stderr
        assert receiver.hits == []
    listed = _cli(root, url, "runs", "list", "--property", "OrderId~=[z-a]")
    assert listed.returncode in (1, 64) and "runs backwards" in listed.stderr, listed
