"""The store writer lock: a row lease in `locks` with a named holder and an expiry, the
same on SQLite and PostgreSQL.

- Acquire is a compare-and-swap in a short transaction: insert the row if absent, or take it
  over when its lease has expired or its holder is a process on this host that no longer
  exists (SIGKILL leaves the row behind; the lease makes that safe across hosts).
- While held, a heartbeat thread on its own connection extends the lease, so a long apply
  never loses it and a killed one blocks others for at most one lease period.
- A second writer polls until `timeout`, then fails naming the holder.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from reconciler.errors import LockTimeout
from reconciler.store.base import SQLITE_BUSY_TIMEOUT, Store

WRITER = "writer"
DEFAULT_TTL = 30.0
# SQLite: how long one acquire attempt waits for the database's write lock, and the
# connection's usual wait (open_store), restored afterwards.
SQLITE_LOCK_POLL_MS = 100
SQLITE_BUSY_MS = int(SQLITE_BUSY_TIMEOUT * 1000)
BUSY_WITHOUT_LEASE = "another writer (a transaction that holds the store's write lock)"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LockHolder:
    """Who holds a lock, as stored in `locks.holder` (JSON; anything else shown raw)."""

    raw: str
    acquired_at: str
    expires_at: str

    @property
    def info(self) -> dict[str, Any]:
        try:
            data = json.loads(self.raw)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def describe(self) -> str:
        info = self.info
        if not info:
            return self.raw
        return (
            f"{info.get('purpose', 'a writer')} by {info.get('actor', '?')} on "
            f"{info.get('host', '?')} (pid {info.get('pid', '?')})"
        )

    def alive(self, now: str) -> bool:
        """The lease still counts: not expired, and not left by a dead local process."""
        return self.expires_at > now and not self.is_dead_local_process()

    def is_dead_local_process(self) -> bool:
        """The holder ran on this host and its process is gone."""
        info = self.info
        pid = info.get("pid")
        if info.get("host") != socket.gethostname() or not isinstance(pid, int):
            return False
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # exists, owned by someone else
            return False
        return False


class StoreLock:
    """`with StoreLock(store, purpose="apply", actor=..., timeout=60):` -- see module doc."""

    def __init__(
        self,
        store: Store,
        *,
        purpose: str,
        actor: str,
        name: str = WRITER,
        timeout: float = 60.0,
        ttl: float = DEFAULT_TTL,
        heartbeat: bool = True,
    ) -> None:
        self.store = store
        self.name = name
        self.timeout = timeout
        self.ttl = ttl
        self.holder = json.dumps(
            {
                "purpose": purpose,
                "actor": actor,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "token": uuid.uuid4().hex[:12],
            },
            sort_keys=True,
        )
        self.took_over: LockHolder | None = None
        self._heartbeat = heartbeat and ":memory:" not in store.url
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- acquire / release ----------------------------------------------------------------
    def acquire(self) -> None:
        deadline = time.monotonic() + self.timeout
        delay = 0.05
        while True:
            current = self._try_acquire()
            if current is None:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                since = (
                    f" since {current.acquired_at} (lease until {current.expires_at})"
                    if current.acquired_at
                    else ""
                )
                raise LockTimeout(
                    f"the store is locked by {current.describe()}{since}; gave up after "
                    f"waiting {self.timeout:g}s",
                    hint="let it finish and retry, or wait longer with --lock-timeout SECONDS; "
                    "the lease of a killed writer expires by itself",
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, 1.0)
        if self._heartbeat:
            self._thread = threading.Thread(target=self._beat, name="store-lock", daemon=True)
            self._thread.start()

    def _try_acquire(self) -> LockHolder | None:
        """None when acquired, else the current holder.

        The holder is read first with a plain read, which never waits (WAL readers on
        SQLite, MVCC on PostgreSQL). Only a free or expired lease is written, and on SQLite
        without waiting for the database's write lock: a writer whose transaction is still
        open holds it (its lease may even have expired, as its heartbeat cannot write
        meanwhile), and then the lock counts as held, so that --lock-timeout applies."""
        seen = current_holder(self.store, self.name)
        if seen is not None and seen.alive(_iso(_now())):
            return seen
        if self.store.dialect != "sqlite":
            return self._compare_and_swap()
        self.store.execute(f"PRAGMA busy_timeout = {SQLITE_LOCK_POLL_MS}")
        try:
            return self._compare_and_swap()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            return seen or LockHolder(BUSY_WITHOUT_LEASE, "", "")
        finally:
            self.store.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_MS}")

    def _compare_and_swap(self) -> LockHolder | None:
        now = _now()
        expires = _iso(now + timedelta(seconds=self.ttl))
        with self.store.transaction():
            row = self.store.query_one(
                "SELECT holder, acquired_at, expires_at FROM locks WHERE name = ?", (self.name,)
            )
            if row is None:
                cur = self.store.execute(
                    "INSERT INTO locks (name, holder, acquired_at, expires_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    (self.name, self.holder, _iso(now), expires),
                )
                if cur.rowcount == 1:
                    return None
                row = self.store.query_one(
                    "SELECT holder, acquired_at, expires_at FROM locks WHERE name = ?",
                    (self.name,),
                )
                if row is None:  # released in between: next poll gets it
                    return LockHolder("(released)", "", "")
            current = LockHolder(str(row[0]), str(row[1]), str(row[2]))
            if current.alive(_iso(now)):
                return current
            cur = self.store.execute(
                "UPDATE locks SET holder = ?, acquired_at = ?, expires_at = ? "
                "WHERE name = ? AND holder = ? AND acquired_at = ?",
                (self.holder, _iso(now), expires, self.name, current.raw, current.acquired_at),
            )
            if cur.rowcount == 1:
                self.took_over = current
                return None
            return current

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl)
            self._thread = None
        with self.store.transaction():
            self.store.execute(
                "DELETE FROM locks WHERE name = ? AND holder = ?", (self.name, self.holder)
            )

    def _beat(self) -> None:
        """Extend the lease every ttl/3 on a connection of its own (the main one is busy in
        the apply transaction). A failed beat is retried at the next tick."""
        conn: Store | None = None
        try:
            while not self._stop.wait(self.ttl / 3):
                try:
                    conn = conn or self.store.reopen()
                    with conn.transaction():
                        conn.execute(
                            "UPDATE locks SET expires_at = ? WHERE name = ? AND holder = ?",
                            (
                                _iso(_now() + timedelta(seconds=self.ttl)),
                                self.name,
                                self.holder,
                            ),
                        )
                except Exception:  # a busy store or a dropped connection: try again
                    if conn is not None:
                        conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def current_holder(store: Store, name: str = WRITER) -> LockHolder | None:
    row = store.query_one(
        "SELECT holder, acquired_at, expires_at FROM locks WHERE name = ?", (name,)
    )
    return LockHolder(str(row[0]), str(row[1]), str(row[2])) if row else None
