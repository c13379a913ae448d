"""A store with something to show, built through the real CLI: flows in three folders (one
named like an HTML injection, one drifted, one unmanaged), Error runs over the last days, a
check of every endpoint, and requests that were delivered, failed (an endpoint that answers
HEAD but 503 to every POST) and refused; then later runs of the delivered chains that
completed, failed again or are missing (replay outcomes)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import trustme

from reconciler.store.base import open_store, utcnow
from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Hit, Receiver, Reply

SENTINEL = API_KEY
INJECTED = '<script>alert("status")</script><img src=x onerror=alert(1)>'
ORDERS, INVOICES, LEGACY = "Order Processing", "Invoices", "Legacy Billing"
REPLAY = "2026-12-01-orders-replay"
FAILING = "2026-12-01-ops-retry"
REFUSED = "2026-12-01-invoices-all"
FAST = {
    "ORDERS_API_KEY": SENTINEL,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
    "RECONCILER_DISPATCH_RETRY_AFTER_CAP": "0.2",
}
# Replayed chains of REPLAY: these get a later completed run, these a later failed one; the
# rest none.
COMPLETED_AGAIN = [f"oc-{i}" for i in range(10)]
FAILED_AGAIN = [f"oc-{i}" for i in range(10, 18)]
ORDER_RUNS = 30

FLOW = """\
apiVersion: reconciler/v1
kind: Flow
name: {name}
mappings:
  - workflowName: {workflow}
resubmit:
  url: {url}
  headers:
    - name: x-api-key
      valueFrom: {{env: ORDERS_API_KEY}}
dispatch:
  batchSize: 10
  maxAttempts: 2
"""
REQUEST = """\
apiVersion: reconciler/v1
kind: ResubmitRequest
name: {name}
reason: replay after the outage
action: resubmit
flows: [{flow}]
select:
  status: [Error]
{extra}"""


def script(hit: Hit) -> Reply:
    """HEAD (a check) gets 405: reachable. POST to /ops always 503, echoing the key."""
    if not hit.key:
        return Reply(405, body=b"")
    if hit.path.startswith("/ops"):
        return Reply(503, body=f"down, key {hit.headers.get('x-api-key')}".encode())
    return Reply()


def run_record(i: int, workflow: str, status_id: int, executed: datetime, chain: str) -> str:
    stamp = executed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(
        {
            "id": f"{workflow}-{i:05d}",
            "workFlowRunId": f"08585{i:010d}CU1",
            "chainId": chain,
            "executionTime": stamp,
            "workflowName": workflow,
            "statusId": status_id,
            "properties": {"Domain": "Sales"},
        }
    )


def flow_text(name: str, workflow: str, url: str) -> str:
    return FLOW.format(name=json.dumps(name), workflow=workflow, url=url)


def request_text(name: str, flow: str, extra: str = "") -> str:
    return REQUEST.format(name=name, flow=json.dumps(flow), extra=extra)


@dataclass
class Scenario:
    root: Path
    store_url: str
    receiver: Receiver
    records: list[dict[str, object]] = field(default_factory=list)  # every run imported

    def cli(self, *args: str, **env: str):  # type: ignore[no-untyped-def]
        return run_cli(
            "--store", self.store_url, "--repo", str(self.root), *args, env={**FAST, **env}
        )

    def import_runs(self, records: list[str], name: str) -> None:
        path = self.root / f"{name}.ndjson"
        path.write_text("".join(r + "\n" for r in records))
        self.records += [json.loads(r) for r in records]
        done = self.cli("runs", "import", str(path))
        assert done.returncode == 0, done.stderr

    def add_request(self, name: str, flow: str, extra: str = "") -> None:
        (self.root / "requests.d" / f"{name}.yaml").write_text(request_text(name, flow, extra))


def build(root: Path, store_url: str, ca: trustme.CA, receiver: Receiver) -> Scenario:
    """Everything but the replayed runs (see `reimport_replay`)."""
    root.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: Config\n"
        "network:\n  allow: ['127.0.0.1/32']\n  caBundle: ca.pem\n"
    )
    for folder, name, workflow, path in (
        ("Sales/EU", ORDERS, "la-orders", "/orders"),
        ("Ops", INJECTED, "la-ops", "/ops"),
        ("Finance", INVOICES, "la-invoices", "/invoices"),
    ):
        (root / "flows.d" / folder).mkdir(parents=True, exist_ok=True)
        (root / "flows.d" / folder / f"{workflow}.yaml").write_text(
            flow_text(name, workflow, receiver.url(path))
        )
    (root / "requests.d").mkdir()
    scenario = Scenario(root, store_url, receiver)
    scenario.add_request(REPLAY, ORDERS)
    scenario.add_request(FAILING, INJECTED)
    scenario.add_request(REFUSED, INVOICES, "limits:\n  maxRuns: 1\n")
    done = scenario.cli("apply")
    assert done.returncode == 0, done.stderr
    store = open_store(store_url)
    try:
        with store.transaction():  # a flow someone created in the store by hand
            store.execute(
                "INSERT INTO flows (name, folder, spec, managed, updated_at) VALUES (?, ?, ?, 0, ?)",
                (
                    LEGACY,
                    "Finance",
                    json.dumps({"name": LEGACY, "mappings": [{"workflowName": "la-legacy"}]}),
                    utcnow(),
                ),
            )
    finally:
        store.close()
    now = datetime.now(UTC)
    records = [
        run_record(i, "la-orders", 2, now - timedelta(days=i % 5, hours=1), f"oc-{i}")
        for i in range(ORDER_RUNS)
    ]
    records += [
        run_record(100 + i, "la-orders", 1, now - timedelta(days=2), f"ok-{i}") for i in range(5)
    ]
    records += [
        run_record(i, "la-ops", 2, now - timedelta(days=3, hours=i), f"ops-{i}") for i in range(6)
    ]
    records += [
        run_record(i, "la-invoices", 2, now - timedelta(days=1), f"inv-{i}") for i in range(4)
    ]
    records += [
        run_record(i, "la-legacy", 0, now - timedelta(hours=2), f"leg-{i}") for i in range(3)
    ]
    scenario.import_runs(records, "runs")
    checked = scenario.cli("check")
    assert checked.returncode == 0, checked.stdout + checked.stderr  # every endpoint answers HEAD
    dispatched = scenario.cli("requests", "dispatch")
    assert dispatched.returncode == 1, dispatched.stdout + dispatched.stderr  # failed, refused
    store = open_store(store_url)
    try:
        with store.transaction():  # and someone edits a managed flow in the store
            store.execute(
                "UPDATE flows SET spec = replace(spec, '/invoices', '/elsewhere') WHERE name = ?",
                (INVOICES,),
            )
    finally:
        store.close()
    return scenario


def reimport_replay(scenario: Scenario) -> None:
    """The replayed chains run again after delivery: completed, failed again (as
    ResubmitFailed), or not at all yet. Two runs of other chains imported now but executed
    before the delivery change nothing."""
    later = datetime.now(UTC) + timedelta(seconds=1)
    records = [
        run_record(1000 + i, "la-orders", 1, later, c) for i, c in enumerate(COMPLETED_AGAIN)
    ]
    records += [run_record(2000 + i, "la-orders", 5, later, c) for i, c in enumerate(FAILED_AGAIN)]
    earlier = datetime.now(UTC) - timedelta(minutes=30)
    records += [run_record(3000 + i, "la-orders", 1, earlier, f"oc-{20 + i}") for i in range(2)]
    scenario.import_runs(records, "later-runs")
