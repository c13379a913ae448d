"""plan/apply/history/status as real subprocesses: exit codes, refusal, secrets, locking,
SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.store import Store, open_store
from reconciler.store.flows import load_flows
from reconciler.store.lock import StoreLock
from tests.conftest import REPO, run_cli, wait_for
from tests.flowfiles import write_flow, write_flows

SENTINEL = "s3ntinel-VALUE-9f1c2e"


def cli(root: Path, store_url: str, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return run_cli("--store", store_url, "--repo", str(root), *args, **kw)  # type: ignore[arg-type]


def test_detailed_exitcode(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders")
    changes = cli(tmp_path, store_url, "plan", "--detailed-exitcode")
    assert changes.returncode == 2, changes.stderr
    assert '+ create    "Orders"  flows.d/orders.yaml' in changes.stdout
    assert cli(tmp_path, store_url, "plan").returncode == 0  # without the flag
    applied = cli(tmp_path, store_url, "apply")
    assert applied.returncode == 0, applied.stderr
    assert "Applied 1 change (1 create)" in applied.stdout
    none = cli(tmp_path, store_url, "plan", "--detailed-exitcode")
    assert none.returncode == 0 and "No changes" in none.stdout
    (tmp_path / "flows.d" / "bad.yaml").write_text("apiVersion: reconciler/v1\nkind: Flow\n")
    error = cli(tmp_path, store_url, "plan", "--detailed-exitcode")
    assert error.returncode == 1
    assert "flows.d/bad.yaml" in error.stderr and "Traceback" not in error.stderr


def test_plan_and_apply_refuse_an_invalid_tree(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders")
    assert cli(tmp_path, store_url, "apply").returncode == 0
    write_flow(tmp_path, "Orders", description="new")
    write_flow(tmp_path, "Other")
    (tmp_path / "flows.d" / "broken.yaml").write_text("name: [unclosed\n")
    for command in ("plan", "apply"):
        done = cli(tmp_path, store_url, command)
        assert done.returncode == 1, done.stdout
        assert "refusing to sync a broken tree" in done.stderr
        assert "flows.d/broken.yaml:" in done.stderr
    store = open_store(store_url)
    flows = load_flows(store, specs=True)
    assert list(flows) == ["Orders"] and '"new"' not in flows["Orders"].spec
    assert store.revision() == 1
    store.close()


def test_missing_flows_dir_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    done = cli(tmp_path, sqlite_url, "apply", "--prune")
    assert done.returncode == 1 and "no flows.d/ directory" in done.stderr


def test_stale_plan_file_is_refused(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders")
    plan_file = tmp_path / "plan.json"
    done = cli(tmp_path, store_url, "plan", "--out", str(plan_file), "--format", "json")
    assert done.returncode == 0
    saved = json.loads(plan_file.read_text())
    assert saved["formatVersion"] == 1 and saved["storeRevision"] == 0
    assert json.loads(done.stdout) == saved
    write_flow(tmp_path, "Other")
    assert cli(tmp_path, store_url, "apply").returncode == 0
    stale = cli(tmp_path, store_url, "apply", "--plan", str(plan_file))
    assert stale.returncode == 1
    assert "is stale" in stale.stderr and "run `reconciler plan` again" in stale.stderr


def test_prune_budget_via_cli(sqlite_url: str, tmp_path: Path) -> None:
    write_flows(tmp_path, 6)
    assert cli(tmp_path, sqlite_url, "apply").returncode == 0
    for path in (tmp_path / "flows.d").rglob("*.yaml"):
        path.unlink()
    refused = cli(tmp_path, sqlite_url, "apply", "--prune")
    assert refused.returncode == 1
    assert "refusing to delete 6 flows (more than --max-deletes 5)" in refused.stderr
    assert "rerun with --max-deletes 6" in refused.stderr
    store = open_store(sqlite_url)
    assert len(load_flows(store)) == 6
    store.close()
    done = cli(tmp_path, sqlite_url, "apply", "--prune", "--max-deletes", "6")
    assert done.returncode == 0 and "6 delete" in done.stdout


def _dump(store_url: str) -> str:
    store = open_store(store_url)
    tables = [
        "meta", "flows", "runs", "run_flows", "requests", "batches", "batch_runs",
        "endpoint_checks", "audit", "locks",
    ]  # fmt: skip
    text = "\n".join(repr(store.query(f"SELECT * FROM {t}")) for t in tables)
    store.close()
    return text


def test_sentinel_secret_never_leaves_the_environment(store_url: str, tmp_path: Path) -> None:
    env = {"ORDERS_API_KEY": SENTINEL, "OTHER_KEY": SENTINEL}
    write_flow(tmp_path, "Orders")
    outputs = []
    plan_file = tmp_path / "plan.json"
    for args in (
        ["plan", "--out", str(plan_file)],
        ["plan", "--format", "json"],
        ["plan", "--format", "markdown"],
        ["apply", "--plan", str(plan_file)],
        ["history"],
        ["history", "--format", "json"],
        ["status", "--format", "json"],
    ):
        done = cli(tmp_path, store_url, *args, env=env)
        assert done.returncode == 0, done.stderr
        outputs += [done.stdout, done.stderr]
    write_flow(tmp_path, "Orders", secret_env="OTHER_KEY")  # a changed reference
    for args in (["plan"], ["apply"], ["history"], ["status"]):
        done = cli(tmp_path, store_url, *args, env=env)
        assert done.returncode == 0, done.stderr
        outputs += [done.stdout, done.stderr]
    assert "env:ORDERS_API_KEY -> env:OTHER_KEY" in "".join(outputs) or (
        '"ORDERS_API_KEY" -> "OTHER_KEY"' in "".join(outputs)
    )
    # The read-only commands, and failures with --debug (tracebacks, locals of frames).
    (tmp_path / "requests.d").mkdir()
    (tmp_path / "requests.d" / "r.yaml").write_text(
        "apiVersion: reconciler/v1\nkind: ResubmitRequest\nname: r\nreason: test\n"
        "action: resubmit\nflows: [Orders]\nselect:\n  status: [Error]\n"
    )
    for args, code in (
        (["validate"], 0),
        (["validate", "--format", "json"], 0),
        (["requests", "preview", "--format", "markdown"], 1),  # selects no runs (yet)
        (["check", "--changed-only"], 0),
    ):
        done = cli(tmp_path, store_url, *args, env=env)
        assert done.returncode == code, (args, done.stdout, done.stderr)
        outputs += [done.stdout, done.stderr]
    (tmp_path / "flows.d" / "broken.yaml").write_text("name: [unclosed\n")
    for args in (["--debug", "plan"], ["--debug", "apply"], ["--debug", "validate"]):
        done = cli(tmp_path, store_url, *args, env=env)
        assert done.returncode == 1 and "broken.yaml" in done.stdout + done.stderr, args
        outputs += [done.stdout, done.stderr]
    everything = "".join(outputs) + plan_file.read_text() + _dump(store_url)
    cache = list((tmp_path / ".reconciler" / "cache").glob("validate.db*"))
    assert cache  # the validation cache (file contents) is searched too
    for path in cache + list(tmp_path.rglob("store.db*")):
        everything += path.read_bytes().decode("latin-1")
    assert "ORDERS_API_KEY" in everything  # references are there...
    assert SENTINEL not in everything  # ...values never


def test_history_and_status(sqlite_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    write_flow(tmp_path, "B")
    env = {"GITHUB_ACTOR": "octocat", "GITHUB_SHA": "1234567890abcdef"}
    assert cli(tmp_path, sqlite_url, "apply", env=env).returncode == 0
    write_flow(tmp_path, "A", url="https://changed.example.com/x")
    assert cli(tmp_path, sqlite_url, "apply", env=env).returncode == 0
    text = cli(tmp_path, sqlite_url, "history", "--flow", "A").stdout
    lines = text.splitlines()
    assert lines[0].split()[1:4] == ["update", "flow", '"A"']
    assert "by octocat @1234567890ab" in lines[0]
    assert (
        'resubmit.url: "https://orders.example.com/resubmit" -> "https://changed.example.com/x"'
        in text
    )
    assert "create" in lines[-1]
    records = json.loads(
        cli(tmp_path, sqlite_url, "history", "--action", "create", "--format", "json").stdout
    )["records"]
    assert sorted(r["flow"] for r in records) == ["A", "B"]
    assert {r["commit"] for r in records} == {"1234567890abcdef"}
    status = json.loads(cli(tmp_path, sqlite_url, "status", "--format", "json").stdout)
    flows = status["flows"]
    assert (flows["total"], flows["managed"], flows["drifted"]) == (2, 2, [])
    assert flows["lastApply"]["actor"] == "octocat" and flows["lastApply"]["changes"] == 1
    text_status = cli(tmp_path, sqlite_url, "status").stdout
    assert "last apply" in text_status and "octocat" in text_status


def test_drift_through_the_cli_plan_status_apply_history(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "Orders", url="https://good.example.com/r")
    assert cli(tmp_path, store_url, "apply").returncode == 0
    store = open_store(store_url)
    with store.transaction():  # someone edits the store copy by hand
        store.execute(
            "UPDATE flows SET spec = replace(spec, 'good.example.com', 'evil.example.com') "
            "WHERE name = ?",
            ("Orders",),
        )
    plan = cli(tmp_path, store_url, "plan", "--detailed-exitcode")
    assert plan.returncode == 2, plan.stderr
    assert "drift" in plan.stdout and "resubmit.url" in plan.stdout
    assert (
        "https://evil.example.com/r" in plan.stdout and "https://good.example.com/r" in plan.stdout
    )
    markdown = cli(tmp_path, store_url, "plan", "--format", "markdown").stdout
    assert "resubmit.url" in markdown and "drift" in markdown.lower()
    status = json.loads(cli(tmp_path, store_url, "status", "--format", "json").stdout)
    assert status["flows"]["drifted"] == ["Orders"]
    assert status["ok"] is False
    assert [(a["kind"], a["subject"], a["tone"]) for a in status["attention"]] == [
        ("flow", "Orders", "warning")
    ]
    applied = cli(tmp_path, store_url, "apply")
    assert applied.returncode == 0 and "1 drift" in applied.stdout, applied.stdout
    assert "good.example.com" in load_flows(store, specs=True)["Orders"].spec
    history = json.loads(
        cli(tmp_path, store_url, "history", "--flow", "Orders", "--format", "json").stdout
    )
    drift = [r for r in history["records"] if r["action"] == "drift"]
    assert len(drift) == 1 and drift[0]["diff"][0]["path"] == "resubmit.url"
    assert cli(tmp_path, store_url, "plan", "--detailed-exitcode").returncode == 0
    store.close()


# -- locking ----------------------------------------------------------------------------------
def test_second_writer_times_out_naming_the_holder(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    store = open_store(store_url)
    with StoreLock(store, purpose="requests dispatch", actor="alice", ttl=60):
        started = time.monotonic()
        done = cli(tmp_path, store_url, "apply", "--lock-timeout", "1")
        waited = time.monotonic() - started
    assert done.returncode == 1
    assert "the store is locked by requests dispatch by alice on" in done.stderr
    assert f"(pid {os.getpid()})" in done.stderr and "gave up after waiting 1s" in done.stderr
    assert waited >= 1.0
    assert load_flows(store) == {}
    assert store.query("SELECT * FROM locks") == []
    store.close()


def _plant_lease(store: Store, holder: dict[str, object], expires_at: str) -> None:
    with store.transaction():
        store.execute(
            "INSERT INTO locks (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)",
            ("writer", json.dumps(holder), "2026-01-01T00:00:00.000000Z", expires_at),
        )


def test_expired_lease_of_another_host_is_taken_over(store_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    store = open_store(store_url)
    holder = {"purpose": "apply", "actor": "bob", "host": "gone-runner", "pid": 7}
    _plant_lease(store, holder, "2026-01-01T00:00:30.000000Z")
    done = cli(tmp_path, store_url, "apply", "--lock-timeout", "1")
    assert done.returncode == 0, done.stderr
    assert "took over the expired store lock of apply by bob on gone-runner (pid 7)" in done.stdout
    assert len(load_flows(store)) == 1 and store.query("SELECT * FROM locks") == []
    store.close()


def test_live_lease_of_another_host_is_not_taken_over(sqlite_url: str, tmp_path: Path) -> None:
    write_flow(tmp_path, "A")
    store = open_store(sqlite_url)
    _plant_lease(store, {"host": "other", "pid": 7, "actor": "bob"}, "9999-12-31T00:00:00Z")
    done = cli(tmp_path, sqlite_url, "apply", "--lock-timeout", "0.5")
    assert done.returncode == 1 and "locked by a writer by bob on other (pid 7)" in done.stderr
    store.close()


@pytest.mark.parametrize("lease", ["live", "expired", "none"])
def test_sqlite_writer_in_a_long_transaction_makes_others_time_out_naming_it(
    sqlite_url: str, tmp_path: Path, lease: str
) -> None:
    """An apply holds SQLite's write lock for its whole transaction, and its heartbeat
    cannot extend the lease meanwhile. A second writer must still give up after
    --lock-timeout (not SQLite's own 30 s wait) and name whoever holds the store."""
    write_flow(tmp_path, "A")
    store = open_store(sqlite_url)
    if lease != "none":
        expires = "9999-12-31T00:00:00Z" if lease == "live" else "2026-01-01T00:00:30.000000Z"
        _plant_lease(store, {"purpose": "apply", "actor": "carol", "host": "r9", "pid": 9}, expires)
    store.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
    try:
        started = time.monotonic()
        done = cli(tmp_path, sqlite_url, "apply", "--lock-timeout", "1")
        waited = time.monotonic() - started
    finally:
        store.execute("ROLLBACK")
    assert done.returncode == 1, done.stderr
    assert "gave up after waiting 1s" in done.stderr and 1.0 <= waited < 15, waited
    if lease == "none":
        assert "locked by another writer (a transaction that holds the store's write" in done.stderr
    else:
        assert "locked by apply by carol on r9 (pid 9) since 2026-01-01T00:00:00" in done.stderr
    assert "internal error" not in done.stderr and load_flows(store) == {}
    # Once that transaction is over, an expired or absent lease is no obstacle.
    if lease != "live":
        again = cli(tmp_path, sqlite_url, "apply", "--lock-timeout", "1")
        assert again.returncode == 0, again.stderr
        assert len(load_flows(store)) == 1 and store.query("SELECT * FROM locks") == []
    store.close()


def _spawn_apply(root: Path, store_url: str, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = str(REPO)
    env.setdefault("RECONCILER_ENDPOINT_CHECK", "0")  # as run_cli: no network from tests
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "--store",
            store_url,
            "--repo",
            str(root),
            "apply",
            *args,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_applies_serialize(store_url: str, tmp_path: Path) -> None:
    write_flows(tmp_path, 400)
    first = _spawn_apply(tmp_path, store_url, "--lock-timeout", "120")
    second = _spawn_apply(tmp_path, store_url, "--lock-timeout", "120")
    outs = [p.communicate(timeout=180) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    stdouts = sorted(o[0].splitlines()[0] for o in outs)
    assert stdouts[0].startswith("Applied 400 changes (400 create)")
    assert stdouts[1].startswith("No changes")
    store = open_store(store_url)
    assert store.query_one("SELECT COUNT(*) FROM audit")[0] == 400  # type: ignore[index]
    assert store.revision() == 1 and store.query("SELECT * FROM locks") == []
    store.close()


def _state(store: Store) -> tuple[int, set[str], int, int]:
    flows = load_flows(store, specs=True)
    marks = {"old" if '"v1"' in f.spec else "new" for f in flows.values()}
    audit = store.query_one("SELECT COUNT(*) FROM audit")
    return len(flows), marks, store.revision(), int(audit[0]) if audit else -1


def _writer_in_transaction(store: Store) -> bool:
    """Another connection is inside a write transaction: on PostgreSQL it has written
    (it has a transaction id); on SQLite it holds the write lock."""
    if store.dialect == "postgresql":
        row = store.query_one(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
        )
        return bool(row and row[0])
    store.execute("PRAGMA busy_timeout = 0")
    try:
        store.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    finally:
        store.execute("PRAGMA busy_timeout = 30000")
    store.execute("ROLLBACK")
    return False


@pytest.mark.slow
def test_sigkill_during_apply_leaves_all_old_or_all_new(store_url: str, tmp_path: Path) -> None:
    count = 1500
    write_flows(tmp_path, count, description="v1")
    assert cli(tmp_path, store_url, "apply", timeout=300).returncode == 0
    old = (count, {"old"}, 1, count)
    write_flows(tmp_path, count, description="v2")
    write_flows(tmp_path, 300, prefix="extra", description="v2")
    new = (count + 300, {"new"}, 2, 2 * count + 300)
    store = open_store(store_url)
    outcomes = []  # (killed inside the apply transaction?, all-new?)
    for attempt in range(8):
        proc = _spawn_apply(tmp_path, store_url, "--lock-timeout", "60")
        # the lock row appears when the tree is loaded; the transaction starts right after
        assert wait_for(
            lambda: bool(store.query("SELECT 1 FROM locks")), timeout=120, interval=0.002
        )
        inside = attempt > 0 and wait_for(
            lambda: _writer_in_transaction(store), timeout=30, interval=0.001
        )
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        state = _state(store)
        assert state in (old, new), state
        outcomes.append((inside, state == new))
        if state == new:
            break
    # Killed right at the start: nothing written. Killed while its transaction was open
    # (it had written: the revision and some flows): still nothing, at least once.
    assert outcomes[0] == (False, False)
    assert (True, False) in outcomes, outcomes
    # the killed process left its lease behind; the next apply (same host, dead pid) takes
    # it over at once and finishes the job
    assert store.query("SELECT 1 FROM locks") or outcomes[-1][1]
    done = cli(tmp_path, store_url, "apply", "--lock-timeout", "5", timeout=300)
    assert done.returncode == 0, done.stderr
    assert _state(store) == new
    if not outcomes[-1][1]:
        assert f"on {socket.gethostname()}" in done.stdout and "took over" in done.stdout
    assert cli(tmp_path, store_url, "plan", "--detailed-exitcode").returncode == 0
    store.close()


def test_flows_left_without_prune_are_counted_in_the_singular_and_plural(
    sqlite_url: str, tmp_path: Path
) -> None:
    write_flows(tmp_path, 3)
    assert cli(tmp_path, sqlite_url, "apply").returncode == 0
    paths = sorted((tmp_path / "flows.d").rglob("*.yaml"))
    paths[0].unlink()
    one = cli(tmp_path, sqlite_url, "apply")
    assert one.returncode == 0, one.stderr
    assert "1 flow no longer in Git was not deleted (use --prune): " in one.stdout + one.stderr
    paths[1].unlink()
    two = cli(tmp_path, sqlite_url, "apply")
    assert "2 flows no longer in Git were not deleted (use --prune): " in two.stdout + two.stderr
