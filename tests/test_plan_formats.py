"""`plan` in each output format: what a pull request shows of a change to flows.d/."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli
from tests.validate_helpers import FLOW


def test_plan_as_github_annotations_puts_each_change_on_its_file(tmp_path: Path) -> None:
    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    done = run_cli("--repo", str(tmp_path), "plan", "--format", "github")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("::notice title=flow-reconciler plan::1 to create, 0 to update")
    assert lines[1].startswith(
        "::notice file=flows.d/orders.yaml,line=1,title=plan: create::create 'Orders'"
    )
    # the default under GitHub Actions (after the note on the unconfigured store)
    auto = run_cli("--repo", str(tmp_path), "plan", env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout.splitlines()[0].startswith("::warning::no store is configured")
    assert auto.stdout.splitlines()[1:] == lines


def test_plan_markdown_renders_an_update_as_a_diff_without_noise(tmp_path: Path) -> None:
    flow = tmp_path / "flows.d" / "orders.yaml"
    flow.parent.mkdir()
    flow.write_text(FLOW)
    store = f"sqlite:///{tmp_path / 'store.db'}"
    assert run_cli("--repo", str(tmp_path), "--store", store, "apply").returncode == 0
    edited = FLOW.replace("/orders/resubmit", "/orders/v2/resubmit").replace(
        "value: sales", "value: ops\n    - name: x-api-key\n      valueFrom: {env: ORDERS_API_KEY}"
    )
    flow.write_text(edited)
    done = run_cli("--repo", str(tmp_path), "--store", store, "plan", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    block = done.stdout.split("```diff\n", 1)[1].split("  ```", 1)[0]
    assert block.splitlines() == [
        '  - resubmit.url: "https://integration.example.com/orders/resubmit"',
        '  + resubmit.url: "https://integration.example.com/orders/v2/resubmit"',
        '  - resubmit.headers[x-team].value: "sales"',
        '  + resubmit.headers[x-team].value: "ops"',
        "  + resubmit.headers[x-api-key]: env:ORDERS_API_KEY",
    ]
    assert "null" not in done.stdout and "valueFrom" not in done.stdout


def test_the_pr_preview_lists_dispatched_requests_in_one_line(tmp_path: Path) -> None:
    from reconciler.store import open_store
    from tests.runs_helpers import add_ledger, record, write_ndjson
    from tests.test_runs_cli import REQUEST

    (tmp_path / "flows.d").mkdir()
    (tmp_path / "flows.d" / "orders.yaml").write_text(FLOW)
    (tmp_path / "requests.d").mkdir()
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    assert run_cli("--repo", str(tmp_path), "--store", store_url, "apply").returncode == 0
    runs = [record(f"run-{i}", statusId=2, workflowName="la-orders") for i in range(3)]
    write_ndjson(tmp_path / "runs.ndjson", runs)
    imported = run_cli(
        "--repo", str(tmp_path), "--store", store_url, "runs", "import", "runs.ndjson", cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stderr
    store = open_store(store_url)
    for name in ("old-1", "old-2"):
        add_ledger(store, name, "Orders", [("delivered", ["run-0"])])
    store.close()
    for name in ("old-1", "old-2", "new-one"):
        (tmp_path / "requests.d" / f"{name}.yaml").write_text(
            REQUEST.format(
                name=name,
                action="resubmit",
                flows="Orders",
                select="  status: [Error]",
                max_runs=100,
            )
        )
    done = run_cli(
        "--repo", str(tmp_path), "--store", store_url, "requests", "preview", "--format", "markdown"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "1 request to dispatch on merge: none refused; 3 runs would be sent. "
        "Nothing is sent from a pull request."
    )
    assert "📦 Already dispatched: `old-1`, `old-2`." in lines
    assert [line for line in lines if "old-" in line] == [
        "📦 Already dispatched: `old-1`, `old-2`."
    ]
    assert "| ✅ | `new-one` | resubmit | 3 | 1 | 0 |" in lines
