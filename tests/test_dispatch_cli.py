"""`reconciler requests dispatch` / `requests status` as real subprocesses: output and
masking, exit codes, immutability, the pull-request guard, and SIGKILL at random points."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import trustme

from reconciler.store import batches as batch_store
from reconciler.store import requests as requests_store
from reconciler.store.base import open_store
from tests.conftest import REPO, run_cli
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

REQUEST = "2026-11-28-sap-outage"
FAST = {
    "ORDERS_API_KEY": API_KEY,
    "ORDERS_SIGNING_SECRET": SIGNING_SECRET,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
    "RECONCILER_DISPATCH_RETRY_AFTER_CAP": "0.2",
}


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_pem(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def prepare(
    root: Path, store_url: str, ca_pem: Path, receiver: Receiver, texts: list[str], **tree: object
) -> None:
    write_tree(root, ca_pem=ca_pem, url=receiver.url(), **tree)  # type: ignore[arg-type]
    seed_store_at(store_url, root, texts)


def cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env={**FAST, **env})


def test_dispatch_cli_summary_json_status_history_and_masking(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    texts = [record_text(i, chain="chain-special" if i == 25 else "") for i in range(30)]
    texts += [record_text(100 + i, status_id=1) for i in range(3)]

    def script(hit: Hit) -> Reply:  # a receiver that echoes the key in an error
        first = json.loads(hit.body)[0]["id"]
        if first == "run-000020":
            return Reply(401, body=f"bad key {hit.headers['x-api-key']}".encode())
        return Reply()

    with Receiver(ca.issue_cert("127.0.0.1"), script) as receiver:
        prepare(tmp_path, store_url, ca_pem, receiver, texts, signing=True)
        done = cli(tmp_path, store_url, "requests", "dispatch")
        assert done.returncode == 1, done.stderr
        assert f"{REQUEST} (resubmit): completed_with_failures" in done.stdout
        assert "20/30 runs delivered in 3 batches, 10 failed" in done.stdout
        assert "HTTP 401 Unauthorized: bad key ***" in done.stdout
        assert len(receiver.hits) == 3
        again = cli(tmp_path, store_url, "requests", "dispatch", "--format", "json")
        assert again.returncode == 0, again.stderr  # nothing left to do: nothing failed now
        doc = json.loads(again.stdout)
        assert doc["formatVersion"] == 1 and doc["kind"] == "dispatch"
        assert doc["summary"]["alreadyDone"] == 1
        assert len(receiver.hits) == 3

    status = cli(tmp_path, store_url, "requests", "status")
    assert status.returncode == 0, status.stderr
    assert REQUEST in status.stdout and "completed_with_failures" in status.stdout
    detail = cli(tmp_path, store_url, "requests", "status", REQUEST, "--runs", "--format", "json")
    doc = json.loads(detail.stdout)
    assert [b["status"] for b in doc["batchList"]] == ["delivered", "delivered", "failed"]
    assert doc["batchList"][2]["httpStatus"] == 401 and doc["batchList"][2]["attempts"] == 1
    runs = {r["runId"]: r["status"] for r in doc["runList"]}
    assert len(runs) == 30 and runs["run-000025"] == "failed" and runs["run-000005"] == "delivered"
    text = cli(tmp_path, store_url, "requests", "status", REQUEST, "--runs")
    assert "Order Processing#2: failed, 10 runs, 1 attempt HTTP 401" in text.stdout
    assert "run-000025  Order Processing#2  failed" in text.stdout
    missing = cli(tmp_path, store_url, "requests", "status", "nope")
    assert missing.returncode == 1 and "no request named 'nope'" in missing.stderr

    # history: dispatch filters
    failed = cli(tmp_path, store_url, "history", "--outcome", "failed", "--format", "json")
    records = json.loads(failed.stdout)["records"]
    assert [(r["kind"], r["action"], r["detail"]["seq"]) for r in records] == [
        ("batch", "resubmit", 2)
    ]
    chain = cli(tmp_path, store_url, "history", "--chain-id", "chain-special", "--format", "json")
    records = json.loads(chain.stdout)["records"]
    assert {(r["kind"], r["detail"].get("seq")) for r in records} == {
        ("batch", 2),
        ("request", None),
    }
    assert {r["detail"]["event"] for r in records} == {"batch", "freeze", "dispatch"}
    flow = cli(tmp_path, store_url, "history", "--flow", "Order Processing", "--action", "resubmit")
    assert flow.stdout.count(f'request "{REQUEST}" batch Order Processing#') == 3, flow.stdout
    assert "batch Order Processing#2 failed after 1 attempt: HTTP 401 Unauthorized" in flow.stdout
    summary = cli(tmp_path, store_url, "status", "--format", "json")
    section = json.loads(summary.stdout)
    assert "completed_with_failures" in json.dumps(section), summary.stdout

    everything = [done.stdout, done.stderr, again.stdout, status.stdout, detail.stdout, text.stdout]
    everything += [failed.stdout, chain.stdout, flow.stdout, summary.stdout]
    assert not [out for out in everything if API_KEY in out or SIGNING_SECRET in out]
    if store_url.startswith("sqlite:"):
        dump = Path(store_url.removeprefix("sqlite:///")).read_bytes()
        assert API_KEY.encode() not in dump and SIGNING_SECRET.encode() not in dump


def test_changed_request_after_dispatch_fails_and_pr_refuses(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        prepare(tmp_path, store_url, ca_pem, receiver, [record_text(i) for i in range(5)])
        pr = cli(tmp_path, store_url, "requests", "dispatch", GITHUB_EVENT_NAME="pull_request")
        assert pr.returncode == 1 and "refusing to dispatch from a pull request" in pr.stderr
        assert receiver.hits == []
        first = cli(tmp_path, store_url, "requests", "dispatch", GITHUB_SHA="abc1234")
        assert first.returncode == 0, first.stderr
        path = tmp_path / "requests.d" / f"{REQUEST}.yaml"
        path.write_text(path.read_text().replace("maxRuns: 10000", "maxRuns: 20000"))
        changed = cli(tmp_path, store_url, "requests", "dispatch")
        assert len(receiver.hits) == 1
    assert changed.returncode == 1
    assert f"requests.d/{REQUEST}.yaml:3:1:" in changed.stderr
    assert "at commit abc1234" in changed.stderr and "add a new request" in changed.stderr
    validated = cli(tmp_path, store_url, "validate", "--format", "json")
    assert validated.returncode == 1, validated.stdout
    [finding] = [
        f for f in json.loads(validated.stdout)["findings"] if f["rule"] == "request-immutable"
    ]
    assert (finding["path"], finding["line"], finding["col"]) == (
        f"requests.d/{REQUEST}.yaml",
        3,
        1,
    )
    assert "was dispatched on 20" in finding["message"] and "abc1234" in finding["message"]
    # deleting a dispatched request is fine, and its history stays
    path.unlink()
    assert cli(tmp_path, store_url, "validate").returncode == 0
    status = cli(tmp_path, store_url, "requests", "status", REQUEST)
    assert status.returncode == 0 and "completed" in status.stdout
    # validate never creates a store
    other = f"sqlite:///{tmp_path / 'absent.db'}"
    assert cli(tmp_path, other, "validate").returncode == 0
    assert not (tmp_path / "absent.db").exists()


def _snapshot(store_url: str, root: Path) -> dict[str, str]:
    store = open_store(store_url, root=root)
    try:
        return {b.idempotency_key: b.status for b in batch_store.batches(store, REQUEST)}
    finally:
        store.close()


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_loses_nothing_and_resends_only_in_flight(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    texts = [record_text(i) for i in range(400)]
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    env = {**os.environ, **FAST, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(delay=0.02)) as receiver:
        prepare(tmp_path, store_url, ca_pem, receiver, texts, batch_size=4, concurrency=2)
        command = [
            sys.executable,
            "-m",
            "reconciler",
            "--store",
            store_url,
            "--repo",
            str(tmp_path),
            "requests",
            "dispatch",
        ]
        boundaries: list[tuple[int, dict[str, str]]] = []  # (hits so far, ledger) per kill
        for _ in range(10):
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            # a random point: after 0..12 more POSTs reached the receiver (0 = during
            # start-up or freezing), plus a random fraction of a send
            target = len(receiver.hits) + rng.randint(0, 12)
            deadline = time.monotonic() + 20
            while len(receiver.hits) < target and proc.poll() is None:
                assert time.monotonic() < deadline, "dispatch made no progress"
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.03))
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            time.sleep(0.2)  # let the receiver read what was already on the wire
            boundaries.append((len(receiver.hits), _snapshot(store_url, tmp_path)))
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stdout + final.stderr
        hits = receiver.hits

    # every run delivered, in its frozen batch, exactly as imported
    batches = _snapshot(store_url, tmp_path)
    assert len(batches) == 100 and set(batches.values()) == {"delivered"}
    bodies: dict[str, bytes] = {}
    for hit in hits:
        assert bodies.setdefault(hit.key, hit.body) == hit.body  # a resend is the same batch
    assert set(bodies) == set(batches)
    delivered_ids = sorted(r["id"] for body in bodies.values() for r in json.loads(body))
    assert delivered_ids == sorted(json.loads(t)["id"] for t in texts)
    # duplicates only as resends of a batch that was in flight at a kill, never delivered
    start = 0
    seen: set[str] = set()
    was_in_flight: set[str] = set()
    previous: dict[str, str] = {}
    for end, ledger_at_kill in [*boundaries, (len(hits), batches)]:
        for hit in hits[start:end]:
            if hit.key in seen:
                assert previous.get(hit.key) != "delivered", hit.key
                assert hit.key in was_in_flight, (hit.key, previous.get(hit.key))
            seen.add(hit.key)
        previous = ledger_at_kill
        was_in_flight |= {k for k, s in ledger_at_kill.items() if s == "in_flight"}
        start = end
    resent = Counter(h.key for h in hits)
    # a sender takes its next batch only once the last one's outcome is committed: per
    # kill at most `concurrency` (2) batches were sent but not recorded
    assert sum(resent.values()) - len(resent) <= 2 * 10


@pytest.mark.slow
def test_a_sigkill_resends_at_most_concurrency_batches(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """300 batches at concurrency 4, killed three times while batches are on the wire:
    each kill costs at most 4 batches sent a second time, whatever the ledger grouping."""
    concurrency, kills = 4, 3
    texts = [record_text(i) for i in range(300)]
    env = {**os.environ, **FAST, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    command = [
        sys.executable, "-m", "reconciler", "--store", store_url, "--repo", str(tmp_path),
        "requests", "dispatch",
    ]  # fmt: skip
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(delay=0.005)) as receiver:
        prepare(tmp_path, store_url, ca_pem, receiver, texts, batch_size=1, concurrency=concurrency)
        for kill in range(1, kills + 1):
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            deadline = time.monotonic() + 30
            while len(receiver.hits) < 60 * kill and proc.poll() is None:
                assert time.monotonic() < deadline, "dispatch made no progress"
                time.sleep(0.002)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            assert proc.returncode == -signal.SIGKILL  # killed mid-way, not finished
        final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stdout + final.stderr
        time.sleep(0.1)
        hits = receiver.hits
    keys = Counter(h.key for h in hits)
    assert set(_snapshot(store_url, tmp_path).values()) == {"delivered"} and len(keys) == 300
    assert sum(keys.values()) - len(keys) <= concurrency * kills, keys.most_common(8)


def test_two_dispatch_processes_on_postgresql_share_the_work_and_never_resend(
    pg_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    """What the contract describes: several `reconciler requests dispatch` processes
    against one PostgreSQL store (the merge workflow re-run while one is still going)."""
    texts = [record_text(i) for i in range(600)]
    env = {**os.environ, **FAST, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    command = [
        sys.executable, "-m", "reconciler", "--store", pg_url, "--repo", str(tmp_path),
        "requests", "dispatch", "--format", "json",
    ]  # fmt: skip
    with Receiver(ca.issue_cert("127.0.0.1"), lambda hit: Reply(delay=0.03)) as receiver:
        prepare(tmp_path, pg_url, ca_pem, receiver, texts, batch_size=5, concurrency=2)
        procs = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        hits = receiver.hits
    assert [p.returncode for p in procs] == [0, 0], outs
    keys = Counter(h.key for h in hits)
    assert len(keys) == 120 and set(keys.values()) == {1}, keys.most_common(3)
    sent = [json.loads(out)["requests"][0]["sentThisRun"] for out, _ in outs]
    assert sum(sent) == 120 and all(n > 0 for n in sent), sent  # both did real work
    store = open_store(pg_url, root=tmp_path)
    try:
        assert {b.status for b in batch_store.batches(store, REQUEST)} == {"delivered"}
        row = requests_store.get_request(store, REQUEST)
        assert row is not None and row.status == "completed"
    finally:
        store.close()
