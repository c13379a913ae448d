"""What the HTTP transport does for users, against real HTTPS servers on 127.0.0.1:

- a kept-alive connection the server has dropped is resent once on a new connection,
  and that costs neither an attempt nor a step toward the circuit breaker;
- a server's early answer (413, 401) to a body still uploading is read and classified;
- `timeoutSeconds` bounds a whole attempt, however slowly the answer drips in.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
import trustme

from reconciler.core.delivery import FlowSend
from reconciler.core.endpoints import Outcome
from reconciler.core.netpolicy import NetPolicy
from reconciler.core.retry import Verdict
from reconciler.http.attempt import Attempt, BatchPoster
from reconciler.http.reachability import CheckOptions, check_urls
from reconciler.http.settings import NetworkSettings
from reconciler.store import batches as batch_store
from reconciler.store.base import open_store
from tests.dispatch_support import (
    API_KEY,
    Hit,
    Receiver,
    Reply,
    dispatch_in_process,
    record_text,
    seed_store_at,
    write_tree,
)
from tests.https_servers import LoopThreadServer, server_context

LOCAL = NetPolicy.parse(["127.0.0.1/32"])
REQUEST = "2026-11-28-sap-outage"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
    monkeypatch.setenv("RECONCILER_DISPATCH_BASE_DELAY", "0.01")
    monkeypatch.setenv("RECONCILER_DISPATCH_MAX_DELAY", "0.05")
    monkeypatch.setenv("RECONCILER_DISPATCH_RETRY_AFTER_CAP", "5")


def dispatch(
    root: Path, ca_pem: Path, receiver: Receiver, runs: int, **tree: object
) -> tuple[str, list[batch_store.Batch], str | None]:
    store_url = f"sqlite:///{root / 'store.db'}"
    write_tree(root, ca_pem=ca_pem, url=receiver.url(), **tree)  # type: ignore[arg-type]
    seed_store_at(store_url, root, [record_text(i) for i in range(runs)])
    [outcome] = dispatch_in_process(root, store_url)
    store = open_store(store_url, root=root)
    try:
        return outcome.status, batch_store.batches(store, REQUEST), outcome.error
    finally:
        store.close()


@pytest.mark.parametrize("drop", ["hang_up", "reset"])
def test_a_server_that_drops_reused_connections_loses_nothing_at_max_attempts_1(
    tmp_path: Path,
    ca: trustme.CA,
    ca_pem: Path,
    monkeypatch: pytest.MonkeyPatch,
    drop: str,
) -> None:
    """The server answers the first request of each connection and drops any later one
    unanswered: every reuse fails, yet each batch is delivered in one attempt."""
    monkeypatch.setenv("RECONCILER_DISPATCH_BREAKER", "3")

    def script(hit: Hit) -> Reply:
        return Reply(**{drop: True}) if hit.on_connection > 1 else Reply()  # type: ignore[arg-type]

    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        status, batches, error = dispatch(
            tmp_path, ca_pem, receiver, 300, batch_size=10, concurrency=4, max_attempts=1
        )
        hits = receiver.hits
    assert (status, error) == ("completed", None)
    assert len(batches) == 30
    assert {(b.status, b.attempts) for b in batches} == {("delivered", 1)}
    dropped = [h for h in hits if h.on_connection > 1]
    assert dropped, "the pool reused connections (what this test is about)"
    delivered = Counter(h.key for h in hits if h.on_connection == 1)
    assert delivered == Counter({b.idempotency_key: 1 for b in batches})
    # each drop was resent once, with the same Idempotency-Key, on a new connection
    assert all(delivered[h.key] == 1 for h in dropped)


def test_an_idle_timeout_equal_to_retry_after_costs_no_attempt(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """nginx with keepalive_timeout 1s answering 503 Retry-After: 1 during an outage:
    each retry, sent after exactly the idle timeout, meets a connection the server is
    closing. The outage of three answers ends in a delivery at attempt four."""

    answered: list[Hit] = []

    def script(hit: Hit) -> Reply:
        if hit.on_connection > 1 and hit.idle >= 0.9:
            return Reply(hang_up=True)  # its keep-alive timer fired as the request came in
        answered.append(hit)
        return Reply(503, (("Retry-After", "1"),)) if len(answered) <= 3 else Reply()

    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        started = time.monotonic()
        status, [batch], error = dispatch(
            tmp_path, ca_pem, receiver, 5, batch_size=10, concurrency=1, max_attempts=4
        )
        elapsed = time.monotonic() - started
        hits = receiver.hits
    assert (status, error) == ("completed", None)
    assert (batch.status, batch.attempts) == ("delivered", 4)
    assert [h.on_connection == 1 for h in hits].count(False) >= 1  # a dead reuse was met
    assert 3.0 <= elapsed < 10


class EarlyAnswer(LoopThreadServer):
    """Reads a request head and answers at once, without reading the body, then closes
    (the RST of the unread body follows the answer) -- as a proxy refusing a large body."""

    def __init__(self, cert: trustme.LeafCert, answer: bytes) -> None:
        self.context = server_context(cert)
        self.answer = answer
        super().__init__()

    async def _start(self) -> asyncio.AbstractServer:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(self.answer)
                await writer.drain()
            finally:
                writer.close()

        return await asyncio.start_server(serve, "127.0.0.1", 0, ssl=self.context)


def attempt(
    url: str, ca_pem: Path, body: bytes, *, timeout: float = 10.0, tries: int = 1
) -> list[Attempt]:
    send = FlowSend("Orders", url, {"Content-Type": "application/json"}, None, 1, timeout, 1)

    async def go() -> list[Attempt]:
        async with BatchPoster(NetworkSettings(LOCAL, ca_pem), send) as poster:
            return [await poster.attempt(f"key-{i}", body) for i in range(tries)]

    return asyncio.run(go())


BIG_BODY = b"[" + b'{"id":"run"},' * 800_000 + b"{}]"  # ~10 MB: more than the socket buffers take


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (b"HTTP/1.1 413 Payload Too Large\r\nContent-Length: 8\r\n\r\ntoo big!", 413),
        (b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 6\r\n\r\nwho?\r\n", 401),
    ],
)
def test_an_early_answer_to_a_body_still_uploading_is_read_and_classified(
    ca: trustme.CA, ca_pem: Path, answer: bytes, status: int
) -> None:
    with EarlyAnswer(ca.issue_cert("127.0.0.1"), answer) as server:
        [result] = attempt(f"https://127.0.0.1:{server.port}/in", ca_pem, BIG_BODY)
    assert (result.verdict, result.http_status) == (Verdict.FAIL, status), result
    assert result.reason.startswith(f"HTTP {status} ") and not result.fatal


def test_a_large_body_is_uploaded_whole_to_a_server_that_reads_it(
    ca: trustme.CA, ca_pem: Path
) -> None:
    """Slicing the upload (to see an early answer) changes nothing for a server that reads
    the body first: new connections (TLS 1.3 session tickets make the socket readable
    with nothing for us in it) and a kept-alive one."""
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        results = attempt(receiver.url(), ca_pem, BIG_BODY, tries=2)
        hits = receiver.hits
    assert [(r.verdict, r.http_status) for r in results] == [(Verdict.DELIVERED, 200)] * 2
    assert [len(h.body) for h in hits] == [len(BIG_BODY)] * 2
    assert receiver.connections == 1


@pytest.mark.parametrize("body_only", [False, True], ids=["whole-answer", "body-only"])
def test_a_dripped_answer_is_cut_off_at_the_attempt_deadline(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, body_only: bool
) -> None:
    """One byte every 0.2 s (an answer of ~80 bytes: ~16 s): with timeoutSeconds 1 each
    attempt ends after 1 s, however many bytes keep arriving."""
    dripping = Reply(
        drip=0.2, drip_body_only=body_only, body=b'{"ok":true,"padding":"' + b"x" * 40 + b'"}'
    )
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: dripping) as receiver:
        started = time.monotonic()
        status, batches, _ = dispatch(
            tmp_path, ca_pem, receiver, 20, batch_size=10, concurrency=1, max_attempts=2, timeout=1
        )
        elapsed = time.monotonic() - started
    assert status in ("completed_with_failures", "failed")
    assert {(b.status, b.attempts) for b in batches} == {("failed", 2)}
    assert {b.reason for b in batches} == {"timeout (ReadTimeout)"}
    assert elapsed < 4 * 1.0 + 2.5  # four attempts of one second, plus start-up


def test_check_cuts_off_a_dripped_answer_at_its_timeout(ca: trustme.CA, ca_pem: Path) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(drip=0.2)) as receiver:
        started = time.monotonic()
        [result] = check_urls(
            [receiver.url()], NetworkSettings(LOCAL, ca_pem), options=CheckOptions(timeout=1)
        )
        elapsed = time.monotonic() - started
    assert result.outcome is Outcome.TIMEOUT
    assert result.reason == "timeout: no response within 1s"
    assert elapsed < 2.0
