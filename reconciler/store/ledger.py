"""The request/dispatch ledger (tables requests, batches, batch_runs: one frozen run list
per batch).

Life of a request:
  freeze    one transaction: the request row, every batch (with its Idempotency-Key) and
            the frozen run list per batch. Evaluated once; a re-run reuses it.
  claim     pending batches, or in_flight ones whose worker is gone (dead process, expired
            lease), become in_flight(attempt n) for this worker -- committed BEFORE the send.
  record    delivered / failed committed AFTER the send; a retry bumps the attempt first.
  finalize  when no batch is pending or in flight: completed, completed_with_failures or
            failed.

Several workers (PostgreSQL) claim with FOR UPDATE SKIP LOCKED; each holds a session
advisory lock named after itself, so the others can tell at once that it died."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.core.findings import Finding
from reconciler.core.frozen import FROZEN_RUNS
from reconciler.core.status import StatusSection
from reconciler.core.words import plural
from reconciler.errors import ReconcilerError
from reconciler.store.base import Store, utcnow

if TYPE_CHECKING:
    from reconciler.load.tree import Tree

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

_LOCK_CLASS = 0x6672  # "fr": advisory-lock namespace of dispatch workers
_MMAP_BYTES = 64 * 1024 * 1024
_SEQS_PER_QUERY = 500  # bound parameters per statement, well under SQLite's limit
_KEY_NAMESPACE = uuid.UUID("7d3b3a0e-5f1c-4a4e-9c1e-2f6d1b8f6a10")


def idempotency_key(request: str, content_hash: str, flow: str, seq: int) -> str:
    """Stable per (request, flow, batch): the same on every attempt, crash and worker."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{request}\x00{content_hash}\x00{flow}\x00{seq}"))


def _later(seconds: float) -> str:
    return (
        (datetime.now(UTC) + timedelta(seconds=seconds))
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def _lock_id(worker: str) -> int:
    return int.from_bytes(hashlib.sha256(worker.encode()).digest()[:4], "big", signed=True)


@dataclass(frozen=True)
class FlowTarget:
    """Where one flow's batches of a request go."""

    flow: str
    url: str
    batch_size: int


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
class Batch:
    request: str
    flow: str
    seq: int
    url: str
    idempotency_key: str
    status: str
    attempts: int
    run_count: int
    http_status: int | None
    reason: str | None
    claimed_by: str | None
    lease_until: str | None
    updated_at: str
    delivered_at: str | None


_BATCH_COLUMNS = (
    "request, flow, seq, url, idempotency_key, status, attempts, run_count, http_status, "
    "reason, claimed_by, lease_until, updated_at, delivered_at"
)


@dataclass(frozen=True)
class Counts:
    """Batches and runs per batch status."""

    batches: dict[str, int] = field(default_factory=dict)
    runs: dict[str, int] = field(default_factory=dict)

    @property
    def open(self) -> int:
        return self.batches.get(B_PENDING, 0) + self.batches.get(B_IN_FLIGHT, 0)


class SelectionEmpty(Exception):
    """The selection holds no run and the request does not accept that (see freeze)."""


class SelectionTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


# -- reading ---------------------------------------------------------------------------
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


def batches(store: Store, request: str, flow: str | None = None) -> list[Batch]:
    sql = f"SELECT {_BATCH_COLUMNS} FROM batches WHERE request = ?"
    params: list[Any] = [request]
    if flow is not None:
        sql += " AND flow = ?"
        params.append(flow)
    return [Batch(*row) for row in store.query(sql + " ORDER BY flow, seq", params)]


@dataclass(frozen=True)
class Body:
    """What one batch sends: the JSON array of its stored records, byte for byte in frozen
    order, and how many records it holds (fewer than the batch's run_count when runs were
    deleted since the freeze: the caller fails that batch)."""

    runs: int
    data: bytes


_EMPTY = Body(0, b"[]")  # a batch none of whose runs is left


def window_bodies(store: Store, request: str, flow: str, seqs: list[int]) -> dict[int, Body]:
    """The bodies of several batches of one flow: seq -> Body. The stored texts are the
    exact records: they are joined, never re-serialised.

    SQLite: one join in frozen order, each record handed over as the BLOB it is stored as,
    joined here. PostgreSQL: the server joins them (string_agg in frozen order), one text
    per batch instead of one per run; each record by a primary-key lookup (a subplan), as
    a hash join of every run is what the planner picks right after a freeze."""
    if not seqs:
        return {}
    marks = ", ".join("?" * len(seqs))
    frozen = FROZEN_RUNS[store.dialect]
    if store.dialect == "postgresql":
        rows = store.query(
            "SELECT seq, COUNT(record), '[' || string_agg(record, ',' ORDER BY pos) || ']' "
            f"FROM (SELECT br.seq, {frozen.pos} AS pos, "
            f"(SELECT r.record FROM runs r WHERE r.pk = {frozen.run_pk}) AS record "
            f"FROM batch_runs br {frozen.join} WHERE br.request = ? AND br.flow = ? "
            f"AND br.seq IN ({marks}) AND br.seq BETWEEN ? AND ? "
            # OFFSET 0: evaluate the lookup once per row, not once per use
            "OFFSET 0) frozen GROUP BY seq",
            (request, flow, *seqs, min(seqs), max(seqs)),
        )
        return {
            int(seq): Body(int(n), text.encode() if text is not None else b"[]")
            for seq, n, text in rows
        }
    records: dict[int, list[bytes]] = {}
    for seq, text in store.query(
        f"SELECT br.seq, CAST(r.record AS BLOB) FROM batch_runs br {frozen.join} "
        f"JOIN runs r ON r.pk = {frozen.run_pk} WHERE br.request = ? AND br.flow = ? "
        f"AND br.seq IN ({marks}) ORDER BY br.seq, {frozen.pos}",
        (request, flow, *seqs),
    ):
        batch = records.get(seq)
        if batch is None:
            batch = records[seq] = []
        batch.append(text)
    return {
        int(seq): Body(len(texts), b"[" + b",".join(texts) + b"]") for seq, texts in records.items()
    }


def run_outcomes(store: Store, request: str) -> Iterator[tuple[str, int, int, str, str]]:
    """(flow, seq, pos, run_id, batch status) for every frozen run, streamed."""
    frozen = FROZEN_RUNS[store.dialect]
    cursor = store.execute(
        f"SELECT br.flow, br.seq, {frozen.pos}, r.id, b.status FROM batch_runs br "
        f"{frozen.join} JOIN runs r ON r.pk = {frozen.run_pk} "
        "JOIN batches b ON b.request = br.request AND b.flow = br.flow AND b.seq = br.seq "
        f"WHERE br.request = ? ORDER BY br.flow, br.seq, {frozen.pos}",
        (request,),
    )
    while True:
        rows = cursor.fetchmany(1000)
        if not rows:
            return
        for row in rows:
            yield (row[0], int(row[1]), int(row[2]), row[3], row[4])


def dispatched_hashes(store: Store) -> dict[str, tuple[str, str | None, str | None, str]]:
    """name -> (content_hash, first dispatch time, commit, status) of every ledger entry."""
    return {
        name: (content_hash, started_at or created_at, commit_sha, status)
        for name, content_hash, created_at, started_at, commit_sha, status in store.query(
            "SELECT name, content_hash, created_at, started_at, commit_sha, status FROM requests"
        )
    }


# -- freezing --------------------------------------------------------------------------
@dataclass(frozen=True)
class FlowSelection:
    """One flow's share of a request: `numbered_sql` yields (run_pk, n) with n = 1, 2, ...
    in send order."""

    target: FlowTarget
    numbered_sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class NewRequest:
    """What the ledger records of a request file when it first sees it."""

    name: str
    action: str
    content_hash: str
    spec: str
    source_path: str | None
    reason: str
    commit_sha: str | None
    actor: str | None


def freeze(
    store: Store,
    request: NewRequest,
    *,
    selections: list[FlowSelection],
    excluded: dict[str, int],
    max_runs: int,
    allow_empty: bool = True,
) -> RequestRow | None:
    """Write the request with its frozen selection in one transaction and return it.

    Each batch's run list is one row (its runs' keys in send order), numbered in SQL, so
    freezing 100,000 runs writes 1,000 ledger rows. If another worker froze the
    request first, its ledger entry wins and is returned unchanged. A selection over
    `max_runs` is not written: the request is stored as refused. No count beforehand: the
    freeze itself stops after `max_runs` + 1 runs of a flow, and an oversized one rolls
    back. A selection of no runs without `allow_empty` is not written either (None): an
    empty request is not a finished one, and the next dispatch selects again."""
    now = utcnow()
    try:
        name = request.name
        with store.transaction():
            if not _insert_request(store, request):
                existing = get_request(store, name)
                assert existing is not None
                return existing
            per_flow = {
                sel.target.flow: _write_flow(
                    store, name, request.content_hash, sel, now, limit=max_runs + 1
                )
                for sel in selections
            }
            run_count = sum(f["runs"] for f in per_flow.values())
            batch_count = sum(f["batches"] for f in per_flow.values())
            if run_count > max_runs:
                raise SelectionTooLarge(max_runs)  # rolls the rows back
            if run_count == 0 and not allow_empty:
                raise SelectionEmpty  # rolls the request back: a later dispatch selects again
            detail = {"excluded": excluded, "flows": per_flow}
            store.execute(
                "UPDATE requests SET run_count = ?, batch_count = ?, detail = ? WHERE name = ?",
                (run_count, batch_count, json.dumps(detail, sort_keys=True), name),
            )
            _audit(
                store,
                "freeze",
                name,
                action=request.action,
                detail={
                    "runs": run_count,
                    "batches": batch_count,
                    "excluded": excluded,
                    "note": f"selection frozen: {plural(run_count, 'run')} in "
                    f"{plural(batch_count, 'batch', 'batches')}",
                },
                commit_sha=request.commit_sha,
                actor=request.actor,
            )
    except SelectionTooLarge:
        _refuse(store, request, max_runs, excluded)
    except SelectionEmpty:
        return None
    # No ANALYZE after the freeze: every query of a window is an equality on the leading
    # primary-key columns plus a seq range (window_bodies), which the planner serves from
    # the index whatever it believes about the fresh rows.
    row = get_request(store, request.name)
    assert row is not None
    return row


def _write_flow(
    store: Store, name: str, content_hash: str, sel: FlowSelection, now: str, *, limit: int
) -> dict[str, int]:
    sizes = _freeze_runs(store, name, sel, limit)
    rows = [
        (
            name,
            sel.target.flow,
            seq,
            sel.target.url,
            idempotency_key(name, content_hash, sel.target.flow, seq),
            B_PENDING,
            0,
            count,
            now,
        )
        for seq, count in enumerate(sizes)
    ]
    if rows:
        store.executemany(
            "INSERT INTO batches (request, flow, seq, url, idempotency_key, status, attempts, "
            "run_count, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return {"runs": sum(sizes), "batches": len(rows)}


def _freeze_runs(store: Store, name: str, sel: FlowSelection, limit: int) -> list[int]:
    """Write the flow's frozen run lists, one row per batch (its runs' keys in send
    order), at most `limit` runs; returns the batches' sizes by seq. PostgreSQL numbers and
    groups them in one statement; SQLite has no ordered aggregate, so its keys are grouped
    here (100,000 integers)."""
    size = sel.target.batch_size
    flow = sel.target.flow
    if store.dialect == "postgresql":
        returned = store.query(
            "INSERT INTO batch_runs (request, flow, seq, run_pks) "
            "SELECT ?, ?, seq, array_agg(run_pk ORDER BY n) FROM (SELECT run_pk, n, "
            f"(n - 1) / ? AS seq FROM ({sel.numbered_sql} LIMIT ?) numbered) batched "
            "GROUP BY seq RETURNING seq, cardinality(run_pks)",
            (name, flow, size, *sel.params, limit),
        )
        counts = dict(returned)
        return [int(counts[seq]) for seq in range(len(counts))]
    cursor = store.execute(
        f"SELECT run_pk FROM ({sel.numbered_sql} LIMIT ?) numbered ORDER BY n",
        (*sel.params, limit),
    )
    rows: list[tuple[str, str, int, str]] = []
    sizes: list[int] = []
    while chunk := cursor.fetchmany(size):
        rows.append((name, flow, len(rows), "[" + ",".join(str(pk) for (pk,) in chunk) + "]"))
        sizes.append(len(chunk))
    store.executemany(
        "INSERT INTO batch_runs (request, flow, seq, run_pks) VALUES (?, ?, ?, ?)", rows
    )
    return sizes


def _refuse(store: Store, request: NewRequest, max_runs: int, excluded: dict[str, int]) -> None:
    message = (
        f"selection has more than {max_runs} runs (limits.maxRuns); "
        "narrow the selection or raise limits.maxRuns in a new request"
    )
    with store.transaction():
        if not _insert_request(store, request):
            return  # another worker decided first
        store.execute(
            "UPDATE requests SET status = ?, detail = ?, finished_at = ? WHERE name = ?",
            (
                REFUSED,
                json.dumps({"error": message, "excluded": excluded}),
                utcnow(),
                request.name,
            ),
        )
        _audit(
            store,
            "refuse",
            request.name,
            action=request.action,
            detail={"outcome": REFUSED, "error": message, "note": f"refused: {message}"},
            commit_sha=request.commit_sha,
            actor=request.actor,
        )


def _insert_request(store: Store, r: NewRequest) -> bool:
    cursor = store.execute(
        "INSERT INTO requests (name, action, content_hash, spec, source_path, status, reason, "
        "commit_sha, actor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO NOTHING",
        (
            r.name,
            r.action,
            r.content_hash,
            r.spec,
            r.source_path,
            PENDING,
            r.reason,
            r.commit_sha,
            r.actor,
            utcnow(),
        ),
    )
    return bool(cursor.rowcount)


# -- request status --------------------------------------------------------------------
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
            _audit(
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


_FREEZE_WORK_MEM = "64MB"


def tune_for_dispatch(store: Store) -> None:
    """SQLite: read the store through a memory map. Freezing and every batch read the
    large run records; mapped pages skip a read() syscall and a copy per page (about 2x
    faster here). The map is file-backed and capped at 64 MiB, which counts in RSS."""
    if store.dialect == "sqlite":
        store.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
    else:
        # Freezing numbers the selection in one sort (100,000 rows: ~15 MB); the default
        # 4 MB work_mem spills it to disk. This session only.
        store.execute(f"SET work_mem = '{_FREEZE_WORK_MEM}'")


# -- workers ---------------------------------------------------------------------------
def new_worker_id() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


# Who each worker of this process sends for (actor, commit), for its batch audit records.
# Kept by worker id, which every ledger call already carries, so the send loop need not
# pass provenance through each settle.
_SENT_FOR: dict[str, tuple[str | None, str | None]] = {}


def register_worker(
    store: Store, worker: str, *, actor: str | None = None, commit_sha: str | None = None
) -> None:
    """Remember whom `worker` sends for (its batch records carry that actor and commit).
    On PostgreSQL hold a session advisory lock named after the worker for its lifetime:
    when the process dies the server drops the session and the lock with it."""
    _SENT_FOR[worker] = (actor, commit_sha)
    if store.dialect == "postgresql":
        store.execute("SELECT pg_advisory_lock(?, ?)", (_LOCK_CLASS, _lock_id(worker)))


def _worker_alive(store: Store, worker: str) -> bool:
    if store.dialect == "postgresql":
        row = store.query_one("SELECT pg_try_advisory_lock(?, ?)", (_LOCK_CLASS, _lock_id(worker)))
        if row and row[0]:
            store.execute("SELECT pg_advisory_unlock(?, ?)", (_LOCK_CLASS, _lock_id(worker)))
            return False
        return True
    # SQLite is a local file: workers share this host, so the process id tells.
    host, _, rest = worker.partition("/")
    pid_text = rest.partition("/")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # cannot tell: the lease decides
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap(store: Store, request: str, worker: str) -> int:
    """Batches in flight for a worker that is gone go back to pending (attempts kept, same
    Idempotency-Key): the next claim resends them. Returns how many."""
    holders = [
        row[0]
        for row in store.query(
            "SELECT DISTINCT claimed_by FROM batches WHERE request = ? AND status = ? "
            "AND claimed_by IS NOT NULL AND claimed_by <> ?",
            (request, B_IN_FLIGHT, worker),
        )
    ]
    reaped = 0
    for holder in holders:
        if _worker_alive(store, holder):
            continue
        with store.transaction():
            cursor = store.execute(
                "UPDATE batches SET status = ?, claimed_by = NULL, lease_until = NULL, "
                "updated_at = ? WHERE request = ? AND status = ? AND claimed_by = ?",
                (B_PENDING, utcnow(), request, B_IN_FLIGHT, holder),
            )
            reaped += int(cursor.rowcount or 0)
    return reaped


def claim(store: Store, request: str, flow: str, worker: str, lease_seconds: float) -> Batch | None:
    """Take the next batch of (request, flow): pending, else in flight with an expired
    lease. It becomes in_flight with attempts + 1, committed before anything is sent."""
    with store.transaction():
        claimed = _claim(store, request, flow, worker, lease_seconds, 1)
    return claimed[0] if claimed else None


def _claim(
    store: Store, request: str, flow: str, worker: str, lease_seconds: float, limit: int
) -> list[Batch]:
    """Up to `limit` batches in seq order (inside the caller's transaction), only while
    the request is dispatching: a suspend or cancel recorded by another process stops it."""
    now = utcnow()
    lock = " FOR UPDATE SKIP LOCKED" if store.dialect == "postgresql" else ""
    candidates = (
        # the common case: a seek on batches_claim
        ("status = ?", (B_PENDING,)),
        ("status = ? AND lease_until < ?", (B_IN_FLIGHT, now)),
    )
    claimed: list[Batch] = []
    for condition, params in candidates:
        if len(claimed) >= limit:
            break
        rows = store.query(
            f"UPDATE batches SET status = ?, attempts = attempts + 1, claimed_by = ?, "
            f"lease_until = ?, updated_at = ? "
            f"WHERE (request, flow, seq) IN (SELECT request, flow, seq FROM batches "
            f"WHERE request = ? AND flow = ? AND {condition} AND EXISTS (SELECT 1 FROM "
            f"requests WHERE name = ? AND status = ?) ORDER BY seq LIMIT ?{lock}) "
            f"RETURNING {_BATCH_COLUMNS}",
            (
                B_IN_FLIGHT,
                worker,
                _later(lease_seconds),
                now,
                request,
                flow,
                *params,
                request,
                DISPATCHING,
                limit - len(claimed),
            ),
        )
        claimed.extend(sorted((Batch(*row) for row in rows), key=lambda b: b.seq))
    return claimed


@dataclass(frozen=True)
class Settle:
    """A sent batch's result, to be committed (delivered | failed) by `settle_and_claim`."""

    batch: Batch
    status: str
    http_status: int | None
    reason: str | None
    attempts: int


def settle_and_claim(
    store: Store,
    request: str,
    flow: str,
    worker: str,
    lease_seconds: float,
    *,
    action: str,
    settled: list[Settle],
    limit: int,
) -> tuple[list[bool], list[tuple[Batch, Body]]]:
    """One transaction (one durable commit) for a window of batches: record the results of
    batches already sent (AFTER their sends), and claim up to `limit` more (in_flight
    BEFORE their sends). Then read the claimed batches' bodies. Returns, per settled
    batch, whether this worker still held it, and the claimed batches with their bodies.

    A crash before this commit leaves the settled batches in_flight: they are resent with
    the same Idempotency-Key (the at-least-once duplicate the contract allows)."""
    with store.transaction():
        held = _finish_many(store, settled, worker, action=action)
        claimed = _claim(store, request, flow, worker, lease_seconds, limit) if limit else []
    bodies = window_bodies(store, request, flow, [b.seq for b in claimed])
    return held, [(b, bodies.get(b.seq, _EMPTY)) for b in claimed]


# A batch this worker holds: the condition of every update made on its behalf.
_HELD = "request = ? AND flow = ? AND seq = ? AND status = ? AND claimed_by = ?"


def _held(batch: Batch, worker: str) -> tuple[Any, ...]:
    return (batch.request, batch.flow, batch.seq, B_IN_FLIGHT, worker)


def unclaim(store: Store, claimed: list[Batch], worker: str, *, reason: str) -> None:
    """Give back batches claimed ahead but never sent: pending again, their attempt not
    counted, same key, the reason of an earlier attempt kept."""
    with store.transaction():
        for batch in claimed:
            store.execute(
                "UPDATE batches SET status = ?, attempts = attempts - 1, "
                "reason = COALESCE(reason, ?), claimed_by = NULL, lease_until = NULL, "
                f"updated_at = ? WHERE {_HELD}",
                (B_PENDING, reason, utcnow(), *_held(batch, worker)),
            )


def next_attempt(
    store: Store,
    batch: Batch,
    worker: str,
    lease_seconds: float,
    *,
    http_status: int | None,
    reason: str,
) -> int | None:
    """Record a failed attempt's outcome and start the next one (committed before the
    send). None when this worker no longer holds the batch."""
    with store.transaction():
        rows = store.query(
            "UPDATE batches SET attempts = attempts + 1, http_status = ?, reason = ?, "
            f"lease_until = ?, updated_at = ? WHERE {_HELD} RETURNING attempts",
            (http_status, reason, _later(lease_seconds), utcnow(), *_held(batch, worker)),
        )
    return int(rows[0][0]) if rows else None


def finish(
    store: Store,
    batch: Batch,
    worker: str,
    *,
    status: str,
    http_status: int | None,
    reason: str | None,
    attempts: int,
    action: str,
) -> bool:
    """Delivered or failed, committed after the send (with an audit record). False when
    another worker took the batch over meanwhile (its result stands)."""
    with store.transaction():
        [held] = _finish_many(
            store, [Settle(batch, status, http_status, reason, attempts)], worker, action=action
        )
    return held


def _finish_many(store: Store, settled: list[Settle], worker: str, *, action: str) -> list[bool]:
    """Record sent batches' results (inside the caller's transaction): one UPDATE per
    distinct outcome and one audit INSERT for all, rather than two statements per batch.
    Per batch: whether this worker still held it (else another took it over and its result
    stands; nothing is written for it)."""
    now = utcnow()
    groups: dict[tuple[str, str, str, int | None, str | None], list[int]] = {}
    for item in settled:
        assert item.status in (B_DELIVERED, B_FAILED)
        b = item.batch
        key = (b.request, b.flow, item.status, item.http_status, item.reason)
        groups.setdefault(key, []).append(b.seq)
    done: set[tuple[str, str, int]] = set()
    for (request, flow, status, http_status, reason), seqs in groups.items():
        for start in range(0, len(seqs), _SEQS_PER_QUERY):
            chunk = seqs[start : start + _SEQS_PER_QUERY]
            rows = store.query(
                "UPDATE batches SET status = ?, http_status = ?, reason = ?, claimed_by = NULL, "
                "lease_until = NULL, updated_at = ?, delivered_at = ? WHERE request = ? "
                f"AND flow = ? AND seq IN ({', '.join('?' * len(chunk))}) AND status = ? "
                "AND claimed_by = ? RETURNING seq",
                (
                    status,
                    http_status,
                    reason,
                    now,
                    now if status == B_DELIVERED else None,
                    request,
                    flow,
                    *chunk,
                    B_IN_FLIGHT,
                    worker,
                ),
            )
            done.update((request, flow, int(seq)) for (seq,) in rows)
    held = [(s.batch.request, s.batch.flow, s.batch.seq) in done for s in settled]
    actor, commit_sha = _SENT_FOR.get(worker, (None, None))
    audits = [
        _audit_row(
            "batch",
            s.batch.request,
            action=action,
            flow=s.batch.flow,
            actor=actor,
            commit_sha=commit_sha,
            detail={
                "outcome": s.status,
                "seq": s.batch.seq,
                "runs": s.batch.run_count,
                "attempts": s.attempts,
                "httpStatus": s.http_status,
                "idempotencyKey": s.batch.idempotency_key,
                "note": f"batch {s.batch.flow}#{s.batch.seq} {s.status} after {s.attempts} "
                f"attempt{'s' if s.attempts != 1 else ''}" + (f": {s.reason}" if s.reason else ""),
                **({"reason": s.reason} if s.reason else {}),
            },
        )
        for s, ours in zip(settled, held, strict=True)
        if ours
    ]
    if audits:
        store.executemany(_AUDIT_INSERT, audits)
    return held


def release(store: Store, batch: Batch, worker: str, *, reason: str) -> None:
    """Give an unfinished batch back (circuit breaker, interrupt): pending, same key."""
    with store.transaction():
        store.execute(
            "UPDATE batches SET status = ?, reason = ?, claimed_by = NULL, lease_until = NULL, "
            f"updated_at = ? WHERE {_HELD}",
            (B_PENDING, reason, utcnow(), *_held(batch, worker)),
        )


def renew_leases(store: Store, request: str, worker: str, lease_seconds: float) -> None:
    with store.transaction():
        store.execute(
            "UPDATE batches SET lease_until = ? WHERE request = ? AND status = ? AND claimed_by = ?",
            (_later(lease_seconds), request, B_IN_FLIGHT, worker),
        )


# -- audit -----------------------------------------------------------------------------
_AUDIT_INSERT = (
    "INSERT INTO audit (at, actor, commit_sha, kind, action, flow, request, detail) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _audit(store: Store, kind_action: str, request: str, **fields: Any) -> None:
    """One audit record now (see `_audit_row` for the fields)."""
    store.execute(_AUDIT_INSERT, _audit_row(kind_action, request, **fields))


def _audit_row(
    kind_action: str,
    request: str,
    *,
    action: str,
    detail: dict[str, Any],
    flow: str | None = None,
    commit_sha: str | None = None,
    actor: str | None = None,
) -> tuple[Any, ...]:
    """kind = request|batch, action = resubmit|resume (what `history --action` filters),
    detail.event = freeze|refuse|dispatch|batch, detail.outcome = the result."""
    kind = "batch" if kind_action == "batch" else "request"
    return (
        utcnow(),
        actor,
        commit_sha,
        kind,
        action,
        flow,
        request,
        json.dumps({"event": kind_action, **detail}, sort_keys=True, separators=(",", ":")),
    )


# -- immutability ----------------------------------------------------------------------
def changed_after_dispatch(store: Store, tree: Tree) -> list[Finding]:
    """A request file whose name is in the ledger with other content is an error: requests
    are immutable once dispatched (deleting the file is fine; the history stays)."""
    known = dispatched_hashes(store)
    findings = []
    for item in tree.requests:
        entry = known.get(item.request.name)
        if entry is None or entry[0] == item.content_hash:
            continue
        _hash, when, commit, status = entry
        verb = "refused" if status == REFUSED else "dispatched"
        line, col = _name_position(tree.root / item.path)
        findings.append(
            Finding(
                path=item.path,
                line=line,
                col=col,
                rule="request-immutable",
                message=(
                    f"request {item.request.name!r} was {verb} on {when} at commit "
                    f"{commit or 'unknown'} and its content has changed since; add a new request"
                ),
                hint="give the new request a new name; the ledger keeps the old one",
            )
        )
    return findings


def _name_position(path: Path) -> tuple[int, int]:
    """Line and column of the top-level `name:` key (1:1 if it cannot be found)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1, 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("name:") or line.startswith("name :"):
            return number, 1
    return 1, 1


# -- `reconciler status` -----------------------------------------------------------------
_MAX_LISTED = 5


def status_section(store: Store) -> StatusSection | None:
    """Open requests (not completed: pending, dispatching, failed with batches left) and
    the ledger's totals, for `reconciler status`."""
    rows = list_requests(store)
    if not rows:
        return None
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row.status] = by_status.get(row.status, 0) + 1
    open_rows = [row for row in rows if not row.terminal]
    described = []
    for row in open_rows[:_MAX_LISTED]:
        c = counts(store, row.name)
        left = c.runs.get(B_PENDING, 0) + c.runs.get(B_IN_FLIGHT, 0)
        described.append(f"{row.name} ({row.status}, {left} runs not delivered)")
    more = f", +{len(open_rows) - _MAX_LISTED} more" if len(open_rows) > _MAX_LISTED else ""
    last = max((row.finished_at or row.started_at or row.created_at for row in rows), default=None)
    lines = [
        ("open", str(len(open_rows)) + (f" ({'; '.join(described)}{more})" if open_rows else "")),
        ("completed", str(by_status.get(COMPLETED, 0))),
        ("with failures", str(by_status.get(COMPLETED_WITH_FAILURES, 0))),
        ("refused", str(by_status.get(REFUSED, 0))),
        ("last activity", last or "never"),
    ]
    return StatusSection(
        "requests",
        "Requests",
        lines,
        {
            "total": len(rows),
            "byStatus": by_status,
            "open": [{"name": r.name, "status": r.status} for r in open_rows],
            "lastActivity": last,
        },
        ok=not open_rows and not by_status.get(COMPLETED_WITH_FAILURES),
    )


def immutability_findings(root: Path, store_url: str) -> list[Finding]:
    """For `validate`: request files whose name is in the ledger with other content. Only
    when a store already exists and answers (validate never creates one and works offline)."""
    from reconciler.load.tree import REQUESTS_DIR, load_tree
    from reconciler.store.base import open_store, sqlite_path

    if store_url.startswith("sqlite:"):
        try:
            path = sqlite_path(store_url, root)
        except ReconcilerError:
            return []
        if path == ":memory:" or not Path(path).exists():
            return []
    try:
        store = open_store(store_url, root=root, migrate=False)
    except ReconcilerError:
        return []
    try:
        if store.schema_version() == 0 or not store.query_one("SELECT 1 FROM requests LIMIT 1"):
            return []
        requests_dir = root / REQUESTS_DIR
        if not requests_dir.is_dir():
            return []
        return changed_after_dispatch(store, load_tree(root, [requests_dir]))
    finally:
        store.close()
