from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reconciler.errors import ConfigError, StoreVersionError
from reconciler.store import Store, open_store, utcnow
from reconciler.store.migrations import LATEST_VERSION


def test_migrate_creates_schema_and_is_idempotent(store_url: str) -> None:
    store = open_store(store_url, migrate=False)
    assert store.schema_version() == 0
    assert store.migrate() == [m for m in range(1, LATEST_VERSION + 1)]
    assert store.migrate() == []
    assert store.schema_version() == LATEST_VERSION
    with store.transaction():
        store.bump_revision()
    assert store.revision() == 1
    store.close()


def test_newer_store_is_refused(store_url: str) -> None:
    store = open_store(store_url)
    with store.transaction():
        store.set_meta("schema_version", str(LATEST_VERSION + 1))
    store.close()
    with pytest.raises(StoreVersionError, match="newer than this tool knows"):
        open_store(store_url)


def test_transaction_rolls_back_everything(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with pytest.raises(RuntimeError), store.transaction():
        store.set_meta("x", "1")
        raise RuntimeError("boom")
    assert store.get_meta("x") is None


def test_relative_sqlite_url_is_relative_to_repo_root(tmp_path: Path) -> None:
    store = open_store("sqlite:///.reconciler/store.db", root=tmp_path)
    store.close()
    assert (tmp_path / ".reconciler" / "store.db").exists()
    with sqlite3.connect(tmp_path / ".reconciler" / "store.db") as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()


def test_unsupported_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unsupported store URL 'mysql://u:\\*\\*\\*@h/db'"):
        open_store("mysql://u:secret@h/db")


def test_processes_opening_a_new_store_at_once_migrate_it_once(store_url: str) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    code = "import sys; from reconciler.store import open_store; open_store(sys.argv[1]).close()"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    store = open_store(store_url, migrate=False)
    assert store.schema_version() == LATEST_VERSION
    store.close()


def test_upgrading_a_populated_store_keeps_every_row(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store written by the previous version (schema 3) with flows, audit, runs and a
    ledger: upgrading loses nothing, and the new schema works on the old rows."""
    from reconciler.core.plan import Action
    from reconciler.provenance import Provenance
    from reconciler.services.reconcile import ApplyOptions, apply_flows, desired_flows, make_plan
    from reconciler.store import base
    from reconciler.store.batches import run_outcomes
    from reconciler.store.migrations import MIGRATIONS
    from reconciler.store.runimport import import_runs
    from tests.flowfiles import write_flows
    from tests.runs_helpers import record, write_ndjson

    tables = ("flows", "audit", "runs", "run_flows", "requests", "batches", "meta")
    with monkeypatch.context() as old_tool:
        old_tool.setattr(base, "MIGRATIONS", MIGRATIONS[:3])
        old_tool.setattr(base, "LATEST_VERSION", 3)
        store = open_store(store_url)
        assert store.schema_version() == 3
        write_flows(tmp_path, 5, workflow="someworkflow")
        prov = Provenance("old-tool", "0" * 40, "host", 1)
        apply_flows(store, desired_flows(tmp_path), ApplyOptions(), prov)
        runs = [record(f"run-{i:03d}") for i in range(20)]
        import_runs(store, [str(write_ndjson(tmp_path / "runs.ndjson", runs))])
        _old_ledger(store, "req-1", "flow 00000", [["run-003", "run-000"], ["run-007"]])
        before = {t: store.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
        store.close()

    store = open_store(store_url)  # this tool: migrates to the latest schema
    assert store.schema_version() == LATEST_VERSION
    after = {t: store.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
    for table in tables[:-1]:
        assert after[table] == before[table] and after[table], table
    # The frozen runs (one row per run until V6, one list per batch since) keep their order.
    assert list(run_outcomes(store, "req-1")) == [
        ("flow 00000", 1, 0, "run-003", "delivered"),
        ("flow 00000", 1, 1, "run-000", "delivered"),
        ("flow 00000", 2, 0, "run-007", "delivered"),
    ]
    assert set(before["meta"]) <= set(after["meta"]) | {("schema_version", "3")}
    # The old rows plan as unchanged, and edits outside apply are now counted.
    assert not make_plan(store, desired_flows(tmp_path)).has_changes
    state = store.flows_state()
    with store.transaction():
        store.execute("UPDATE flows SET spec = spec || ' ' WHERE name = ?", ("flow 00001",))
    assert store.flows_state()[1] > state[1]
    (entry,) = make_plan(store, desired_flows(tmp_path)).changes
    assert entry.action is Action.DRIFT and entry.flow == "flow 00001"
    store.close()


def _old_ledger(store: Store, request: str, flow: str, batches: list[list[str]]) -> None:
    """A delivered request's ledger as schema 3 to 5 wrote it: one batch_runs row per run
    (its position deliberately not the order of the runs' keys)."""
    now = utcnow()
    with store.transaction():
        store.execute(
            "INSERT INTO requests (name, action, content_hash, spec, status, created_at) "
            "VALUES (?, 'resubmit', 'h', '{}', 'completed', ?)",
            (request, now),
        )
        for seq, run_ids in enumerate(batches, start=1):
            store.execute(
                "INSERT INTO batches (request, flow, seq, url, idempotency_key, status, "
                "run_count, updated_at) VALUES (?, ?, ?, 'https://x.example/r', ?, ?, ?, ?)",
                (request, flow, seq, f"{request}/{seq}", "delivered", len(run_ids), now),
            )
            for pos, run_id in reversed(list(enumerate(run_ids))):
                store.execute(
                    "INSERT INTO batch_runs (request, flow, seq, pos, run_pk, run_id) "
                    "SELECT ?, ?, ?, ?, pk, id FROM runs WHERE id = ?",
                    (request, flow, seq, pos, run_id),
                )


class _LockedAtFirst:
    """A connection whose first answers are SQLite's deadlock refusal, as when another
    process converts the same new file to WAL at the same moment (a race no test can
    force on a real file; test_processes_opening_a_new_store_at_once_migrate_it_once
    runs the real thing)."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals
        self.statements: list[str] = []

    def execute(self, sql: str) -> sqlite3.Cursor:
        self.statements.append(sql)
        if self.refusals:
            self.refusals -= 1
            raise sqlite3.OperationalError("database is locked")
        return sqlite3.connect(":memory:").execute("SELECT 'delete'")


def test_wal_switch_tries_again_after_a_deadlock_refusal() -> None:
    from reconciler.store.base import enable_wal

    conn = _LockedAtFirst(refusals=3)
    enable_wal(conn, timeout=5)
    assert conn.statements[-2:] == ["PRAGMA journal_mode", "PRAGMA journal_mode=WAL"]
    assert len(conn.statements) == 5
    stuck = _LockedAtFirst(refusals=10_000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        enable_wal(stuck, timeout=0.2)  # bounded: the busy timeout
    assert 3 <= len(stuck.statements) <= 10
