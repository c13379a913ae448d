"""Progress on a terminal says how far, how fast and how long still (runs import and
requests dispatch); in CI it is quiet."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import trustme

from tests.conftest import REPO
from tests.dispatch_support import (
    API_KEY,
    Hit,
    Receiver,
    Reply,
    record_text,
    seed_store_at,
    write_tree,
)
from tests.runs_helpers import record, write_ndjson

LINE = re.compile(r"importing \S+: ([\d,]+) records \((\d+)%\)(, [\d,]+/s)?(, \d+ (s|min) left)?")
DISPATCH_LINE = re.compile(
    r"dispatching (\S+): (\d+)/(\d+) batches; ([\d,]+) runs sent \((\d+)%\)"
    r"(, [\d,]+/s)?(, \d+ (s|min) left)?"
)


def on_a_terminal(args: list[str], **env: str) -> str:
    """The CLI with its stderr on a pseudo-terminal (stdout elsewhere, as when piped);
    what the terminal showed."""
    leader, follower = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS", "NO_COLOR")}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env={**clean, "PYTHONPATH": str(REPO), "TERM": "xterm", **env},
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=300) == 0, shown[-2000:]
    os.close(leader)
    return shown.decode(errors="replace")


def import_on_a_terminal(tmp_path: Path, **env: str) -> str:
    """`runs import` of 60,000 records on a terminal."""
    runs = tmp_path / "runs.ndjson"
    write_ndjson(runs, [record(f"run-{i:06d}", statusId=2) for i in range(60_000)])
    store = f"sqlite:///{tmp_path / 's.db'}"
    return on_a_terminal(["--store", store, "runs", "import", str(runs)], **env)


def test_import_shows_rate_and_time_left_on_a_terminal(tmp_path: Path) -> None:
    shown = import_on_a_terminal(tmp_path)
    updates = list(LINE.finditer(shown))
    assert updates, shown[-500:]
    assert updates[-1].group(1) == "60,000" and updates[-1].group(2) == "100"
    assert any(m.group(3) for m in updates), "no rate shown"
    assert any(m.group(4) for m in updates), "no time left shown"


def test_import_progress_is_quiet_in_ci(tmp_path: Path) -> None:
    assert "importing" not in import_on_a_terminal(tmp_path, CI="true")


def slowly(hit: Hit) -> Reply:
    """Every batch answered after 50 ms: 30 batches one at a time take 1.5 s or more."""
    return Reply(delay=0.05)


def dispatch_on_a_terminal(tmp_path: Path, ca: trustme.CA, **env: str) -> str:
    """`requests dispatch` of 300 runs in 30 batches, one at a time, on a terminal."""
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    store = f"sqlite:///{tmp_path / 's.db'}"
    with Receiver(ca.issue_cert("127.0.0.1"), slowly) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), concurrency=1)
        seed_store_at(store, tmp_path, [record_text(i) for i in range(300)])
        shown = on_a_terminal(
            ["--store", store, "--repo", str(tmp_path), "requests", "dispatch"],
            ORDERS_API_KEY=API_KEY,
            **env,
        )
        assert len(receiver.hits) == 30
    return shown


def test_dispatch_shows_rate_and_time_left_on_a_terminal(tmp_path: Path, ca: trustme.CA) -> None:
    shown = dispatch_on_a_terminal(tmp_path, ca)
    updates = list(DISPATCH_LINE.finditer(shown))
    assert updates, shown[-500:]
    assert {m.group(1) for m in updates} == {"2026-11-28-sap-outage"}
    sent = [int(m.group(4).replace(",", "")) for m in updates]
    assert sent == sorted(sent) and sent[0] == 0 and max(sent) >= 200, sent
    assert all(m.group(3) == "30" for m in updates)
    assert any(m.group(6) for m in updates), "no rate shown"
    assert any(m.group(7) for m in updates), "no time left shown"
    assert shown.endswith("\r\x1b[K"), repr(shown[-80:])  # the line is wiped at the end


def test_dispatch_progress_is_quiet_in_ci(tmp_path: Path, ca: trustme.CA) -> None:
    assert "dispatching" not in dispatch_on_a_terminal(tmp_path, ca, CI="true")
