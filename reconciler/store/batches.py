"""Batches: claim and settle (table batches). A claim makes pending batches, or in_flight
ones whose worker is gone, in_flight(attempt n) for this worker -- committed BEFORE the
send; delivered / failed is committed AFTER the send; a retry bumps the attempt first.

Several workers (PostgreSQL) claim with FOR UPDATE SKIP LOCKED (see store/workers.py for
how they tell that another one died)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reconciler.store.audit import AUDIT_INSERT, audit_row
from reconciler.store.base import Store, utcnow
from reconciler.store.frozen_runs import FROZEN_RUNS
from reconciler.store.requests import B_DELIVERED, B_FAILED, B_IN_FLIGHT, B_PENDING, DISPATCHING
from reconciler.store.workers import SENT_FOR, lease_end

_SEQS_PER_QUERY = 500  # bound parameters per statement, well under SQLite's limit


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
                lease_end(lease_seconds),
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
            (http_status, reason, lease_end(lease_seconds), utcnow(), *_held(batch, worker)),
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
    actor, commit_sha = SENT_FOR.get(worker, (None, None))
    audits = [
        audit_row(
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
        store.executemany(AUDIT_INSERT, audits)
    return held


def release(store: Store, batch: Batch, worker: str, *, reason: str) -> None:
    """Give an unfinished batch back (circuit breaker, interrupt): pending, same key."""
    with store.transaction():
        store.execute(
            "UPDATE batches SET status = ?, reason = ?, claimed_by = NULL, lease_until = NULL, "
            f"updated_at = ? WHERE {_HELD}",
            (B_PENDING, reason, utcnow(), *_held(batch, worker)),
        )
