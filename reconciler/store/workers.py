"""Dispatch workers and their leases. Each worker has an id (host/pid/random); on
PostgreSQL it holds a session advisory lock named after itself, so the others can tell at
once that it died; on SQLite the process id tells. Batches in flight for a dead worker go
back to pending (reap); a live worker renews the leases of the batches it holds."""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from reconciler.store.base import Store, utcnow
from reconciler.store.requests import B_IN_FLIGHT, B_PENDING

_LOCK_CLASS = 0x6672  # "fr": advisory-lock namespace of dispatch workers
_MMAP_BYTES = 64 * 1024 * 1024


def lease_end(seconds: float) -> str:
    return (
        (datetime.now(UTC) + timedelta(seconds=seconds))
        .isoformat(timespec="microseconds")
        .replace("+00:00", "Z")
    )


def _lock_id(worker: str) -> int:
    return int.from_bytes(hashlib.sha256(worker.encode()).digest()[:4], "big", signed=True)


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


def new_worker_id() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"


# Who each worker of this process sends for (actor, commit), for its batch audit records.
# Kept by worker id, which every ledger call already carries, so the send loop need not
# pass provenance through each settle.
SENT_FOR: dict[str, tuple[str | None, str | None]] = {}


def register_worker(
    store: Store, worker: str, *, actor: str | None = None, commit_sha: str | None = None
) -> None:
    """Remember whom `worker` sends for (its batch records carry that actor and commit).
    On PostgreSQL hold a session advisory lock named after the worker for its lifetime:
    when the process dies the server drops the session and the lock with it."""
    SENT_FOR[worker] = (actor, commit_sha)
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


def renew_leases(store: Store, request: str, worker: str, lease_seconds: float) -> None:
    with store.transaction():
        store.execute(
            "UPDATE batches SET lease_until = ? WHERE request = ? AND status = ? AND claimed_by = ?",
            (lease_end(lease_seconds), request, B_IN_FLIGHT, worker),
        )
