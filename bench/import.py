"""Import bench: `reconciler runs import` of N runs as NDJSON (default 1,000,000) against a
raw-driver load of the same records in the same run, on SQLite and PostgreSQL.

Bar: import throughput >= 0.6x the raw load's; peak RSS of the import process < 200 MB.

Both start from the same store: the schema, and four flows whose mappings (workflowName)
take 90% of the runs. The raw load is what a hand-written loader would do and no more: read
each line, json.loads it, take the indexed columns, upsert id + record + indexed columns +
its hash, and add the flow membership -- `executemany` on SQLite; on PostgreSQL `COPY`
into a staging table, then one INSERT ... ON CONFLICT ... RETURNING pk and one membership
INSERT (of arrays) per batch.
It checks nothing (no limits, no model, no NUL or surrogate scan) and reports nothing. Both
commit every 2,000 records (a killed load keeps what it committed). The import runs as the
real command in its own process (start-up included); peak RSS is that process's.

    python bench/import.py [--runs N] [--backend sqlite|postgresql|both]
"""

# ruff: noqa: E402 -- the repo root goes on sys.path before its imports
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench._pg import postgres_databases
from reconciler.core.select import parse_timestamp_us
from reconciler.load.tree import canonical_json
from reconciler.models import Flow
from reconciler.store import Store, open_store, utcnow

BAR = 0.6
RSS_BAR_MB = 200
FLOWS = 4
BATCH = 2000
START_US = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp()) * 1_000_000
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


def write_runs(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            t_us = START_US + i * 1_000_003
            t = datetime.fromtimestamp(t_us / 1e6, UTC).isoformat(timespec="milliseconds")
            fields = {"id": f"{i:024x}", "uuid": f"{i:032x}", "n": i, "chain": i // 3}
            # One run in ten belongs to no flow.
            flow = i % FLOWS if i % 10 else 9  # la-flow-9 is no flow's
            fields |= {"t": t.replace("+00:00", "Z"), "f": flow, "s": (1, 2, 5, 6)[i % 4]}
            out.write(RECORD % fields + "\n")


def prepare(url: str) -> None:
    """The schema and the flows, as `apply` leaves them."""
    store = open_store(url)
    try:
        with store.transaction():
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
            store.bump_revision()
    finally:
        store.close()


# -- the raw-driver load -------------------------------------------------------------------
_DSAV = ("Domain", "Service", "Action", "Version")
_COLUMNS = (
    "id, workflow_run_id, chain_id, workflow_name, domain, service, action, version, "
    "status_id, execution_us, record, record_hash, imported_at"
)
_SET = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", ")[1:])


def _rows(path: Path) -> Iterator[tuple[tuple[Any, ...], str | None]]:
    """(runs row, its flow) per line."""
    flows = {f"la-flow-{f}": f"flow-{f}" for f in range(FLOWS)}
    now = utcnow()
    with path.open("rb") as lines:
        for line in lines:
            text = line.decode().strip()
            value = json.loads(text)
            props = value.get("properties") or {}
            execution = value.get("executionTime")
            row = (
                value["id"],
                value.get("workFlowRunId"),
                value.get("chainId"),
                value.get("workflowName"),
                *(props.get(key) for key in _DSAV),
                value.get("statusId"),
                parse_timestamp_us(execution) if execution else None,
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                now,
            )
            yield row, flows.get(value.get("workflowName"))


def _batches(path: Path) -> Iterator[list[tuple[tuple[Any, ...], str | None]]]:
    batch = []
    for item in _rows(path):
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def raw_load(url: str, path: Path) -> None:
    store = open_store(url, migrate=False)
    try:
        if store.dialect == "sqlite":
            _raw_sqlite(store, path)
        else:
            _raw_postgresql(store, path)
    finally:
        store.close()


def _raw_sqlite(store: Store, path: Path) -> None:
    marks = ", ".join("?" for _ in _COLUMNS.split(", "))
    upsert = f"INSERT INTO runs ({_COLUMNS}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {_SET}"
    member = (
        "INSERT INTO run_flows (flow, run_pk, status_id, execution_us) "
        "SELECT ?, pk, status_id, execution_us FROM runs WHERE id = ? ON CONFLICT DO NOTHING"
    )
    conn = store.conn
    for batch in _batches(path):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(upsert, [row for row, _ in batch])
        conn.executemany(member, [(flow, row[0]) for row, flow in batch if flow])
        conn.execute("COMMIT")


def _raw_postgresql(store: Store, path: Path) -> None:
    conn = store.conn
    conn.execute(
        "CREATE TEMP TABLE stage (flow TEXT, id TEXT, workflow_run_id TEXT, chain_id TEXT, "
        "workflow_name TEXT, domain TEXT, service TEXT, action TEXT, version TEXT, "
        "status_id INTEGER, execution_us BIGINT, record TEXT, record_hash TEXT, "
        "imported_at TEXT) ON COMMIT DELETE ROWS"
    )
    for batch in _batches(path):
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY stage (flow, {_COLUMNS}) FROM STDIN") as copy:
                for row, flow in batch:
                    copy.write_row((flow, *row))
            cur.execute(
                f"INSERT INTO runs ({_COLUMNS}) SELECT {_COLUMNS} FROM stage "
                f"ON CONFLICT (id) DO UPDATE SET {_SET} RETURNING id, pk"
            )
            pks = dict(cur.fetchall())
            members = [(flow, pks[row[0]], row[8], row[9]) for row, flow in batch if flow]
            cur.execute(
                "INSERT INTO run_flows (flow, run_pk, status_id, execution_us) "
                "SELECT * FROM unnest(%s::text[], %s::bigint[], %s::int[], %s::bigint[]) "
                "ON CONFLICT DO NOTHING",
                [list(column) for column in zip(*members, strict=True)] or [[], [], [], []],
            )


# -- measuring -----------------------------------------------------------------------------
def _import(url: str, path: Path) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of `reconciler runs import` in its
    own process."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    for name in ("CI", "GITHUB_ACTIONS"):
        env.pop(name, None)
    command = [sys.executable, "-m", "reconciler", "--store", url, "runs", "import", str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"runs import failed ({process.returncode}): {out}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def _counts(url: str) -> tuple[int, int]:
    store = open_store(url, migrate=False)
    try:
        runs = store.query_one("SELECT COUNT(*) FROM runs")
        members = store.query_one("SELECT COUNT(*) FROM run_flows")
        assert runs is not None and members is not None
        return int(runs[0]), int(members[0])
    finally:
        store.close()


def measure(label: str, urls: tuple[str, str], path: Path, n: int) -> bool:
    ours, raw = urls
    prepare(ours)
    prepare(raw)
    started, cpu_started = time.perf_counter(), time.process_time()
    raw_load(raw, path)
    raw_s, raw_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    import_s, import_cpu, rss_mb, out = _import(ours, path)
    assert _counts(ours) == _counts(raw), (_counts(ours), _counts(raw))
    ratio = raw_s / import_s
    ok = ratio >= BAR and rss_mb < RSS_BAR_MB
    print(
        f"{label}: runs import {import_s:.2f} s ({n / import_s:,.0f} runs/s, peak RSS "
        f"{rss_mb:.0f} MB), raw load {raw_s:.2f} s ({n / raw_s:,.0f} runs/s): "
        f"{ratio:.2f}x the raw throughput (bar >= {BAR}x, RSS < {RSS_BAR_MB} MB): "
        f"{'ok' if ok else 'FAIL'}"
    )
    # The client's CPU time, which the machine's other load disturbs less than wall time
    # (the server's work, the same for both, is not in it).
    print(f"  client CPU: runs import {import_cpu:.2f} s, raw load {raw_cpu:.2f} s")
    print(f"  {out.strip().splitlines()[-1]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="reconciler-import-bench-") as tmp:
        path = Path(tmp) / "runs.ndjson"
        write_runs(path, args.runs)
        print(f"{args.runs:,} runs, {path.stat().st_size / 2**20:,.0f} MiB of NDJSON")
        if args.backend in ("sqlite", "both"):
            urls = (f"sqlite:///{tmp}/import.db", f"sqlite:///{tmp}/raw.db")
            ok &= measure("SQLite", urls, path, args.runs)
        if args.backend in ("postgresql", "both"):
            with postgres_databases(2) as databases:
                if databases is None:
                    print("PostgreSQL: no server (set RECONCILER_TEST_PG or install postgresql)")
                else:
                    ours, raw = databases
                    ok &= measure("PostgreSQL", (ours, raw), path, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
