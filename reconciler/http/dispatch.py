"""Sending a frozen request: claim a batch, POST it, record the outcome, repeat.

Per flow endpoint `concurrency` senders run at once; each claims one batch at a time from
the ledger (so several processes share the work the same way), builds the body from the
stored record texts without re-serialising, and retries by the policy in core/retry.py.
Database calls are short and run on the event loop thread (one connection, no threads)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from reconciler import __version__
from reconciler.core.retry import CircuitBreaker, RetryPolicy, Verdict, classify_status
from reconciler.core.retry import parse_retry_after as _parse_retry_after
from reconciler.core.secrets import mask
from reconciler.core.signing import signature_headers
from reconciler.http.guard import PolicyRefused
from reconciler.store import ledger
from reconciler.store.base import Store

USER_AGENT = f"flow-reconciler/{__version__}"
_T = TypeVar("_T")
_THREAD = threading.local()  # a ledger thread's own store connection
_REASON_BODY_BYTES = 300  # how much of an error response we keep as the reason
_DRAIN_BYTES = 64 * 1024


@dataclass(frozen=True)
class DispatchSettings:
    """Knobs that are not per flow. Tests shorten the delays through the environment."""

    lease_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_after_cap: float = 120.0
    breaker_threshold: int = 10

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> DispatchSettings:
        env = dict(os.environ if environ is None else environ)
        defaults = cls()

        def number(name: str, default: float) -> float:
            text = env.get(name)
            if not text:
                return default
            try:
                value = float(text)
            except ValueError:
                from reconciler.errors import ConfigError

                raise ConfigError(f"{name}={text!r} is not a number") from None
            if value < 0:
                from reconciler.errors import ConfigError

                raise ConfigError(f"{name} must be >= 0")
            return value

        return cls(
            lease_seconds=max(number("RECONCILER_DISPATCH_LEASE", defaults.lease_seconds), 1.0),
            base_delay=number("RECONCILER_DISPATCH_BASE_DELAY", defaults.base_delay),
            max_delay=number("RECONCILER_DISPATCH_MAX_DELAY", defaults.max_delay),
            retry_after_cap=number("RECONCILER_DISPATCH_RETRY_AFTER_CAP", defaults.retry_after_cap),
            breaker_threshold=max(
                int(number("RECONCILER_DISPATCH_BREAKER", defaults.breaker_threshold)), 1
            ),
        )


@dataclass(frozen=True)
class FlowSend:
    """Everything needed to send one flow's batches; header values already resolved."""

    flow: str
    url: str
    headers: dict[str, str]
    signing_key: bytes | None
    concurrency: int
    timeout: float
    max_attempts: int


@dataclass(frozen=True)
class BatchResult:
    flow: str
    seq: int
    status: str  # delivered | failed | released
    attempts: int
    runs: int
    http_status: int | None
    reason: str | None


@dataclass
class Attempt:
    verdict: Verdict
    http_status: int | None
    reason: str
    retry_after: float | None = None
    fatal: bool = False  # the endpoint cannot be reached as configured: stop the flow


@dataclass
class FlowRun:
    """What one dispatch process did for one flow."""

    flow: str
    sent: list[BatchResult] = field(default_factory=list)
    breaker_opened: str | None = None


ClientFactory = Callable[[FlowSend], httpx.AsyncClient]
OnBatch = Callable[[BatchResult], None]


def _is_tls_verification(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):  # walk the cause chain, bounded
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def post_once(client: httpx.AsyncClient, send: FlowSend, key: str, body: bytes) -> Attempt:
    """One POST; never raises for network trouble -- the outcome is data."""
    headers = dict(send.headers)
    headers["Idempotency-Key"] = key
    if send.signing_key is not None:
        headers.update(signature_headers(send.signing_key, key, int(time.time()), body))
    try:
        async with client.stream("POST", send.url, content=body, headers=headers) as response:
            # Drain a small body so the connection goes back to the pool; stop reading a
            # large one (the connection is then dropped, which is the safe choice).
            snippet = b""
            async for chunk in response.aiter_bytes():
                snippet += chunk
                if len(snippet) >= _DRAIN_BYTES:
                    break
    except httpx.TimeoutException as exc:
        return Attempt(Verdict.RETRY, None, f"timeout ({type(exc).__name__})")
    except PolicyRefused as exc:  # nothing was sent; no other batch to this host can go
        return Attempt(
            Verdict.FAIL, None, f"refused by the network policy: {exc.reason}", fatal=True
        )
    except httpx.TransportError as exc:
        if _is_tls_verification(exc):
            return Attempt(Verdict.FAIL, None, f"TLS verification failed: {exc}", fatal=True)
        return Attempt(Verdict.RETRY, None, f"{type(exc).__name__}: {exc or 'connection error'}")
    except httpx.RequestError as exc:
        return Attempt(Verdict.FAIL, None, f"{type(exc).__name__}: {exc}", fatal=True)
    status = response.status_code
    verdict = classify_status(status)
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if 300 <= status < 400:
        location = response.headers.get("location")
        reason += f" (redirect{' to ' + location if location else ''} not followed)"
    elif snippet:
        text = snippet[:_REASON_BODY_BYTES].decode("utf-8", "replace").strip()
        reason += f": {' '.join(text.split())}"
    retry_after = None
    if verdict is Verdict.RETRY:
        from datetime import UTC, datetime

        retry_after = _parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))
    return Attempt(verdict, status, mask(reason), retry_after)


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
    ) -> None:
        self.store = store
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
                ledger.renew_leases, self.request, self.worker, self.settings.lease_seconds
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
                await self._db(ledger.reap, self.request, self.worker)
                senders = [
                    self._sender(client, send, policy, breaker, outcome)
                    for _ in range(send.concurrency)
                ]
                await asyncio.gather(*senders)
                if breaker.opened:
                    outcome.breaker_opened = (
                        f"sending to {send.url} stopped: {breaker.last_failure}"
                        if breaker.tripped
                        else f"circuit breaker opened after {breaker.threshold} consecutive "
                        f"failed attempts to {send.url} (last: {breaker.last_failure})"
                    )
                    break
                if not await self._db(ledger.reap, self.request, self.worker):
                    break
        return outcome

    async def _sender(
        self,
        client: httpx.AsyncClient,
        send: FlowSend,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        outcome: FlowRun,
    ) -> None:
        while not breaker.opened:
            batch = await self._db(
                ledger.claim, self.request, send.flow, self.worker, self.settings.lease_seconds
            )
            if batch is None:
                return
            result = await self._send_batch(client, send, policy, breaker, batch)
            if result is not None:
                outcome.sent.append(result)
                self.on_batch(result)

    async def _send_batch(
        self,
        client: httpx.AsyncClient,
        send: FlowSend,
        policy: RetryPolicy,
        breaker: CircuitBreaker,
        batch: ledger.Batch,
    ) -> BatchResult | None:
        records = await self._db(ledger.batch_records, batch)
        attempt = batch.attempts
        if len(records) != batch.run_count:
            reason = f"{batch.run_count - len(records)} of {batch.run_count} frozen runs are no longer in the store"
            return await self._finish(batch, ledger.B_FAILED, None, reason, attempt)
        # The stored texts are the exact records: join them, never re-serialise.
        body = b"[" + b",".join(records) + b"]"
        del records
        while True:
            result = await post_once(client, send, batch.idempotency_key, body)
            if result.verdict is Verdict.DELIVERED:
                breaker.success()
                return await self._finish(
                    batch, ledger.B_DELIVERED, result.http_status, None, attempt
                )
            if result.fatal:
                breaker.trip(result.reason)
            else:
                breaker.failure(result.reason)
            if breaker.opened and result.fatal:  # leave it pending for a fixed re-run
                return await self._release(batch, result, attempt)
            if not policy.should_retry(result.verdict, attempt):
                return await self._finish(
                    batch, ledger.B_FAILED, result.http_status, result.reason, attempt
                )
            if not breaker.opened:
                await asyncio.sleep(policy.delay(attempt, result.retry_after, self.rng))
            if breaker.opened:  # tripped by this failure or by another sender meanwhile
                return await self._release(batch, result, attempt)
            next_attempt = await self._db(
                ledger.next_attempt,
                batch,
                self.worker,
                self.settings.lease_seconds,
                http_status=result.http_status,
                reason=f"attempt {attempt}: {result.reason}",
            )
            if next_attempt is None:  # another worker took over (our lease expired)
                return None
            attempt = next_attempt

    async def _release(self, batch: ledger.Batch, result: Attempt, attempt: int) -> BatchResult:
        reason = f"{result.reason}; not retried: sending to this endpoint stopped"
        await self._db(ledger.release, batch, self.worker, reason=reason)
        return BatchResult(
            batch.flow, batch.seq, "released", attempt, batch.run_count, result.http_status, reason
        )

    async def _finish(
        self,
        batch: ledger.Batch,
        status: str,
        http_status: int | None,
        reason: str | None,
        attempts: int,
    ) -> BatchResult | None:
        if not await self._db(
            ledger.finish,
            batch,
            self.worker,
            status=status,
            http_status=http_status,
            reason=reason,
            attempts=attempts,
            action=self.action,
        ):
            return None
        return BatchResult(
            batch.flow, batch.seq, status, attempts, batch.run_count, http_status, reason
        )
