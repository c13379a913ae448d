"""Two pending requests that would send the same run: `requests preview` warns on both,
naming the other, in every format (the run would be resubmitted twice)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.runs_helpers import record, write_ndjson

FLOW = """apiVersion: reconciler/v1
kind: Flow
name: {name}
mappings:
  - workflowName: {workflow}
resubmit:
  url: https://{workflow}.example.com/resubmit
"""

REQUEST = """apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: test
action: resubmit
flows: [{flows}]
select:
{select}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "flows.d").mkdir(parents=True)
    (root / "requests.d").mkdir()
    (root / "flows.d" / "orders.yaml").write_text(FLOW.format(name="Orders", workflow="la-orders"))
    (root / "flows.d" / "audit.yaml").write_text(FLOW.format(name="Audit", workflow="la-audit"))
    runs = [
        record(
            f"run-{i:03d}",
            statusId=[2, 5, 1, 0][i % 4],  # Failed, ResubmitFailed, Completed, Active
            workflowName="la-orders",
            executionTime=f"2026-11-27T{10 + i // 4:02d}:00:00.000Z",
            chainId=f"chain-{i % 3}",
        )
        for i in range(40)
    ]
    runs.append(record("audit-1", statusId=2, workflowName="la-audit"))
    write_ndjson(root / "runs.ndjson", runs)
    return root


def _request(root: Path, name: str, select: str, flows: str = "Orders") -> None:
    (root / "requests.d" / f"{name}.yaml").write_text(
        REQUEST.format(name=name, flows=flows, select=select)
    )


def _cli(root: Path, store: str, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--store", store, "--repo", str(root), *args, cwd=root)


def test_overlapping_requests_warn_on_both_and_others_stay_quiet(
    repo: Path, store_url: str
) -> None:
    assert _cli(repo, store_url, "runs", "import", "runs.ndjson").returncode == 0
    _request(repo, "a-night", "  status: [Error]")  # 20 runs
    _request(repo, "b-chain0", "  status: [Failed]\n  chainIds: [chain-0]")  # 4 of them
    _request(repo, "c-completed", "  status: [Completed]")  # none of them
    _request(repo, "d-audit", "  status: [Error]", flows="Audit")  # another flow

    done = _cli(repo, store_url, "requests", "preview", "--format", "json")
    assert done.returncode == 0, done.stderr  # a warning, not a refusal
    warnings = {r["name"]: r["warnings"] for r in json.loads(done.stdout)["requests"]}
    assert warnings == {
        "a-night": [
            "4 runs also selected by pending request 'b-chain0' (requests.d/b-chain0.yaml): "
            "dispatching both sends them twice; narrow one selection or drop one request"
        ],
        "b-chain0": [
            "4 runs also selected by pending request 'a-night' (requests.d/a-night.yaml): "
            "dispatching both sends them twice; narrow one selection or drop one request"
        ],
        "c-completed": [],
        "d-audit": [],
    }

    text = _cli(repo, store_url, "requests", "preview")
    assert text.returncode == 0, text.stderr
    assert "  warning: 4 runs also selected by pending request 'b-chain0'" in text.stdout
    github = _cli(repo, store_url, "requests", "preview", "--format", "github")
    assert (
        "::warning file=requests.d/b-chain0.yaml::request b-chain0: 4 runs also selected by "
        "pending request 'a-night'" in github.stdout
    )
    markdown = _cli(repo, store_url, "requests", "preview", "--format", "markdown")
    assert "- ⚠️ 4 runs also selected by pending request 'a-night'" in markdown.stdout


def test_one_run_is_said_in_the_singular(repo: Path, sqlite_url: str) -> None:
    assert _cli(repo, sqlite_url, "runs", "import", "runs.ndjson").returncode == 0
    _request(repo, "one", "  runIds: [run-000]")
    _request(repo, "two", "  runIds: [run-000, run-001]")
    done = _cli(repo, sqlite_url, "requests", "preview", "--format", "json")
    assert done.returncode == 0, done.stderr
    (first, _) = json.loads(done.stdout)["requests"]
    assert first["warnings"][0].startswith("1 run also selected by pending request 'two'")
