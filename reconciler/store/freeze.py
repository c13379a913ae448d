"""Freezing a request's selection (tables requests, batches, batch_runs): one transaction
writes the request row, every batch with its Idempotency-Key and the frozen run list per
batch. Evaluated once; a re-run reuses it. A selection over the limit is stored refused."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from reconciler.core.words import plural
from reconciler.store.audit import write_audit
from reconciler.store.base import Store, utcnow
from reconciler.store.requests import B_PENDING, PENDING, REFUSED, RequestRow, get_request

_KEY_NAMESPACE = uuid.UUID("7d3b3a0e-5f1c-4a4e-9c1e-2f6d1b8f6a10")


def idempotency_key(request: str, content_hash: str, flow: str, seq: int) -> str:
    """Stable per (request, flow, batch): the same on every attempt, crash and worker."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{request}\x00{content_hash}\x00{flow}\x00{seq}"))


@dataclass(frozen=True)
class FlowTarget:
    """Where one flow's batches of a request go."""

    flow: str
    url: str
    batch_size: int


class SelectionEmpty(Exception):
    """The selection holds no run and the request does not accept that (see freeze)."""


class SelectionTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


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
            write_audit(
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
        write_audit(
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
