"""Request rows and their status (table requests): the status names of a request and of
its batches, reading requests and their per-status counts, and moving a request to a new
status (with its audit record when it ends)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.words import plural
from reconciler.store.audit import write_audit
from reconciler.store.base import Store, utcnow

# Request statuses.
PENDING = "pending"
DISPATCHING = "dispatching"
COMPLETED = "completed"
COMPLETED_WITH_FAILURES = "completed_with_failures"
FAILED = "failed"
REFUSED = "refused"
CANCELLED = "cancelled"  # `cancel: true` (store/controls.py holds the other control states)
# `requests dispatch` never touches these again; `failed` is retried (pending batches only).
TERMINAL = frozenset({COMPLETED, COMPLETED_WITH_FAILURES, REFUSED, CANCELLED})

# Batch statuses.
B_PENDING = "pending"
B_IN_FLIGHT = "in_flight"
B_DELIVERED = "delivered"
B_FAILED = "failed"
B_CANCELLED = "cancelled"  # pending when its request was cancelled: never sent
BATCH_STATES = (B_PENDING, B_IN_FLIGHT, B_DELIVERED, B_FAILED, B_CANCELLED)


@dataclass(frozen=True)
class RequestRow:
    name: str
    action: str
    content_hash: str
    status: str
    reason: str | None
    detail: dict[str, Any]
    source_path: str | None
    commit_sha: str | None
    actor: str | None
    run_count: int | None
    batch_count: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


_REQUEST_COLUMNS = (
    "name, action, content_hash, status, reason, detail, source_path, commit_sha, actor, "
    "run_count, batch_count, created_at, started_at, finished_at"
)


def _request_row(row: tuple[Any, ...]) -> RequestRow:
    values = list(row)
    values[5] = json.loads(values[5]) if values[5] else {}
    return RequestRow(*values)


@dataclass(frozen=True)
class Counts:
    """Batches and runs per batch status."""

    batches: dict[str, int] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> int:
        return self.batches.get(B_PENDING, 0) + self.batches.get(B_IN_FLIGHT, 0)


def get_request(store: Store, name: str) -> RequestRow | None:
    row = store.query_one(f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE name = ?", (name,))
    return _request_row(row) if row else None


def list_requests(store: Store, statuses: Iterable[str] | None = None) -> list[RequestRow]:
    wanted = list(statuses or [])
    where = f" WHERE status IN ({', '.join('?' * len(wanted))})" if wanted else ""
    rows = store.query(
        f"SELECT {_REQUEST_COLUMNS} FROM requests{where} ORDER BY created_at, name", wanted
    )
    return [_request_row(r) for r in rows]


def counts(store: Store, request: str) -> Counts:
    result = Counts()
    for status, n_batches, n_runs in store.query(
        "SELECT status, COUNT(*), COALESCE(SUM(run_count), 0) FROM batches "
        "WHERE request = ? GROUP BY status",
        (request,),
    ):
        result.batches[status] = int(n_batches)
        result.runs[status] = int(n_runs)
    return result


def set_status(
    store: Store,
    name: str,
    status: str,
    *,
    error: str | None = None,
    actor: str | None = None,
    commit_sha: str | None = None,
) -> None:
    """Move a request to `status` (started_at/finished_at kept; detail.error replaced)."""
    now = utcnow()
    with store.transaction():
        row = get_request(store, name)
        assert row is not None
        detail = dict(row.detail)
        if error is None:
            detail.pop("error", None)
        else:
            detail["error"] = error
        started = row.started_at or (now if status == DISPATCHING else None)
        finished = now if status not in (PENDING, DISPATCHING) else None
        store.execute(
            "UPDATE requests SET status = ?, detail = ?, started_at = ?, finished_at = ? "
            "WHERE name = ?",
            (status, json.dumps(detail, sort_keys=True), started, finished, name),
        )
        if status not in (PENDING, DISPATCHING):
            c = counts(store, name)
            write_audit(
                store,
                "dispatch",
                name,
                action=row.action,
                detail={
                    "outcome": status,
                    "batches": c.batches,
                    "runs": c.runs,
                    "note": f"dispatch {status}: "
                    f"{plural(c.runs.get(B_DELIVERED, 0), 'run')} delivered, "
                    f"{c.runs.get(B_FAILED, 0)} failed" + (f" ({error})" if error else ""),
                    **({"error": error} if error else {}),
                },
                commit_sha=commit_sha,
                actor=actor,
            )


def final_status(c: Counts) -> str | None:
    """The request status once nothing is open; None while batches are pending/in flight."""
    if c.open:
        return None
    delivered = c.batches.get(B_DELIVERED, 0)
    failed = c.batches.get(B_FAILED, 0)
    if failed == 0:
        return COMPLETED
    return COMPLETED_WITH_FAILURES if delivered else FAILED
