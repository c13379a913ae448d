"""Who sent what: every history line of a dispatch -- the freeze, each batch, the outcome --
names the actor and the commit it was dispatched from, in text, JSON and markdown, on both
stores (a batch record said "by unknown" with no commit before)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import trustme

from tests.conftest import run_cli
from tests.dispatch_support import API_KEY, Receiver, record_text, seed_store_at, write_tree

REQUEST = "2026-11-28-sap-outage"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_every_history_line_of_a_dispatch_says_who_and_at_which_commit(
    store_url: str, tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url(), concurrency=1)
        git(tmp_path, "init", "-q")
        git(tmp_path, "add", "flows.d", "requests.d", "reconciler.yaml")
        git(tmp_path, "commit", "-q", "-m", "tree")
        sha = git(tmp_path, "rev-parse", "HEAD")
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(25)])
        done = run_cli(
            "--store",
            store_url,
            "--repo",
            str(tmp_path),
            "requests",
            "dispatch",
            env={"ORDERS_API_KEY": API_KEY, "GITHUB_ACTOR": "octocat"},
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert len(receiver.hits) == 3

    def history(*args: str) -> str:
        shown = run_cli("--store", store_url, "--repo", str(tmp_path), "history", *args)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    lines = [line for line in history("--request", REQUEST).splitlines() if line[:1] != " "]
    assert len(lines) == 5, lines  # frozen, three batches, the dispatch's outcome
    assert sum(" batch Order Processing#" in line for line in lines) == 3
    for line in lines:
        assert f" by octocat @{sha[:7]}" in line, line
        assert "unknown" not in line and "- -> -" not in line, line

    records = json.loads(history("--request", REQUEST, "--format", "json"))["records"]
    assert {(r["kind"], r["actor"], r["commit"]) for r in records} == {
        ("request", "octocat", sha),
        ("batch", "octocat", sha),
    }
    rows = [r for r in history("--request", REQUEST, "--format", "markdown").splitlines()]
    batch_rows = [r for r in rows if r.startswith("| ") and " batch Order Processing#" in r]
    assert len(batch_rows) == 3
    assert all(f"| octocat | `{sha[:12]}` |" in r for r in batch_rows), batch_rows


def test_a_dispatch_of_an_uncommitted_request_is_recorded_as_dirty(
    tmp_path: Path, ca: trustme.CA, ca_pem: Path
) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    with Receiver(ca.issue_cert("127.0.0.1")) as receiver:
        write_tree(tmp_path, ca_pem=ca_pem, url=receiver.url())
        git(tmp_path, "init", "-q")
        git(tmp_path, "add", "flows.d", "reconciler.yaml")  # the request is not committed
        git(tmp_path, "commit", "-q", "-m", "flows only")
        dirty = git(tmp_path, "rev-parse", "HEAD") + "+dirty"
        seed_store_at(store_url, tmp_path, [record_text(i) for i in range(5)])
        done = run_cli(
            "--store",
            store_url,
            "--repo",
            str(tmp_path),
            "requests",
            "dispatch",
            env={"ORDERS_API_KEY": API_KEY},
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def cli(*args: str) -> str:
        shown = run_cli("--store", store_url, "--repo", str(tmp_path), *args)
        assert shown.returncode == 0, shown.stderr
        return shown.stdout

    records = json.loads(cli("history", "--request", REQUEST, "--format", "json"))["records"]
    assert len(records) == 3 and {r["commit"] for r in records} == {dirty}
    text = [line for line in cli("history", "--request", REQUEST).splitlines() if line[:1] != " "]
    assert all(f" @{dirty[:12]}+dirty" in line for line in text), text
    notes = [r["detail"]["note"] for r in records]  # one of a thing in the singular
    assert "selection frozen: 5 runs in 1 batch" in notes, notes
    assert "dispatch completed: 5 runs delivered, 0 failed" in notes, notes
    [shown] = json.loads(cli("status", "--format", "json"))["requests"]["shown"]
    assert (shown["name"], shown["commit"]) == (REQUEST, dirty)
    assert f"commit {dirty}," in cli("requests", "status", REQUEST)
