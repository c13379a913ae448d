"""`requests dispatch` and a request's schedule, through the CLI with the clock set by
RECONCILER_NOW: outside its windows the request waits (exit 0, nothing sent, the next
allowed instant stored and shown), inside one it is sent with no file change, and a
window that closes during a dispatch lets the batch in flight finish and starts no other.
The windows are in Asia/Tokyo and run across midnight."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Hit, Receiver, Reply, record_text, seed_store_at
from tests.dispatch_support import write_tree as write_base_tree

REQUEST = "2026-11-28-sap-outage"
FAST = {
    "ORDERS_API_KEY": API_KEY,
    "RECONCILER_DISPATCH_BASE_DELAY": "0.01",
    "RECONCILER_DISPATCH_MAX_DELAY": "0.05",
}
# Fridays 22:00 to Saturdays 02:00 in Tokyo (UTC+9, no daylight saving): 13:00Z-17:00Z.
SCHEDULE = """\
schedule:
  notBefore: "2026-11-27T00:00:00+09:00"
  windows:
    - {days: [Fri], from: "22:00", to: "02:00", timeZone: Asia/Tokyo}
"""


def write_tree(root: Path, ca_pem: Path, url: str, *, concurrency: int = 2) -> None:
    write_base_tree(root, ca_pem=ca_pem, url=url, batch_size=1, concurrency=concurrency)
    request_file = root / "requests.d" / f"{REQUEST}.yaml"
    request_file.write_text(request_file.read_text() + SCHEDULE)


def cli(root: Path, store_url: str, now: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**FAST, "RECONCILER_NOW": now}
    return run_cli("--store", store_url, "--repo", str(root), *args, env=env)


def status_json(root: Path, store_url: str) -> dict[str, object]:
    done = cli(
        root, store_url, "2026-11-27T12:00:00Z", "requests", "status", REQUEST, "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["request"]  # type: ignore[no-any-return]


def test_outside_the_window_the_request_waits_and_the_next_dispatch_inside_sends_it(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem, receiver.url())
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(6)])
        # Friday 21:00 in Tokyo: an hour before the window opens
        early = cli(tmp_path, store_url, "2026-11-27T21:00:00+09:00", "requests", "dispatch")
        assert early.returncode == 0, early.stderr
        assert receiver.hits == []
        assert f"{REQUEST} (resubmit): waiting" in early.stdout
        assert "next allowed 2026-11-27T13:00:00+00:00" in early.stdout
        as_json = cli(
            tmp_path,
            store_url,
            "2026-11-27T21:30:00+09:00",
            "requests",
            "dispatch",
            "--format",
            "json",
        )
        assert as_json.returncode == 0
        [outcome] = json.loads(as_json.stdout)["requests"]
        assert outcome["status"] == "waiting"
        assert outcome["hold"]["nextAllowed"] == "2026-11-27T13:00:00+00:00"
        assert outcome["runCount"] == 6  # frozen at the first dispatch, as previewed
        listed = run_cli("--store", store_url, "--repo", str(tmp_path), "requests", "status")
        assert (
            "waiting" in listed.stdout and "next allowed 2026-11-27T13:00:00+00:00" in listed.stdout
        )
        stored = status_json(tmp_path, store_url)
        assert stored["status"] == "waiting"
        assert stored["hold"]["nextAllowed"] == "2026-11-27T13:00:00+00:00"  # type: ignore[index]
        # Saturday 01:30 in Tokyo: inside the window that opened on Friday
        inside = cli(tmp_path, store_url, "2026-11-28T01:30:00+09:00", "requests", "dispatch")
        assert inside.returncode == 0, inside.stderr
        assert f"{REQUEST} (resubmit): completed" in inside.stdout
        hits = receiver.hits
    assert len(hits) == len({h.key for h in hits}) == 6
    history = run_cli("--store", store_url, "--repo", str(tmp_path), "history", "--format", "json")
    events = [r["detail"]["event"] for r in json.loads(history.stdout)["records"]]
    assert events.count("wait") == 1  # the second waiting dispatch added nothing


def test_a_window_closing_mid_dispatch_lets_the_batch_in_flight_finish(
    sqlite_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    def slow(hit: Hit) -> Reply:
        return Reply(delay=0.4)

    with Receiver(ca.issue_cert("127.0.0.1"), slow) as receiver:
        write_tree(tmp_path, ca_pem, receiver.url(), concurrency=1)
        seed_store_at(sqlite_url, tmp_path, [record_text(i) for i in range(20)])
        # two seconds before Saturday 02:00 in Tokyo, when the window closes
        closing = cli(
            tmp_path,
            sqlite_url,
            "2026-11-28T01:59:58+09:00",
            "requests",
            "dispatch",
            "--format",
            "json",
        )
        assert closing.returncode == 0, closing.stderr
        sent_before = len(receiver.hits)
        [outcome] = json.loads(closing.stdout)["requests"]
        assert outcome["status"] == "waiting"
        assert outcome["hold"]["nextAllowed"] == "2026-12-04T13:00:00+00:00"  # next Friday
        assert 2 <= sent_before <= 8, sent_before
        assert outcome["batches"].get("in_flight") is None  # the one in flight finished
        assert outcome["batches"]["delivered"] == sent_before
        assert outcome["batches"]["pending"] == 20 - sent_before
        # Friday a week later, 23:00 in Tokyo: the rest, each batch once
        later = cli(tmp_path, sqlite_url, "2026-12-04T23:00:00+09:00", "requests", "dispatch")
        assert later.returncode == 0, later.stderr
        hits = receiver.hits
    assert len(hits) == len({h.key for h in hits}) == 20
    assert status_json(tmp_path, sqlite_url)["status"] == "completed"


def test_a_bad_clock_setting_is_refused_naming_it(
    sqlite_url: str, tmp_path: Path, ca_pem: Path
) -> None:
    write_tree(tmp_path, ca_pem, "https://127.0.0.1:9/resubmit")
    seed_store_at(sqlite_url, tmp_path, [record_text(0)])
    done = cli(tmp_path, sqlite_url, "2026-11-28T01:00:00", "requests", "dispatch")
    assert done.returncode != 0
    assert "RECONCILER_NOW='2026-11-28T01:00:00' is not an instant with a zone" in done.stderr


def test_the_held_states_show_in_every_format_and_status(
    sqlite_url: str, tmp_path: Path, ca_pem: Path
) -> None:
    write_tree(tmp_path, ca_pem, "https://127.0.0.1:9/resubmit")  # never reached
    seed_store_at(sqlite_url, tmp_path, [record_text(i) for i in range(3)])
    friday = "2026-11-27T20:00:00+09:00"
    expected = "outside its schedule; next allowed 2026-11-27T13:00:00+00:00"
    markdown = cli(tmp_path, sqlite_url, friday, "requests", "dispatch", "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert f"| `{REQUEST}` | resubmit | **waiting** |" in markdown.stdout
    assert expected in markdown.stdout
    github = cli(tmp_path, sqlite_url, friday, "requests", "dispatch", "--format", "github")
    assert github.returncode == 0 and "::error" not in github.stdout  # not a failure
    notice = f"::notice file=requests.d/{REQUEST}.yaml,title=dispatch::request {REQUEST}: waiting"
    assert notice in github.stdout
    assert f"{REQUEST} (resubmit): waiting" in github.stdout
    detail = cli(tmp_path, sqlite_url, friday, "requests", "status", REQUEST)
    assert f"waiting: {expected}" in detail.stdout
    md = cli(tmp_path, sqlite_url, friday, "requests", "status", REQUEST, "--format", "markdown")
    assert f"Waiting: {expected}" in md.stdout
    listed = cli(tmp_path, sqlite_url, friday, "requests", "status", "--format", "markdown")
    assert f"| `{REQUEST}` | resubmit | **waiting** |" in listed.stdout
    status = cli(tmp_path, sqlite_url, friday, "status")
    assert status.returncode == 0, status.stderr
    assert (
        f"request {REQUEST}: waiting for its schedule (not a failure): {expected}" in status.stdout
    )
    as_json = cli(tmp_path, sqlite_url, friday, "status", "--format", "json")
    assert expected in as_json.stdout and '"waiting"' in as_json.stdout
