"""Run records in the seed's exact format, and a store with flows, for the runs tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.load.tree import canonical_json
from reconciler.models import Flow
from reconciler.store import Store, utcnow

# A run record exactly as Invictus sends it, byte for byte.
SEED = (
    '{"id":"64d206051178624d80f70775","workflowEventId":"1f8be9e8-dc61-41c5-9146-13ce087cbc08",'
    '"partitionKey":"02c1eacb-60a9-4fa9-937f-971b10f567d4","workFlowRunId":"08585101213801371750243005842CU150",'
    '"dateInserted":"2023-08-07T09:08:21.028Z","parentWorkFlowRunId":"","chainId":"439f11e1-739e-461e-b785-f7adad7ff876",'
    '"executionTime":"2023-08-08T09:05:05.372Z","appName":null,"workflowName":"someworkflow","statusId":2,'
    '"subscriptionId":"07459384-7900-43c9-b940-8f90d6ab3c7c","resourceGroupName":"someresourcegroup",'
    '"triggerName":"manual","userStatus":1,"workFlowActionCount":10,"errorInfo":"",'
    '"properties":{"x_iv_enqueued_time":"08/07/2023 09:07:06 +00:00","x_iv_importjob_pickuptime":"08/07/2023 09:07:06",'
    '"Domain":"SomeDomain","Service":"SomeService","Action":"SomeAction","Version":"1.0"},'
    '"source":"1","eventText":"Some Event Text","messageContentView":null,"actionName":null}'
)


def record(run_id: str, **overrides: Any) -> str:
    """The seed record with another id and some fields replaced (key order kept)."""
    data = json.loads(SEED)
    data["id"] = run_id
    data["workFlowRunId"] = "wfr-" + run_id
    props = overrides.pop("properties", None)
    for key, value in overrides.items():
        data[key] = value
    if props is not None:
        data["properties"] = {**data["properties"], **props}
    return json.dumps(data, separators=(",", ":"))


def write_ndjson(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def add_flow(store: Store, name: str, mappings: list[dict[str, str]], **extra: Any) -> Flow:
    """Until `apply` lands everywhere: a flow row as apply writes it."""
    flow = Flow.model_validate(
        {"apiVersion": "reconciler/v1", "kind": "Flow", "name": name, "mappings": mappings, **extra}
    )
    with store.transaction():
        store.execute(
            "INSERT INTO flows (name, spec, updated_at) VALUES (?, ?, ?)",
            (name, canonical_json(flow), utcnow()),
        )
        store.bump_revision()
    return flow


def add_ledger(store: Store, request: str, flow: str, batches: list[tuple[str, list[str]]]) -> None:
    """A dispatched request's ledger: batches (status, run ids), as dispatch writes it."""
    now = utcnow()
    with store.transaction():
        store.execute(
            "INSERT INTO requests (name, action, content_hash, spec, status, created_at) "
            "VALUES (?, 'resubmit', 'h', '{}', 'completed_with_failures', ?)",
            (request, now),
        )
        for seq, (status, run_ids) in enumerate(batches, start=1):
            store.execute(
                "INSERT INTO batches (request, flow, seq, url, idempotency_key, status, "
                "run_count, updated_at) VALUES (?, ?, ?, 'https://x.example/r', ?, ?, ?, ?)",
                (request, flow, seq, f"{request}/{seq}", status, len(run_ids), now),
            )
            pks = []
            for run_id in run_ids:
                row = store.query_one("SELECT pk FROM runs WHERE id = ?", (run_id,))
                assert row is not None, run_id
                pks.append(int(row[0]))
            store.execute(
                "INSERT INTO batch_runs (request, flow, seq, run_pks) VALUES (?, ?, ?, ?)",
                (request, flow, seq, pks if store.dialect == "postgresql" else json.dumps(pks)),
            )
