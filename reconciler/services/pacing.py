"""Pacing the sends to a rate-limited endpoint: before every POST -- a retry as much as a
first attempt -- a sender takes the next slot of the endpoint's shared bucket in the store
and sleeps until it. A retry's own delay (backoff, or the server's Retry-After) is slept
first and the slot taken after it, so the longer of the two wins.

The bucket is keyed by flow: every request and every process sending to a flow shares its
spacing. Each send is spaced by the stricter of the flow's and the request's limit, so the
flow's limit holds for all of them together and each request's for its own sends."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from reconciler.core.ratelimit import RateLimit
from reconciler.store import ratebucket
from reconciler.store.base import Store


def bucket_key(flow: str) -> str:
    return f"flow:{flow}"


class Pacer:
    """Waits for a slot of one flow's bucket; without a limit it never waits. The slots are
    taken on a thread with its own store connection: the event loop never waits on SQL."""

    def __init__(self, connect: Callable[[], Store], flow: str, limit: RateLimit | None) -> None:
        self.limit = limit
        self.key = bucket_key(flow)
        self._connect = connect
        self._store: Store | None = None
        self._executor: ThreadPoolExecutor | None = None
        self.waited = 0.0  # seconds spent waiting for slots

    async def wait(self) -> float:
        """Take the next slot and sleep until it; returns the seconds slept."""
        if self.limit is None:
            return 0.0
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="rate-limit")
        loop = asyncio.get_running_loop()
        delay = await loop.run_in_executor(self._executor, self._take, self.limit.interval)
        if delay > 0:
            self.waited += delay
            await asyncio.sleep(delay)
        return delay

    def _take(self, interval: float) -> float:
        if self._store is None:
            self._store = self._connect()
        return ratebucket.take(self._store, self.key, interval)

    def close(self) -> None:
        if self._executor is None:
            return

        def close_store() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._executor.submit(close_store).result()
        self._executor.shutdown()
        self._executor = None
