"""Suspend, resume and cancel of a request being sent, through the CLI against a slow
receiver: a second `requests dispatch` run on the changed file records the state in the
store, the dispatch already running sees it at its next claim, and the history names who
did it at which commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import trustme

from tests.conftest import REPO, run_cli
from tests.dispatch_support import API_KEY, Hit, Receiver, Reply, record_text, seed_store_at
from tests.dispatch_support import write_tree as write_base_tree

REQUEST = "2026-11-28-sap-outage"
BATCHES = 30
OPERATOR = {"GITHUB_ACTOR": "ops-alice", "GITHUB_SHA": "c0ffee" * 6 + "c0ff"}
ENV = {"ORDERS_API_KEY": API_KEY, "RECONCILER_DISPATCH_BASE_DELAY": "0.01"}


def slow(hit: Hit) -> Reply:
    return Reply(delay=0.25)


def request_file(root: Path) -> Path:
    return root / "requests.d" / f"{REQUEST}.yaml"


def set_controls(root: Path, text: str) -> None:
    path = request_file(root)
    base = path.read_text().split("suspend:")[0].split("cancel:")[0]
    path.write_text(base + text)


def cli(root: Path, store_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env={**ENV, **env})


def start_dispatch(root: Path, store_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(ENV, PYTHONPATH=str(REPO), RECONCILER_ENDPOINT_CHECK="0")
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "--store", store_url, "--repo", str(root),
         "requests", "dispatch", "--format", "json"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_hits(receiver: Receiver, n: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while len(receiver.hits) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the first dispatch sent nothing"
        time.sleep(0.05)


def finish(proc: subprocess.Popen[str]) -> dict[str, object]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    [outcome] = json.loads(out)["requests"]
    return outcome  # type: ignore[no-any-return]


def ledger_view(root: Path, store_url: str) -> dict[str, object]:
    done = cli(root, store_url, "requests", "status", REQUEST, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["request"]  # type: ignore[no-any-return]


def history(root: Path, store_url: str) -> list[dict[str, object]]:
    done = cli(root, store_url, "history", "--request", REQUEST, "--format", "json")
    return json.loads(done.stdout)["records"]  # type: ignore[no-any-return]


def test_suspend_stops_a_running_dispatch_and_resume_sends_the_rest_once(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), slow) as receiver:
        write_base_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), batch_size=1, concurrency=1)
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(BATCHES)])
        running = start_dispatch(tmp_path, store_url)
        wait_for_hits(receiver, 3, running)
        set_controls(tmp_path, "suspend: true\n")
        allowed = cli(tmp_path, store_url, "validate")
        assert allowed.returncode == 0, allowed.stdout  # suspend may change after dispatch
        suspend = cli(tmp_path, store_url, "requests", "dispatch", **OPERATOR)
        assert suspend.returncode == 0, suspend.stderr
        assert f"{REQUEST} (resubmit): suspended" in suspend.stdout
        assert "suspend: true in the request file" in suspend.stdout
        at_suspend = len(receiver.hits)
        first = finish(running)  # stops at its next claim; the batch in flight finishes
        assert first["status"] == "suspended"
        sent = len(receiver.hits)
        assert sent - at_suspend <= 3, (at_suspend, sent)  # what it had claimed went back
        time.sleep(0.6)
        assert len(receiver.hits) == sent  # nothing more goes out
        view = ledger_view(tmp_path, store_url)
        assert view["status"] == "suspended"
        assert view["batches"] == {"delivered": sent, "pending": BATCHES - sent}
        again = cli(tmp_path, store_url, "requests", "dispatch")  # still suspended: no-op
        assert again.returncode == 0 and len(receiver.hits) == sent

        set_controls(tmp_path, "suspend: false\n")
        resume = cli(tmp_path, store_url, "requests", "dispatch", **OPERATOR)
        assert resume.returncode == 0, resume.stderr
        assert f"{REQUEST} (resubmit): completed" in resume.stdout
        hits = receiver.hits
    assert len(hits) == len({h.key for h in hits}) == BATCHES  # none twice, none lost
    records = history(tmp_path, store_url)
    by_event = {r["detail"]["event"]: r for r in records}  # type: ignore[index]
    for event in ("suspend", "resume"):
        assert by_event[event]["actor"] == "ops-alice"
        assert by_event[event]["commit"] == OPERATOR["GITHUB_SHA"]
    assert by_event["suspend"]["detail"]["outcome"] == "suspended"  # type: ignore[index]


def test_cancel_stops_the_rest_for_good(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), slow) as receiver:
        write_base_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), batch_size=1, concurrency=1)
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(BATCHES)])
        running = start_dispatch(tmp_path, store_url)
        wait_for_hits(receiver, 3, running)
        set_controls(tmp_path, "cancel: true\n")
        cancel = cli(tmp_path, store_url, "requests", "dispatch", "--format", "json", **OPERATOR)
        assert cancel.returncode == 0, cancel.stderr
        [outcome] = json.loads(cancel.stdout)["requests"]
        assert outcome["status"] == "cancelled"
        at_cancel = len(receiver.hits)
        first = finish(running)
        assert first["status"] == "cancelled"
        sent = len(receiver.hits)
        view = ledger_view(tmp_path, store_url)
        assert view["status"] == "cancelled"
        assert sent - at_cancel <= 3, (at_cancel, sent)
        # what the running dispatch had claimed ahead is cancelled too: nothing left open
        assert view["batches"] == {"delivered": sent, "cancelled": BATCHES - sent}
        # setting it back changes nothing: a cancelled request is final
        set_controls(tmp_path, "cancel: false\n")
        after = cli(tmp_path, store_url, "requests", "dispatch")
        assert after.returncode == 0, after.stderr
        assert "Nothing to dispatch; 1 already done." in after.stdout
        time.sleep(0.3)
        assert len(receiver.hits) == sent
        text = cli(tmp_path, store_url, "requests", "status", REQUEST)
        assert f"{REQUEST} (resubmit): cancelled" in text.stdout
        assert "cancelled: " in text.stdout and "cancel: true in the request file" in text.stdout
    [record] = [r for r in history(tmp_path, store_url) if r["detail"]["event"] == "cancel"]  # type: ignore[index]
    assert record["actor"] == "ops-alice" and record["commit"] == OPERATOR["GITHUB_SHA"]
    assert record["detail"]["outcome"] == "cancelled"  # type: ignore[index]
