"""Selection bench: 1,000,000 runs; a request selecting ~10,000 by flow + status group +
one-day window, on SQLite and PostgreSQL.

Bar: `reconciler requests preview` on the tree at 1,000,000 runs, minus the same command on
the same tree with an empty run table, <= 0.1 s (medians of 7 processes, byte-compiled as
an installed tool is). What is left is the selection's own cost: counting the selected
runs by status and sampling the first ones; start-up, the tree and the driver cancel out.

Setup (not measured): runs are generated in the seed's record format and bulk-inserted
(executemany on SQLite, COPY on PostgreSQL), four flows are written and their membership
built with `rebuild_flow` (what `apply` does), then ANALYZE; the empty store gets the same
flows and no runs. The in-process figure (compile, stream every selected run, count by
status) is printed for information.

    python bench/selection.py [--runs N] [--backend sqlite|postgresql|both]
"""

# ruff: noqa: E402 -- the repo root goes on sys.path before its imports
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._pg import postgres_databases
from reconciler.core.select import compile_selection, to_epoch_us
from reconciler.core.statuses import StatusTable
from reconciler.load.tree import canonical_json
from reconciler.models import Flow, Selection
from reconciler.store import Store, open_store, utcnow
from reconciler.store.membership import rebuild_flow
from reconciler.store.runs import count_by_status, flow_source, select_runs

BAR = 0.1
FLOWS = 4
DAYS = 10
START = datetime(2026, 11, 18, tzinfo=UTC)
# statusId by percentile: Error group (2, 5, 6) = 40%.
STATUS_BUCKETS = [(25, 2), (35, 5), (40, 6), (85, 1), (95, 0), (97, 3), (99, 7), (100, 8)]
STATUS_OF = [next(code for bound, code in STATUS_BUCKETS if p < bound) for p in range(100)]

RECORD = (
    '{"id":"%(id)s","workflowEventId":"%(uuid)s","partitionKey":"%(uuid)s",'
    '"workFlowRunId":"08585%(n)019dCU150","dateInserted":"%(t)s","parentWorkFlowRunId":"",'
    '"chainId":"chain-%(chain)08d","executionTime":"%(t)s","appName":null,'
    '"workflowName":"la-flow-%(f)d","statusId":%(s)d,'
    '"subscriptionId":"07459384-7900-43c9-b940-8f90d6ab3c7c","resourceGroupName":"rg-bench",'
    '"triggerName":"manual","userStatus":1,"workFlowActionCount":10,"errorInfo":"",'
    '"properties":{"x_iv_enqueued_time":"08/07/2023 09:07:06 +00:00","Domain":"Bench",'
    '"Service":"Flow%(f)d","Action":"Run","Version":"1.0","OrderId":"A-%(n)d"},'
    '"source":"1","eventText":"Bench event","messageContentView":null,"actionName":null}'
)


def rows(n: int) -> Iterator[tuple[object, ...]]:
    span_us = DAYS * 86_400_000_000
    start_us = to_epoch_us(START)
    per_flow = max(1, n // FLOWS)
    now = utcnow()
    for i in range(n):
        f = i % FLOWS
        t_us = start_us + (i // FLOWS) * span_us // per_flow
        t = datetime.fromtimestamp(t_us / 1e6, UTC).isoformat(timespec="milliseconds")
        t = t.replace("+00:00", "Z")
        status = STATUS_OF[(i * 7919) % 100]
        run_id = f"{i:024x}"
        text = RECORD % {
            "id": run_id,
            "uuid": f"{i:032x}",
            "n": i,
            "t": t,
            "chain": i // 3,
            "f": f,
            "s": status,
        }
        yield (
            i + 1,
            run_id,
            f"08585{i:019d}CU150",
            f"chain-{i // 3:08d}",
            f"la-flow-{f}",
            "Bench",
            f"Flow{f}",
            "Run",
            "1.0",
            status,
            t_us,
            text,
            hashlib.sha256(text.encode()).hexdigest(),
            now,
        )


COLUMNS = (
    "pk, id, workflow_run_id, chain_id, workflow_name, domain, service, action, version, "
    "status_id, execution_us, record, record_hash, imported_at"
)


def load(store: Store, n: int) -> None:
    with store.transaction():
        if store.dialect == "sqlite":
            marks = ", ".join("?" for _ in COLUMNS.split(","))
            store.conn.executemany(f"INSERT INTO runs ({COLUMNS}) VALUES ({marks})", rows(n))
        else:
            with store.conn.cursor() as cur, cur.copy(f"COPY runs ({COLUMNS}) FROM STDIN") as cp:
                for row in rows(n):
                    cp.write_row(row)
        for f in range(FLOWS):
            flow = Flow.model_validate(
                {
                    "apiVersion": "reconciler/v1",
                    "kind": "Flow",
                    "name": f"flow-{f}",
                    "mappings": [{"workflowName": f"la-flow-{f}"}],
                }
            )
            store.execute(
                "INSERT INTO flows (name, spec, updated_at) VALUES (?, ?, ?)",
                (flow.name, canonical_json(flow), utcnow()),
            )
            rebuild_flow(store, flow.name, flow.mappings)
        if store.dialect == "postgresql" and n:  # keep the identity past the explicit pks
            store.execute("SELECT setval(pg_get_serial_sequence('runs', 'pk'), ?)", (n,))
    if store.dialect == "postgresql":
        # Leave nothing for autovacuum to do during the measurements (a 1M-row load
        # otherwise has it vacuum and set hint bits beside the commands measured).
        store.execute("VACUUM ANALYZE")
        store.execute("CHECKPOINT")
    else:
        store.execute("ANALYZE")


# Measure the tool as installed: byte-compiled (kept out of the worktree).
PYCACHE = tempfile.mkdtemp(prefix="reconciler-bench-pycache-")


def _cli(url: str, *args: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the child, stdout) of one CLI process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "PYTHONPYCACHEPREFIX": PYCACHE}
    env.pop("GITHUB_ACTIONS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", "--store", url, *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def _median_cli(url: str, args: list[str], times: int = 7) -> tuple[float, float, str]:
    samples = [_cli(url, *args) for _ in range(times)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        samples[-1][2],
    )


TREE_FLOW = """apiVersion: reconciler/v1
kind: Flow
name: flow-{f}
mappings:
  - workflowName: la-flow-{f}
resubmit:
  url: https://receiver.example.com/flow-{f}
"""
TREE_REQUEST = """apiVersion: reconciler/v1
kind: ResubmitRequest
name: bench-replay
reason: bench
action: resubmit
flows: [flow-0]
select:
  status: [Error]
  executed:
    after: "{after}"
    before: "{before}"
limits:
  maxRuns: 100000
"""


def write_tree(root: Path, after: str, before: str) -> None:
    """The config repository the flows in the store came from, with the request."""
    (root / "flows.d").mkdir()
    for f in range(FLOWS):
        (root / "flows.d" / f"flow-{f}.yaml").write_text(TREE_FLOW.format(f=f))
    (root / "requests.d").mkdir()
    (root / "requests.d" / "bench-replay.yaml").write_text(
        TREE_REQUEST.format(after=after, before=before)
    )


def _preview(url: str, root: Path) -> tuple[float, float, str]:
    return _median_cli(url, ["--repo", str(root), "requests", "preview", "--format", "json"])


def measure(urls: tuple[str, str], label: str, n: int) -> bool:
    """Prints the figures; True when the bar is met. urls: the loaded store, the empty one."""
    full, empty = urls
    day = START + timedelta(days=DAYS // 2)
    after, before = day.isoformat(), (day + timedelta(days=1)).isoformat()
    selection = Selection.model_validate(
        {"status": ["Error"], "executed": {"after": after, "before": before}}
    )
    statuses = StatusTable.default()
    store = open_store(full)
    in_process = []
    selected = 0
    for _ in range(5):
        t0 = time.perf_counter()
        spec = compile_selection(selection, statuses)
        source = flow_source(store, "flow-0")
        selected = sum(1 for _ in select_runs(store, spec, source))
        counts = count_by_status(store, spec, source)
        in_process.append(time.perf_counter() - t0)
    assert sum(counts.values()) == selected
    store.close()
    with tempfile.TemporaryDirectory(prefix="reconciler-bench-tree-") as tmp:
        root = Path(tmp)
        write_tree(root, after.replace("+00:00", "Z"), before.replace("+00:00", "Z"))
        _preview(full, root)  # warm: byte-compile, OS file cache, as for any later run
        full_wall, full_cpu, out = _preview(full, root)
        (preview,) = json.loads(out)["requests"]
        assert preview["selected"] == selected and preview["state"] == "ready", preview
        empty_wall, empty_cpu, _ = _preview(empty, root)
    net = full_wall - empty_wall
    ok = net <= BAR
    print(
        f"{label:<10} {n:,} runs, {selected:,} selected (flow + Error + 1 day), load "
        f"{os.getloadavg()[0]:.1f}:\n"
        f"  requests preview: {full_wall * 1000:.0f} ms at {n:,} runs - {empty_wall * 1000:.0f} ms "
        f"with an empty run table = {net * 1000:.0f} ms wall [{'PASS' if ok else 'FAIL'}: "
        f"bar {BAR * 1000:.0f} ms]; CPU {(full_cpu - empty_cpu) * 1000:.0f} ms\n"
        f"  in process, stream all + count: median {statistics.median(in_process) * 1000:.0f} ms "
        f"(first {in_process[0] * 1000:.0f} ms)",
        flush=True,
    )
    return ok


def setup_and_measure(urls: tuple[str, str], label: str, n: int) -> bool:
    started = time.perf_counter()
    for url, count in zip(urls, (n, 0), strict=True):
        store = open_store(url)
        load(store, count)
        store.close()
    print(f"{label:<10} setup {time.perf_counter() - started:.1f} s", flush=True)
    return measure(urls, label, n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    ok = True
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="reconciler-bench-") as tmp:
            urls = (f"sqlite:///{tmp}/store.db", f"sqlite:///{tmp}/empty.db")
            ok &= setup_and_measure(urls, "sqlite", args.runs)
    if args.backend in ("postgresql", "both"):
        with postgres_databases(2) as databases:
            if databases is None:
                print(
                    "postgresql SKIPPED: no server (install postgresql or set RECONCILER_TEST_PG)"
                )
                return 1
            ok &= setup_and_measure((databases[0], databases[1]), "postgresql", args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
