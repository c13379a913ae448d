"""Dispatch against a real HTTPS receiver on 127.0.0.1: bodies, headers, signatures,
faults, retries, circuit breaker, missing secrets, refusal, two workers on PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import pytest
import trustme

from reconciler.core.delivery import USER_AGENT
from reconciler.services.dispatch import RequestOutcome
from reconciler.store import batches as batch_store
from reconciler.store import requests as requests_store
from reconciler.store.base import open_store
from tests.dispatch_support import (
    API_KEY,
    SIGNING_SECRET,
    Hit,
    Receiver,
    Reply,
    record_text,
    seed_store_at,
    write_tree,
)
from tests.dispatch_support import (
    dispatch_in_process as dispatch,
)

REQUEST = "2026-11-28-sap-outage"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_pem(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
    monkeypatch.setenv("ORDERS_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("RECONCILER_DISPATCH_BASE_DELAY", "0.01")
    monkeypatch.setenv("RECONCILER_DISPATCH_MAX_DELAY", "0.05")
    monkeypatch.setenv("RECONCILER_DISPATCH_RETRY_AFTER_CAP", "0.3")


def records(n: int, *, status_id: int = 2, start: int = 0) -> list[str]:
    return [record_text(i, status_id=status_id) for i in range(start, start + n)]


def setup(
    root: Path, store_url: str, ca_pem: Path, receiver: Receiver, texts: list[str], **tree: object
) -> None:
    write_tree(root, ca_pem=ca_pem, url=receiver.url(), **tree)  # type: ignore[arg-type]
    seed_store_at(store_url, root, texts)


def ledger_batches(store_url: str, root: Path, name: str = REQUEST) -> list[batch_store.Batch]:
    store = open_store(store_url, root=root)
    try:
        return batch_store.batches(store, name)
    finally:
        store.close()


def first_id(hit: Hit) -> str:
    return str(json.loads(hit.body)[0]["id"])


def test_receiver_gets_exactly_the_records_in_batches_with_headers_and_signature(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    selected = records(95)  # Error group
    others = records(5, status_id=1, start=500)  # Completed: not selected
    with Receiver(ca.issue_cert("127.0.0.1"), secret=SIGNING_SECRET) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, selected + others, signing=True)
        [outcome] = dispatch(tmp_path, store_url)
        hits = receiver.hits

    assert outcome.status == "completed", outcome
    assert (outcome.run_count, outcome.batch_count) == (95, 10)
    assert len(hits) == 10
    batches = {b.idempotency_key: b for b in ledger_batches(store_url, tmp_path)}
    by_seq = sorted(hits, key=lambda h: batches[h.key].seq)
    # bodies: the stored texts, byte for byte, joined in frozen order, batchSize per POST
    for seq, hit in enumerate(by_seq):
        chunk = selected[seq * 10 : seq * 10 + 10]
        assert hit.body == ("[" + ",".join(chunk) + "]").encode()
    assert [len(json.loads(h.body)) for h in by_seq] == [10] * 9 + [5]
    for hit in hits:
        assert hit.path == "/resubmit"
        assert hit.headers["content-type"] == "application/json"
        assert hit.headers["user-agent"] == USER_AGENT
        assert hit.headers["x-api-key"] == API_KEY  # resolved at send time
        assert hit.headers["x-team"] == "sales"
        assert hit.headers["webhook-id"] == hit.key
        assert hit.signature_ok is True, hit.headers
        assert hit.attempt == 1
    assert len({h.key for h in hits}) == 10
    assert all(b.status == "delivered" and b.attempts == 1 for b in batches.values())


def test_faults_end_as_specified(tmp_path: Path, ca: trustme.CA, ca_pem: Path) -> None:
    """Every answer closes its connection, so each fault meets a fresh one and counts as
    an attempt (a kept-alive connection found dead is another matter: test_transport)."""
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    plan = {
        "run-000000": lambda a: Reply(503, (("Retry-After", "5"),)) if a == 1 else Reply(),
        "run-000010": lambda a: Reply(429) if a <= 2 else Reply(),
        "run-000020": lambda a: Reply(reset=True) if a == 1 else Reply(),
        "run-000030": lambda a: Reply(delay=2.0) if a == 1 else Reply(),
        "run-000040": lambda a: Reply(400, body=b"bad order " + API_KEY.encode()),
        "run-000050": lambda a: Reply(301, (("Location", "/elsewhere"),)),
        "run-000060": lambda a: Reply(503),
        "run-000070": lambda a: Reply(408) if a == 1 else Reply(),
    }

    def script(hit: Hit) -> Reply:
        rule = plan.get(first_id(hit))
        return dataclasses.replace(rule(hit.attempt) if rule else Reply(), close=True)

    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(90), timeout=0.5, max_attempts=3)
        [outcome] = dispatch(tmp_path, store_url)
        hits = receiver.hits

    assert outcome.status == "completed_with_failures"
    by_first = {b.seq * 10: b for b in ledger_batches(store_url, tmp_path)}
    attempts = {seq: b.attempts for seq, b in by_first.items()}
    statuses = {seq: b.status for seq, b in by_first.items()}
    assert attempts == {0: 2, 10: 3, 20: 2, 30: 2, 40: 1, 50: 1, 60: 3, 70: 2, 80: 1}
    assert statuses == {
        0: "delivered",
        10: "delivered",
        20: "delivered",
        30: "delivered",
        40: "failed",
        50: "failed",
        60: "failed",
        70: "delivered",
        80: "delivered",
    }
    assert by_first[40].http_status == 400 and "HTTP 400" in (by_first[40].reason or "")
    assert API_KEY not in (by_first[40].reason or "")  # an echoed secret is masked
    assert by_first[50].http_status == 301 and "not followed" in (by_first[50].reason or "")
    assert by_first[60].http_status == 503
    assert not [h for h in hits if h.path == "/elsewhere"]  # the redirect was not followed
    # receiver saw exactly the attempts the ledger counts, same key on every resend
    seen = Counter(first_id(h) for h in hits)
    assert {int(k[4:]): n for k, n in seen.items()} == attempts
    # Retry-After: 5 is honoured up to the cap (0.3 s here), far above the 10 ms backoff
    first, second = sorted((h for h in hits if first_id(h) == "run-000000"), key=lambda h: h.at)
    assert 0.28 <= second.at - first.at < 2.0
    failures = {(f.seq, f.attempts) for f in outcome.failures}
    assert failures == {(4, 1), (5, 1), (6, 3)}


def test_circuit_breaker_stops_the_request_and_a_rerun_finishes(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RECONCILER_DISPATCH_BREAKER", "4")
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(500)) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(100), max_attempts=10, concurrency=1)
        [outcome] = dispatch(tmp_path, store_url)
        assert outcome.status == "failed"
        assert outcome.error and "circuit breaker opened after 4 consecutive" in outcome.error
        assert len(receiver.hits) == 4
        states = Counter(b.status for b in ledger_batches(store_url, tmp_path))
        assert states == {"pending": 10}  # nothing lost: all still to send
        receiver.set_script(lambda hit: Reply())
        [again] = dispatch(tmp_path, store_url)
        assert again.status == "completed"
        keys = Counter(h.key for h in receiver.hits)
    assert len(keys) == 10
    assert max(keys.values()) == 5  # the batch tried 4 times before, once more now


def test_missing_secret_fails_before_anything_is_sent(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.delenv("ORDERS_API_KEY")
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(20))
        [outcome] = dispatch(tmp_path, store_url)
        assert outcome.status == "failed"
        assert "ORDERS_API_KEY (not set): header x-api-key of flow Order Processing" in (
            outcome.error or ""
        )
        assert receiver.hits == []
        monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
        [again] = dispatch(tmp_path, store_url)
        assert again.status == "completed"
        assert len(receiver.hits) == 2


def test_over_max_runs_is_refused_and_stays_refused(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(
            tmp_path,
            store_url,
            ca_pem,
            receiver,
            records(30),
            requests={REQUEST: {"max_runs": 29}},
        )
        [outcome] = dispatch(tmp_path, store_url)
        assert outcome.status == "refused"
        assert "more than 29 runs" in (outcome.error or "")
        [again] = dispatch(tmp_path, store_url)
        assert again.skipped and again.status == "refused"
        assert receiver.hits == []
    assert ledger_batches(store_url, tmp_path) == []


def test_exactly_max_runs_is_sent(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """The freeze stops reading a flow's selection after maxRuns + 1 runs: the boundary."""
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(
            tmp_path,
            store_url,
            ca_pem,
            receiver,
            records(30),
            requests={REQUEST: {"max_runs": 30}},
        )
        [outcome] = dispatch(tmp_path, store_url)
        assert outcome.status == "completed" and outcome.run_count == 30
        assert sum(len(json.loads(hit.body)) for hit in receiver.hits) == 30


def test_a_retry_request_sends_exactly_the_runs_of_the_failed_batch(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """fromRequest over a real ledger: the frozen run lists written by the freeze are what
    the next request selects from, in their frozen order."""
    texts = records(30)

    def reject_second(hit: Hit) -> Reply:
        return Reply(400) if first_id(hit) == "run-000010" else Reply()

    with Receiver(ca.issue_cert("127.0.0.1"), reject_second) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, texts)
        [first] = dispatch(tmp_path, store_url)
        assert first.status == "completed_with_failures"
        assert len(receiver.hits) == 3
        (tmp_path / "requests.d" / "retry.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: ResubmitRequest\nname: retry\n"
            "reason: the order API is fixed\naction: resubmit\nflows: [Order Processing]\n"
            f"select:\n  fromRequest: {{name: {REQUEST}, outcome: failed}}\n"
            "limits:\n  maxRuns: 100\n"
        )
        receiver.set_script(lambda hit: Reply())
        outcomes = {o.name: o for o in dispatch(tmp_path, store_url)}
        assert outcomes[REQUEST].skipped
        assert outcomes["retry"].status == "completed" and outcomes["retry"].run_count == 10
        [resent] = receiver.hits[3:]
        assert resent.body == ("[" + ",".join(texts[10:20]) + "]").encode()


def test_completed_requests_are_not_sent_again(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(25))
        [first] = dispatch(tmp_path, store_url)
        [second] = dispatch(tmp_path, store_url)
        assert first.status == "completed" and second.skipped
        assert len(receiver.hits) == 3


@pytest.mark.postgres
def test_two_workers_on_postgresql_never_deliver_a_batch_twice(
    pg_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(delay=0.005)) as receiver:
        setup(tmp_path, pg_url, ca_pem, receiver, records(600), batch_size=5, concurrency=3)
        results: list[list[RequestOutcome]] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                results.append(dispatch(tmp_path, pg_url))
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        hits = receiver.hits
    keys = Counter(h.key for h in hits)
    assert len(keys) == 120 and set(keys.values()) == {1}, keys.most_common(3)
    sent = [o.sent for [o] in results]
    assert sum(sent) == 120 and all(n > 0 for n in sent), sent  # both did real work
    assert {b.status for b in ledger_batches(pg_url, tmp_path)} == {"delivered"}
    store = open_store(pg_url, root=tmp_path)
    try:
        row = requests_store.get_request(store, REQUEST)
        assert row is not None and row.status == "completed"
    finally:
        store.close()


def test_resume_sends_only_error_group_runs_and_counts_the_rest(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    errors = records(12)  # Failed
    resubmit_failed = records(3, status_id=5, start=100)  # ResubmitFailed: Error group too
    completed = records(5, status_id=1, start=200)
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(
            tmp_path,
            store_url,
            ca_pem,
            receiver,
            errors + resubmit_failed + completed,
            requests={REQUEST: {"action": "resume", "status": "Error, Completed"}},
        )
        [outcome] = dispatch(tmp_path, store_url)
        hits = receiver.hits
    assert outcome.status == "completed" and outcome.action == "resume"
    assert outcome.excluded == {"resume applies only to runs in the Error group": 5}
    sent = sorted(r["id"] for h in hits for r in json.loads(h.body))
    assert sent == sorted(json.loads(t)["id"] for t in errors + resubmit_failed)
    assert all("x-api-key" not in h.headers for h in hits)  # resume has no custom headers


def test_window_marks_in_flight_before_each_send_and_gives_back_what_it_did_not_send(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims and delivered marks are grouped per window of batches: still every batch is
    committed in_flight before its POST arrives, every result after it, and batches
    claimed ahead but never sent (circuit breaker) go back to pending uncounted."""
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("RECONCILER_DISPATCH_BREAKER", "3")
    at_send: dict[str, tuple[str, int]] = {}
    failing = threading.Event()

    def reply(hit: Hit) -> Reply:
        with sqlite3.connect(tmp_path / "store.db") as conn:  # what a crash now would leave
            status, attempts = conn.execute(
                "SELECT status, attempts FROM batches WHERE idempotency_key = ?", (hit.key,)
            ).fetchone()
        at_send.setdefault(hit.key, (status, attempts))
        return Reply(503) if failing.is_set() else Reply()

    with Receiver(ca.issue_cert("127.0.0.1"), reply) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(300), batch_size=5, concurrency=4)
        [outcome] = dispatch(tmp_path, store_url)
        assert outcome.status == "completed" and outcome.sent == 60
        assert len(at_send) == 60 and set(at_send.values()) == {("in_flight", 1)}
        batches = ledger_batches(store_url, tmp_path)
        assert {(b.status, b.attempts) for b in batches} == {("delivered", 1)}

        # a second request whose endpoint fails at once: the breaker stops the window
        name = "2026-11-29-second"
        write_tree(
            tmp_path,
            ca_pem=ca_pem,
            url=receiver.url(),
            batch_size=5,
            concurrency=4,
            max_attempts=10,
            requests={name: {}},
        )
        failing.set()
        outcomes = {o.name: o for o in dispatch(tmp_path, store_url)}
        assert outcomes[name].status == "failed"
        second = ledger_batches(store_url, tmp_path, name)
    posts = Counter(h.key for h in receiver.hits)
    assert len(second) == 60 and {b.status for b in second} == {"pending"}
    assert 0 < sum(posts[b.idempotency_key] for b in second) < 10
    for b in second:  # attempts count POSTs: a batch claimed ahead, never sent, has none
        assert b.attempts == posts[b.idempotency_key], b


def test_runs_deleted_after_the_freeze_fail_only_their_batch(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The selection is frozen once; a run deleted from the store before its batch goes
    fails that batch (nothing partial is sent), every other batch is delivered as is."""
    texts = records(30)
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, texts)
        monkeypatch.delenv("ORDERS_API_KEY")
        [frozen] = dispatch(tmp_path, store_url)  # freezes, then stops: no secret
        assert frozen.status == "failed" and frozen.run_count == 30 and receiver.hits == []
        store = open_store(store_url, root=tmp_path)
        try:
            with store.transaction():
                store.execute(
                    "DELETE FROM run_flows WHERE run_pk IN (SELECT pk FROM runs WHERE id = ?)",
                    ("run-000012",),
                )
                store.execute("DELETE FROM runs WHERE id = ?", ("run-000012",))
        finally:
            store.close()
        monkeypatch.setenv("ORDERS_API_KEY", API_KEY)
        [outcome] = dispatch(tmp_path, store_url)
        hits = receiver.hits
    assert outcome.status == "completed_with_failures"
    [failure] = outcome.failures
    assert (failure.seq, failure.status) == (1, "failed")
    assert failure.reason == "1 of 10 frozen runs are no longer in the store"
    bodies = sorted(h.body for h in hits)
    assert bodies == sorted(
        ("[" + ",".join(texts[i : i + 10]) + "]").encode() for i in (0, 20)
    )  # byte for byte, in frozen order


@pytest.mark.parametrize(
    ("address", "cert_name", "expected"),
    [
        # the name now resolves to the cloud metadata address: refused, never connected
        ("169.254.169.254", "orders.example.test", "refused by the network policy"),
        # an allowed address, but its certificate is not for the URL's host name
        ("127.0.0.1", "other.example.test", "TLS verification failed"),
    ],
)
def test_dispatch_guards_every_connection_and_sends_nothing_it_should_not(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path, address: str, cert_name: str, expected: str
) -> None:
    """The SSRF guard and TLS rules of `check` hold for dispatch: the URL's host is resolved
    once, screened, the socket pinned to that address, and TLS verified against the name.
    Either failure stops the flow at once; its batches stay pending for a fixed re-run."""
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert(cert_name)) as receiver:
        url = f"https://orders.example.test:{receiver.port}/resubmit"
        write_tree(tmp_path, ca_pem=ca_pem, url=url)
        seed_store_at(store_url, tmp_path, records(30))
        [outcome] = dispatch(tmp_path, store_url, dns={"orders.example.test": address})
        assert receiver.hits == []
    assert outcome.status == "failed"
    assert outcome.error is not None and expected in outcome.error, outcome.error
    # a batch tried keeps its reason; the ones claimed ahead go back uncounted
    batches = ledger_batches(store_url, tmp_path)
    assert {b.status for b in batches} == {"pending"} and len(batches) == 3
    tried = [b for b in batches if b.attempts]
    assert 1 <= len(tried) <= 2 and {b.attempts for b in tried} == {1}
    for batch in tried:
        assert batch.reason is not None and batch.reason.startswith(expected), batch.reason
        assert batch.reason.endswith("not retried: sending to this endpoint stopped")
    assert {b.reason for b in batches if not b.attempts} == {"claimed, not sent"}


def test_settling_a_window_records_only_the_batches_still_held(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Results of a window are written together (one statement per outcome); a batch
    another worker took over meanwhile keeps that worker's state and gets no audit."""
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        setup(tmp_path, store_url, ca_pem, receiver, records(40))
        monkeypatch.delenv("ORDERS_API_KEY")
        [frozen] = dispatch(tmp_path, store_url)  # freezes 4 batches, sends nothing
        assert frozen.batch_count == 4 and receiver.hits == []
    store = open_store(store_url, root=tmp_path)
    try:
        flow = "Order Processing"
        requests_store.set_status(
            store, REQUEST, requests_store.DISPATCHING
        )  # claims need a dispatching request
        _, claimed = batch_store.settle_and_claim(
            store, REQUEST, flow, "me", 60, action="resubmit", settled=[], limit=4
        )
        batches = [b for b, body in claimed]
        assert [b.seq for b in batches] == [0, 1, 2, 3]
        with store.transaction():  # batch 2 is taken over by another worker
            store.execute(
                "UPDATE batches SET claimed_by = ? WHERE request = ? AND seq = ?",
                ("other", REQUEST, 2),
            )
        settle = [
            batch_store.Settle(batches[0], requests_store.B_DELIVERED, 200, None, 1),
            batch_store.Settle(batches[1], requests_store.B_FAILED, 400, "HTTP 400 Bad Request", 1),
            batch_store.Settle(batches[2], requests_store.B_DELIVERED, 200, None, 1),
            batch_store.Settle(batches[3], requests_store.B_DELIVERED, 200, None, 1),
        ]
        held, more = batch_store.settle_and_claim(
            store, REQUEST, flow, "me", 60, action="resubmit", settled=settle, limit=4
        )
        assert held == [True, True, False, True] and more == []
        states = {
            b.seq: (b.status, b.http_status, b.reason) for b in batch_store.batches(store, REQUEST)
        }
        assert states == {
            0: ("delivered", 200, None),
            1: ("failed", 400, "HTTP 400 Bad Request"),
            2: ("in_flight", None, None),
            3: ("delivered", 200, None),
        }
        audited = sorted(
            json.loads(detail)["seq"]
            for (detail,) in store.query(
                "SELECT detail FROM audit WHERE kind = 'batch' AND request = ?", (REQUEST,)
            )
        )
        assert audited == [0, 1, 3]
    finally:
        store.close()
