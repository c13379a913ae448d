"""`runs import`, `runs list` and `requests preview` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.reporters.common import MARKDOWN_LIMIT
from reconciler.store import open_store
from tests.conftest import run_cli
from tests.runs_helpers import add_ledger, record, write_ndjson

FLOW = """apiVersion: reconciler/v1
kind: Flow
name: {name}
mappings:
  - workflowName: {workflow}
{extra}"""

REQUEST = """apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: test
action: {action}
flows: [{flows}]
select:
{select}
limits:
  maxRuns: {max_runs}
"""


def _runs() -> list[str]:
    out = []
    for i in range(40):
        status = [2, 5, 1, 0][i % 4]  # Failed, ResubmitFailed, Completed, Active
        out.append(
            record(
                f"run-{i:03d}",
                statusId=status,
                workflowName="la-orders",
                executionTime=f"2026-11-27T{10 + i // 4:02d}:{i % 4 * 15:02d}:00.000Z",
                chainId=f"chain-{i % 3}",
                properties={"Country": "BE" if i % 2 else "NL"},
            )
        )
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "flows.d" / "Sales").mkdir(parents=True)
    (root / "requests.d").mkdir()
    endpoints = (
        "resubmit:\n  url: https://orders.example.com/resubmit\n"
        "resume:\n  url: https://orders.example.com/resume\n"
        "dispatch:\n  batchSize: 4\n"
    )
    (root / "flows.d" / "Sales" / "orders.yaml").write_text(
        FLOW.format(name="Orders", workflow="la-orders", extra=endpoints)
    )
    (root / "flows.d" / "Sales" / "quiet.yaml").write_text(
        FLOW.format(name="Quiet", workflow="la-quiet", extra="")
    )
    write_ndjson(root / "runs.ndjson", _runs())
    return root


def _request(
    root: Path,
    name: str,
    *,
    action: str = "resubmit",
    flows: str = "Orders",
    select: str = "  status: [Error]",
    max_runs: int = 1000,
) -> Path:
    path = root / "requests.d" / f"{name}.yaml"
    path.write_text(
        REQUEST.format(name=name, action=action, flows=flows, select=select, max_runs=max_runs)
    )
    return path


def _cli(root: Path, store: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--store", store, "--repo", str(root), *args, cwd=root)


def test_import_reports_rejections_with_positions(repo: Path, sqlite_url: str) -> None:
    bad = repo / "bad.json"
    bad.write_text("[\n" + record("ok-1") + ",\n" + '{"id": 5},\n' + record("ok-2") + "\n]\n")
    result = _cli(repo, sqlite_url, "runs", "import", "runs.ndjson", "bad.json")
    assert result.returncode == 1
    assert "bad.json:3:1: record 2: id: Input should be a valid string" in result.stderr
    assert "42 inserted, 0 updated, 0 unchanged, 1 rejected" in result.stdout
    again = _cli(repo, sqlite_url, "runs", "import", "runs.ndjson", "--format", "json")
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["formatVersion"] == 1 and doc["kind"] == "runs-import"
    assert (doc["inserted"], doc["unchanged"], doc["rejected"]) == (0, 40, 0)


def test_import_missing_file_is_one_line(repo: Path, sqlite_url: str) -> None:
    result = _cli(repo, sqlite_url, "runs", "import", "nope.ndjson")
    assert result.returncode == 1
    assert result.stderr.startswith("error: nope.ndjson: no such file")
    assert "Traceback" not in result.stderr


def test_list_filters_paging_and_exact_export(repo: Path, store_url: str) -> None:
    assert _cli(repo, store_url, "runs", "import", "runs.ndjson").returncode == 0
    result = _cli(
        repo,
        store_url,
        "runs",
        "list",
        "--status",
        "Error",
        "--after",
        "2026-11-27T12:00:00+00:00",
        "--before",
        "2026-11-27T15:00:00+01:00",
        "--property",
        "Country=BE",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    # 12:00 <= t < 14:00 UTC: runs 8..15; Error and Country BE (odd i): 9 (ResubmitFailed), 13
    assert [r["id"] for r in doc["runs"]] == ["run-009", "run-013"]
    assert doc["byStatus"] == {"ResubmitFailed": 2}
    regex = _cli(
        repo,
        store_url,
        "runs",
        "list",
        "--property",
        "Country~=^N.$",
        "--chain-id",
        "chain-0",
        "--limit",
        "2",
        "--offset",
        "1",
        "--format",
        "json",
    )
    page = json.loads(regex.stdout)
    assert [r["id"] for r in page["runs"]] == ["run-006", "run-012"]
    assert (page["total"], page["nextOffset"]) == (7, 3)
    export = _cli(repo, store_url, "runs", "list", "--limit", "100", "--format", "ndjson")
    assert export.stdout == (repo / "runs.ndjson").read_text()
    text = _cli(repo, store_url, "runs", "list", "--search", "chain-2", "--limit", "3")
    assert (
        "13 runs match (Active 3, Completed 4, Failed 3, ResubmitFailed 3); showing 1-3"
        in text.stdout
    )
    assert "next page: --offset 3" in text.stdout


def test_list_bad_filters_are_usage_errors(repo: Path, sqlite_url: str) -> None:
    for args, message in (
        (["--status", "Faild"], "unknown status 'Faild' (did you mean 'Failed'?)"),
        (["--after", "2026-11-27T12:00:00"], "has no zone (add Z or +hh:mm)"),
        (["--after", "2026-11-28T00:00:00Z", "--before", "2026-11-27T00:00:00Z"], "earlier than"),
        (["--from-request", "x:lost"], "use failed, delivered, any or failed-again"),
        (["--property", "Country"], "expected NAME<op>VALUE"),
        (["--property", "Country~=(?i)be"], "'(?' constructs"),
        (["--domain", "a", "--domain-contains", "b"], "exclude each other"),
    ):
        result = _cli(repo, sqlite_url, "runs", "list", *args)
        assert result.returncode in (1, 64), (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_preview_resubmit_counts_sample_and_batches(repo: Path, store_url: str) -> None:
    _cli(repo, store_url, "runs", "import", "runs.ndjson")
    _request(
        repo,
        "r1",
        select="  status: [Error]\n  executed:\n    after: 2026-11-27T10:00:00Z\n"
        "    before: '2026-11-27T14:00:00Z'",
    )
    result = _cli(repo, store_url, "requests", "preview", "--format", "json")
    assert result.returncode == 0, result.stderr
    (req,) = json.loads(result.stdout)["requests"]
    (flow,) = req["flows"]
    assert (req["state"], req["send"], req["batches"]) == ("ready", 8, 2)
    assert flow["sendByStatus"] == {"Failed": 4, "ResubmitFailed": 4}
    assert flow["membership"] == "git"  # not applied: members from the branch's mappings
    assert [s["id"] for s in flow["sample"]] == [
        "run-000",
        "run-001",
        "run-004",
        "run-005",
        "run-008",
    ]
    assert flow["batchSize"] == 4 and flow["exclusions"] == []


def test_preview_resume_excludes_non_error_runs_and_says_so(repo: Path, sqlite_url: str) -> None:
    _cli(repo, sqlite_url, "runs", "import", "runs.ndjson")
    _request(repo, "resume-all", action="resume", select="  chainIds: [chain-0]")
    result = _cli(repo, sqlite_url, "requests", "preview")
    assert result.returncode == 0, result.stderr
    # chain-0: i % 3 == 0 -> 14 runs: Failed 4, ResubmitFailed 3, Completed 3, Active 4
    assert "resume 7 runs in 2 batches, 7 excluded" in result.stdout
    assert "send: 7 (Failed 4, ResubmitFailed 3)" in result.stdout
    assert (
        "excluded: 7 resume applies only to runs in the Error group (Active 4, Completed 3)"
        in result.stdout
    )


def test_preview_over_max_runs_is_refused(repo: Path, store_url: str) -> None:
    _cli(repo, store_url, "runs", "import", "runs.ndjson")
    _request(repo, "too-many", max_runs=5)
    result = _cli(repo, store_url, "requests", "preview", "--format", "markdown")
    assert result.returncode == 1
    assert "20 runs selected for sending, over limits.maxRuns 5: dispatch refuses" in result.stdout
    assert "excluded 20 over maxRuns (20 > 5)" in result.stdout
    assert "**1 refused**" in result.stdout


def test_preview_flow_without_url_and_unknown_flow(repo: Path, sqlite_url: str) -> None:
    _cli(repo, sqlite_url, "runs", "import", "runs.ndjson")
    _request(repo, "quiet", flows="Quiet, Ghost")
    result = _cli(repo, sqlite_url, "requests", "preview")
    assert result.returncode == 1
    assert "error: flow 'Quiet' has no resubmit URL" in result.stdout
    assert "error: flow 'Ghost' exists neither in flows.d/ nor in the store" in result.stdout


def test_preview_from_request_and_dispatched_requests(repo: Path, store_url: str) -> None:
    _cli(repo, store_url, "runs", "import", "runs.ndjson")
    store = open_store(store_url)
    add_ledger(
        store, "earlier", "Orders", [("delivered", ["run-000"]), ("failed", ["run-001", "run-002"])]
    )
    store.close()
    _request(repo, "earlier", select="  status: [Error]")
    retry = _request(repo, "retry", select="  fromRequest: {name: earlier, outcome: failed}")
    _request(repo, "typo", select="  fromRequest: {name: nope}")
    result = _cli(repo, store_url, "requests", "preview", "--format", "json")
    reqs = {r["name"]: r for r in json.loads(result.stdout)["requests"]}
    assert reqs["earlier"]["state"] == "dispatched"
    assert "dispatched: completed_with_failures" in reqs["earlier"]["notes"][0]
    assert reqs["retry"]["send"] == 2
    assert reqs["retry"]["flows"][0]["sendByStatus"] == {"Completed": 1, "ResubmitFailed": 1}
    assert reqs["typo"]["problems"] == [
        "fromRequest: request 'nope' has no dispatch ledger in the store"
    ]
    assert result.returncode == 1
    one = _cli(repo, store_url, "requests", "preview", str(retry))
    assert one.returncode == 0 and "request retry" in one.stdout and "typo" not in one.stdout


def test_preview_markdown_stays_under_the_comment_limit(repo: Path, sqlite_url: str) -> None:
    _cli(repo, sqlite_url, "runs", "import", "runs.ndjson")
    for i in range(300):
        _request(repo, f"req-{i:03d}", select="  status: [Error]")
    result = _cli(repo, sqlite_url, "requests", "preview", "--format", "markdown", "--sample", "20")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) < MARKDOWN_LIMIT
    assert "Truncated" in result.stdout
    assert "| ✅ | `req-000` | resubmit | 20 | 5 | 0 |" in result.stdout


def test_preview_invalid_request_file(repo: Path, sqlite_url: str) -> None:
    (repo / "requests.d" / "broken.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: ResubmitRequest\n"
    )
    result = _cli(repo, sqlite_url, "requests", "preview")
    assert result.returncode == 1
    assert "requests.d/broken.yaml:" in result.stderr


def _listed(root: Path, store: str, status: str) -> dict[str, Any]:
    done = _cli(
        root, store, "runs", "list", "--status", status, "--limit", "100", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_statuses_override_in_reconciler_yaml_moves_names_and_groups(
    repo: Path, store_url: str
) -> None:
    """`statuses: {1: Failed}`: code 1 is Failed (so in the Error group), code 2 is no
    longer Failed -- for listing, counting, and what a request selects."""
    assert _cli(repo, store_url, "runs", "import", "runs.ndjson").returncode == 0
    (repo / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\nstatuses: {1: Failed}\n"
    )
    doc = _listed(repo, store_url, "Failed")
    # statusId 1 is every 4th run from run-002 on (i % 4 == 2)
    assert [r["id"] for r in doc["runs"]] == [f"run-{i:03d}" for i in range(2, 40, 4)]
    assert doc["byStatus"] == {"Failed": 10}
    error = _listed(repo, store_url, "Error")
    assert error["byStatus"] == {"Failed": 10, "ResubmitFailed": 10}
    assert {r["statusId"] for r in error["runs"]} == {1, 5}
    _request(repo, "2026-11-28-override")
    preview = _cli(repo, store_url, "requests", "preview", "--format", "json")
    assert preview.returncode == 0, preview.stderr
    (flow,) = json.loads(preview.stdout)["requests"][0]["flows"]
    assert flow["sendByStatus"] == {"Failed": 10, "ResubmitFailed": 10}, flow
    assert [r["id"] for r in flow["sample"][:3]] == ["run-001", "run-002", "run-005"]
    # Without the override, the same request selects Failed (2) and ResubmitFailed (5).
    (repo / "reconciler.yaml").unlink()
    default = _cli(repo, store_url, "requests", "preview", "--format", "json")
    sample = json.loads(default.stdout)["requests"][0]["flows"][0]["sample"]
    assert [r["id"] for r in sample[:3]] == ["run-000", "run-001", "run-004"]
    codes = _listed(repo, store_url, "Failed")
    assert {r["statusId"] for r in codes["runs"]} == {2}


def test_import_counts_one_of_a_thing_in_the_singular(repo: Path, sqlite_url: str) -> None:
    one = repo / "one.ndjson"
    one.write_text(record("only-1", workflowName="la-orders") + "\n")
    assert _cli(repo, sqlite_url, "apply").returncode == 0  # the flow the run belongs to
    result = _cli(repo, sqlite_url, "runs", "import", "one.ndjson")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("(1 flow membership added)"), result.stdout
