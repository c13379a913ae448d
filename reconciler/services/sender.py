"""Sending a frozen request: claim a batch, POST it, record the outcome, repeat.

Per flow endpoint `concurrency` senders run at once; each claims one batch at a time from
the ledger (so several processes share the work the same way), builds the body from the
stored record texts without re-serialising, and retries by the policy in core/retry.py.
Each POST is one `attempt.BatchPoster.attempt` (guarded, pinned, verified TLS, kept
alive; the outcome as data).
On SQLite ledger calls are short and run on the event loop thread (one connection); on
PostgreSQL on ledger threads (see RequestSender)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from reconciler.core.delivery import BatchResult, DispatchSettings, FlowSend, Retried
from reconciler.core.retry import CircuitBreaker, RetryPolicy, Verdict
from reconciler.http.attempt import Attempt, BatchPoster
from reconciler.store import batches as batch_store
from reconciler.store import requests as requests_store
from reconciler.store import workers
from reconciler.store.base import Store
from reconciler.store.controls import still_dispatching

_T = TypeVar("_T")
_THREAD = threading.local()  # a ledger thread's own store connection


@dataclass
class FlowRun:
    """What one dispatch process did for one flow."""

    flow: str
    sent: list[BatchResult] = field(default_factory=list)
    breaker_opened: str | None = None
    retries: list[Retried] = field(default_factory=list)  # failed attempts tried again


ClientFactory = Callable[[FlowSend], BatchPoster]
OnBatch = Callable[[BatchResult], None]


class RequestSender:
    """Sends every claimable batch of one frozen request, flow by flow."""

    def __init__(
        self,
        store: Store,
        request: str,
        action: str,
        worker: str,
        settings: DispatchSettings,
        client_factory: ClientFactory,
        on_batch: OnBatch | None = None,
        rng: random.Random | None = None,
        connect: Callable[[], Store] | None = None,
        connections: int = 1,
        halted: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = store
        self.halted = halted  # no new batch starts (a schedule's window closed)
        # With `connect` (PostgreSQL), ledger calls run on a few threads with their own
        # connections: a commit waits for the server's WAL flush, and those waits must
        # neither stall the event loop's HTTP work nor queue behind each other.
        self.connect = connect
        self.connections = max(1, connections)
        self._executor: ThreadPoolExecutor | None = None
        self._opened: list[Store] = []
        self._opened_lock = threading.Lock()
        self.request = request
        self.action = action
        self.worker = worker
        self.settings = settings
        self.client_factory = client_factory
        self.on_batch = on_batch or (lambda result: None)
        self.rng = rng or random.Random()

    async def run(self, flows: list[FlowSend]) -> list[FlowRun]:
        if self.connect is not None:
            self._executor = ThreadPoolExecutor(
                self.connections, "ledger", initializer=self._open_connection
            )
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            results = []
            for send in flows:
                results.append(await self._run_flow(send))
            return results
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None
            for store in self._opened:
                store.close()
            self._opened.clear()

    def _open_connection(self) -> None:
        assert self.connect is not None
        _THREAD.store = self.connect()
        with self._opened_lock:
            self._opened.append(_THREAD.store)

    async def _db(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        """A ledger function (store first): on a ledger thread, or inline on SQLite."""
        if self._executor is None:
            return fn(self.store, *args, **kwargs)

        def call() -> _T:
            return fn(_THREAD.store, *args, **kwargs)

        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def _heartbeat(self) -> None:
        interval = max(self.settings.lease_seconds / 3, 0.5)
        while True:
            await asyncio.sleep(interval)
            await self._db(
                workers.renew_leases, self.request, self.worker, self.settings.lease_seconds
            )

    async def _run_flow(self, send: FlowSend) -> FlowRun:
        outcome = FlowRun(send.flow)
        breaker = CircuitBreaker(threshold=self.settings.breaker_threshold)
        policy = RetryPolicy(
            max_attempts=send.max_attempts,
            base_delay=self.settings.base_delay,
            max_delay=self.settings.max_delay,
            retry_after_cap=self.settings.retry_after_cap,
        )
        async with self.client_factory(send) as client:
            # Batches left in flight by a dead worker are resent first; a second sweep
            # after the senders finish catches a worker that died meanwhile (bounded).
            for _ in range(3):
                await self._db(workers.reap, self.request, self.worker)
                window = _Window(
                    self, send, outcome, stopped=lambda: breaker.opened or self.halted()
                )
                try:
                    senders = [
                        self._sender(client, send, policy, breaker, window)
                        for _ in range(send.concurrency)
                    ]
                    await asyncio.gather(*senders)
                finally:
                    await window.close()
                if breaker.opened:
                    outcome.breaker_opened = (
                        f"sending to {send.url} stopped: {breaker.last_failure}"
                        if breaker.tripped
                        else f"circuit breaker opened after {breaker.threshold} consecutive "
                        f"failed attempts to {send.url} (last: {breaker.last_failure})"
                    )
                    break
                if not await self._db(workers.reap, self.request, self.worker):
                    break
        return outcome

    async def _sender(
        self,
        client: BatchPoster,
        send: FlowSend,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        window: _Window,
    ) -> None:
        while not breaker.opened:
            claimed = await window.next()
            if claimed is None:
                return
            if window.stopped():  # stopped while this sender waited: give the batch back unsent
                window.ready.appendleft(claimed)
                return
            batch, body = claimed
            result = await self._send_batch(client, send, policy, breaker, batch, body, window)
            if result is not None:
                window.report(result)

    async def _send_batch(
        self,
        client: BatchPoster,
        send: FlowSend,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        batch: batch_store.Batch,
        body: batch_store.Body,
        window: _Window,
    ) -> BatchResult | None:
        """Send one claimed batch until it settles. Delivered/failed go to the window, and
        this returns once they are committed; released/taken-over batches are returned
        or dropped here."""
        attempt = batch.attempts
        if body.runs != batch.run_count:
            reason = f"{batch.run_count - body.runs} of {batch.run_count} frozen runs are no longer in the store"
            await window.settle(
                batch_store.Settle(batch, requests_store.B_FAILED, None, reason, attempt)
            )
            return None
        while True:
            result = await client.attempt(batch.idempotency_key, body.data)
            if result.verdict is Verdict.DELIVERED:
                breaker.success()
                await window.settle(
                    batch_store.Settle(
                        batch, requests_store.B_DELIVERED, result.http_status, None, attempt
                    )
                )
                return None
            if result.fatal:
                breaker.trip(result.reason)
            else:
                breaker.failure(result.reason)
            if breaker.opened and result.fatal:  # leave it pending for a fixed re-run
                return await self._release(batch, result, attempt)
            if not policy.should_retry(result.verdict, attempt):
                await window.settle(
                    batch_store.Settle(
                        batch, requests_store.B_FAILED, result.http_status, result.reason, attempt
                    )
                )
                return None
            if not breaker.opened:
                await asyncio.sleep(policy.delay(attempt, result.retry_after, self.rng))
            if breaker.opened:  # tripped by this failure or by another sender meanwhile
                return await self._release(batch, result, attempt)
            next_attempt = await self._db(
                batch_store.next_attempt,
                batch,
                self.worker,
                self.settings.lease_seconds,
                http_status=result.http_status,
                reason=f"attempt {attempt}: {result.reason}",
            )
            if next_attempt is None:  # another worker took over (our lease expired)
                return None
            window.outcome.retries.append(
                Retried(
                    batch.flow, batch.seq, result.http_status, result.retry_after, result.reason
                )
            )
            attempt = next_attempt

    async def _release(
        self, batch: batch_store.Batch, result: Attempt, attempt: int
    ) -> BatchResult:
        reason = f"{result.reason}; not retried: sending to this endpoint stopped"
        await self._db(batch_store.release, batch, self.worker, reason=reason)
        return BatchResult(
            batch.flow, batch.seq, "released", attempt, batch.run_count, result.http_status, reason
        )


class _Window:
    """One flow's ledger traffic, grouped: claims `claim_size` batches at a time (in_flight,
    committed before any of them is sent; their bodies read in the same go), refilled in
    the background while the previous ones are on the wire, and commits the results of
    sent batches in groups (with a claim, or on their own) -- a few transactions per round
    of batches instead of three per batch. A result is committed after its send, and the
    sender waits for that commit before its next batch: a crash in between leaves at most
    one batch per sender in_flight after its POST, resent with the same Idempotency-Key.

    With ledger threads (PostgreSQL) up to `refills` claims run at once: a claim's commit
    and body reads take longer than sending a round, and FOR UPDATE SKIP LOCKED keeps
    concurrent claims apart. Inline (SQLite) one at a time: the calls block anyway."""

    def __init__(
        self,
        sender: RequestSender,
        send: FlowSend,
        outcome: FlowRun,
        stopped: Callable[[], bool] = lambda: False,
    ) -> None:
        self.sender = sender
        self._stopped = stopped  # sending stopped (circuit breaker): claim nothing more
        self.held = False  # the request stopped dispatching (suspended or cancelled elsewhere)
        self.send = send
        self.outcome = outcome
        # Claims of two rounds of the senders: half the claim commits, and the next
        # claim starts while a full round is still ready.
        self.size = max(1, send.concurrency)
        self.claim_size = 2 * self.size
        self.refills = 1 if sender._executor is None else 3
        self.ready: collections.deque[tuple[batch_store.Batch, batch_store.Body]] = (
            collections.deque()
        )
        # Sent batches' outcomes not yet committed, each with its sender's wait.
        self.settled: list[tuple[batch_store.Settle, asyncio.Future[None]]] = []
        self.flusher: asyncio.Task[None] | None = None
        self.exhausted = False
        self.claiming = 0  # batches asked for by claims under way
        self.claims: set[asyncio.Task[None]] = set()
        self.failure: BaseException | None = None  # of a claim in the background

    async def next(self) -> tuple[batch_store.Batch, batch_store.Body] | None:
        while True:
            self._top_up()
            if self.ready:
                item = self.ready.popleft()
                self._top_up()  # claim the next ones while these are sent
                return item
            if not self.claims:
                return None  # exhausted, nothing under way
            await asyncio.wait(set(self.claims), return_when=asyncio.FIRST_COMPLETED)

    def _top_up(self) -> None:
        if self.failure is not None:
            raise self.failure  # a claim that failed in the background surfaces here
        # Keep a round ready plus what the claims under way bring (one claim ahead inline).
        want = self.size + self.claim_size * (self.refills - 1)
        while (
            not self.exhausted
            and not self.stopped()
            and len(self.claims) < self.refills
            and len(self.ready) + self.claiming < max(want, 1)
        ):
            self.claiming += self.claim_size
            claim = asyncio.create_task(self._claim())
            self.claims.add(claim)
            claim.add_done_callback(self.claims.discard)

    async def _claim(self) -> None:
        try:
            # Checked again as the claim starts: the breaker may have opened meanwhile.
            claimed = await self._sync(0 if self.stopped() else self.claim_size)
        except Exception as exc:  # raised to the senders by _top_up
            self.failure = exc
            self.exhausted = True
            return
        finally:
            self.claiming -= self.claim_size
        self.ready.extend(claimed)
        if not claimed and not self.stopped():
            self.exhausted = True
            # Claims take batches only of a dispatching request: an empty one may mean a
            # suspend or cancel recorded by another process. Then what was claimed ahead
            # goes back unsent.
            self.held = not await self.sender._db(still_dispatching, self.sender.request)

    def stopped(self) -> bool:
        return self.held or self._stopped()

    async def settle(self, result: batch_store.Settle) -> None:
        """Record a sent batch's outcome and return once it is committed: only then does
        the sender take its next batch, so a crash leaves at most one sent but unrecorded
        batch per sender. Outcomes that arrive while a commit is under way go together in
        the next one (a group commit), or with a claim that starts first."""
        committed = asyncio.get_running_loop().create_future()
        self.settled.append((result, committed))
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush())
        await committed

    async def _flush(self) -> None:
        # One commit at a time; each carries every outcome queued meanwhile. Its rows are
        # others than a claim's, so the two may overlap on PostgreSQL.
        while self.settled:
            with contextlib.suppress(Exception):  # raised to the waiting senders
                await self._sync(0)

    def report(self, result: BatchResult) -> None:
        self.outcome.sent.append(result)
        self.sender.on_batch(result)

    async def close(self) -> None:
        """Commit what was sent; give back what was claimed ahead but never sent."""
        self.exhausted = True
        if self.claims:
            await asyncio.wait(set(self.claims))
        if self.flusher is not None:
            await self.flusher
        await self._sync(0)
        unsent = [batch for batch, _ in self.ready]
        self.ready.clear()
        if unsent:
            await self.sender._db(
                batch_store.unclaim, unsent, self.sender.worker, reason="claimed, not sent"
            )

    async def _sync(self, limit: int) -> list[tuple[batch_store.Batch, batch_store.Body]]:
        """One transaction: commit the queued outcomes and claim up to `limit` batches."""
        queued, self.settled = self.settled, []
        if not queued and not limit:
            return []
        settled = [item for item, _ in queued]
        s = self.sender
        try:
            held, claimed = await s._db(
                batch_store.settle_and_claim,
                s.request,
                self.send.flow,
                s.worker,
                s.settings.lease_seconds,
                action=s.action,
                settled=settled,
                limit=limit,
            )
        except asyncio.CancelledError:
            for _, committed in queued:
                committed.cancel()
            raise
        except Exception as exc:
            for _, committed in queued:
                if not committed.done():
                    committed.set_exception(exc)
            raise
        for _, committed in queued:
            if not committed.done():
                committed.set_result(None)
        for item, still_ours in zip(settled, held, strict=True):
            if still_ours:  # else another worker took it over; its result stands
                b = item.batch
                self.report(
                    BatchResult(
                        b.flow,
                        b.seq,
                        item.status,
                        item.attempts,
                        b.run_count,
                        item.http_status,
                        item.reason,
                    )
                )
        return claimed
