"""The shared rate-limit bucket: sends to one flow are spaced by its limit across processes
sharing a store, measured at a real HTTPS receiver on 127.0.0.1."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from reconciler.store import ratebucket
from reconciler.store.base import open_store
from tests.conftest import REPO
from tests.https_servers import Route, serving


def most_in_any_window(times: list[float], period: float) -> int:
    """The largest number of `times` inside any half-open window [t, t + period)."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, moment in enumerate(ordered):
        while moment - ordered[first] >= period:
            first += 1
        best = max(best, last - first + 1)
    return best


def senders(store_url: str, url: str, ca_pem: Path, *, limit: str, count: int, n: int) -> list[Any]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.paced_sender",
                store_url,
                "Orders",
                limit,
                str(count),
                "3",
                url,
                str(ca_pem),
                f"p{i}",
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(n)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def test_a_bucket_hands_out_evenly_spaced_slots(store_url: str) -> None:
    store = open_store(store_url)
    waits = [ratebucket.take(store, "flow:Orders", 0.5) for _ in range(4)]
    assert waits[0] == 0.0
    for i, wait in enumerate(waits[1:], start=1):  # each one interval after the one before
        assert 0.5 * i - 0.2 < wait <= 0.5 * i
    other = ratebucket.take(store, "flow:Other", 0.5)  # another flow has its own bucket
    assert other == 0.0
    store.close()


def test_two_processes_share_one_limit_retries_included(
    store_url: str, ca: Any, ca_pem: Path
) -> None:
    open_store(store_url).close()  # migrated before the senders race to it
    limit = 20  # per second
    failures = [Route(status=503, body=b"busy")] * 6  # retried: they count against the limit
    with serving(ca.issue_cert("127.0.0.1"), script=failures) as server:
        results = senders(store_url, server.url("/hook"), ca_pem, limit=f"{limit}/second",
                          count=30, n=2)  # fmt: skip
        times = [r.at for r in server.requests]
    assert len(times) == 60 + 6 == sum(r["attempts"] for r in results)
    assert most_in_any_window(times, 1.0) <= limit + 1
    rate = (len(times) - 1) / (max(times) - min(times))
    assert rate >= 0.7 * limit, f"{rate:.1f}/s is under 70% of {limit}/s"
    assert all(r["waited"] > 0 for r in results)  # both were held back, not only one


def test_retry_after_wins_when_longer_than_the_spacing(
    sqlite_url: str, ca: Any, ca_pem: Path
) -> None:
    open_store(sqlite_url).close()
    script = [Route(status=429, headers=(("Retry-After", "1"),), body=b"slow down")]
    with serving(ca.issue_cert("127.0.0.1"), script=script) as server:
        senders(sqlite_url, server.url("/hook"), ca_pem, limit="10/second", count=6, n=1)
        requests = server.requests
    first, *rest = requests
    resent = [r for r in rest if r.headers["idempotency-key"] == first.headers["idempotency-key"]]
    assert len(resent) == 1
    assert resent[0].at - first.at >= 1.0  # not the 0.1 s the limit alone would allow
    others = sorted(r.at for r in rest if r is not resent[0])
    assert all(b - a >= 0.1 - 0.02 for a, b in itertools.pairwise(others))
