"""Shared rate-limit buckets: one row per limited endpoint holding when its next send may
start, taken with one short transaction per send, so that every process dispatching to it
from one store (PostgreSQL, or one SQLite file) keeps to the same spacing.

The slot arithmetic is core/ratelimit.py's (`take_slot`); this module only makes it atomic.
The row is locked before the clock is read (SELECT ... FOR UPDATE on PostgreSQL; BEGIN
IMMEDIATE holds SQLite's write lock), so a sender that waited for the lock is not handed a
slot computed from the moment it started waiting. On PostgreSQL the clock is the server's:
processes on hosts whose clocks disagree still share one timeline. The answer is how long
the caller waits from now -- a duration, never an instant of one host's clock."""

from __future__ import annotations

import time

from reconciler.core.ratelimit import take_slot
from reconciler.store.base import Store

_PG_NOW = "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS DOUBLE PRECISION)"


def _now(store: Store) -> float:
    if store.dialect == "postgresql":
        row = store.query_one(_PG_NOW)
        assert row is not None
        return float(row[0])
    return time.time()  # an SQLite file is shared by processes of one host: one clock


def take(store: Store, key: str, interval: float) -> float:
    """Take the next slot of bucket `key` (sends `interval` seconds apart); returns the
    seconds to wait before sending (0.0: at once)."""
    lock = " FOR UPDATE" if store.dialect == "postgresql" else ""
    select = f"SELECT next_free FROM rate_buckets WHERE key = ?{lock}"
    with store.transaction():
        row = store.query_one(select, (key,))
        if row is None:  # the bucket's first send: create it, then lock it like any other
            store.execute(
                "INSERT INTO rate_buckets (key, next_free) VALUES (?, 0) "
                "ON CONFLICT (key) DO NOTHING",
                (key,),
            )
            row = store.query_one(select, (key,))
            assert row is not None
        now = _now(store)
        start, next_free = take_slot(float(row[0]), now, interval)
        store.execute("UPDATE rate_buckets SET next_free = ? WHERE key = ?", (next_free, key))
    return max(0.0, start - now)
