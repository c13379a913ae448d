"""`requests dispatch` keeps to the stricter of the flow's and the request's rate limit,
retries included, measured at an HTTPS receiver that timestamps every POST: on SQLite,
and with two dispatch processes sharing one PostgreSQL store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import trustme

from tests.conftest import REPO, run_cli
from tests.dispatch_support import API_KEY, Hit, Receiver, Reply, record_text, seed_store_at
from tests.dispatch_support import write_tree as write_base_tree
from tests.test_rate_bucket import most_in_any_window

REQUEST = "2026-11-28-sap-outage"
FAST = {
    "ORDERS_API_KEY": API_KEY,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
    "RECONCILER_DISPATCH_RETRY_AFTER_CAP": "3",
}


def write_tree(
    root: Path, ca_pem: Path, url: str, *, flow_limit: str, request_limit: str | None
) -> None:
    write_base_tree(root, ca_pem=ca_pem, url=url, batch_size=1, concurrency=4)
    flow_file = root / "flows.d" / "orders.yaml"  # its last block is dispatch:
    requests, per = flow_limit.split("/")
    flow_file.write_text(
        flow_file.read_text() + f"  rateLimit: {{requests: {requests}, per: {per}}}\n"
    )
    if request_limit is not None:
        requests, per = request_limit.split("/")
        request_file = root / "requests.d" / f"{REQUEST}.yaml"
        request_file.write_text(
            request_file.read_text() + f"rateLimit: {{requests: {requests}, per: {per}}}\n"
        )


def cli(root: Path, store_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, env=FAST)


def flaky(hit: Hit) -> Reply:
    """Every fifth batch answers 503 to its first attempt: retries count against the limit."""
    run = json.loads(hit.body)[0]["id"]
    if hit.attempt == 1 and int(run.removeprefix("run-")) % 5 == 0:
        return Reply(503, body=b"busy")
    return Reply()


def assert_paced(times: list[float], limit: int) -> None:
    assert most_in_any_window(times, 1.0) <= limit + 1
    rate = (len(times) - 1) / (max(times) - min(times))
    assert rate >= 0.7 * limit, f"{rate:.1f}/s is under 70% of {limit}/s"


def test_the_stricter_limit_paces_every_attempt(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1"), flaky) as receiver:
        # the request's 10/s is stricter than the flow's 50/s
        write_tree(
            tmp_path, ca_pem, receiver.url(), flow_limit="50/second", request_limit="10/second"
        )
        seed_store_at(sqlite_url, tmp_path, [record_text(i) for i in range(30)])
        done = cli(tmp_path, sqlite_url, "requests", "dispatch", "--format", "json")
        hits = receiver.hits
    assert done.returncode == 0, done.stderr
    [outcome] = json.loads(done.stdout)["requests"]
    assert outcome["status"] == "completed"
    assert len(hits) == 30 + 6  # six retried batches
    assert_paced([h.at for h in hits], 10)


def test_the_flow_limit_wins_when_stricter_and_retry_after_when_longer(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    def slow_down(hit: Hit) -> Reply:
        if hit.attempt == 1 and json.loads(hit.body)[0]["id"] == "run-000002":
            return Reply(429, headers=(("Retry-After", "2"),), body=b"slow down")
        return Reply()

    with Receiver(ca.issue_cert("127.0.0.1"), slow_down) as receiver:
        write_tree(
            tmp_path, ca_pem, receiver.url(), flow_limit="5/second", request_limit="20/second"
        )
        seed_store_at(sqlite_url, tmp_path, [record_text(i) for i in range(12)])
        done = cli(tmp_path, sqlite_url, "requests", "dispatch")
        hits = receiver.hits
    assert done.returncode == 0, done.stderr
    assert len(hits) == 13
    assert_paced([h.at for h in hits], 5)
    first, again = [h for h in hits if json.loads(h.body)[0]["id"] == "run-000002"]
    assert again.at - first.at >= 2.0  # the server's Retry-After, longer than 0.2 s


def test_two_dispatch_processes_share_the_limit_on_postgresql(
    pg_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    limit = 10
    with Receiver(ca.issue_cert("127.0.0.1"), flaky) as receiver:
        write_tree(
            tmp_path, ca_pem, receiver.url(), flow_limit=f"{limit}/second", request_limit=None
        )
        seed_store_at(pg_url, tmp_path, [record_text(i) for i in range(40)])
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
        env.update(FAST, PYTHONPATH=str(REPO), RECONCILER_ENDPOINT_CHECK="0")
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "reconciler",
                    "--store",
                    pg_url,
                    "--repo",
                    str(tmp_path),
                    "requests",
                    "dispatch",
                    "--format",
                    "json",
                ],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [proc.communicate(timeout=120) for proc in procs]
        hits = receiver.hits
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
    sent = [json.loads(out)["requests"][0]["sentThisRun"] for out, _ in results]
    assert sum(sent) == 40
    assert all(n > 0 for n in sent), sent  # both processes sent, one limit between them
    assert len({h.key for h in hits}) == 40
    assert len(hits) == 40 + 8
    assert_paced([h.at for h in hits], limit)
    status = cli(tmp_path, pg_url, "requests", "status", REQUEST, "--format", "json")
    assert json.loads(status.stdout)["request"]["status"] == "completed"
