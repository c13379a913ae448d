"""Store access through the real CLI: commands that only read create nothing; a store or a
repository this user cannot write is a clear error naming the path (exit 1), not an
internal error; a PostgreSQL store URL that does not parse is a usage error (64); a DSN's
password never appears in any output, --debug tracebacks and driver errors included; the
SQLite path works without the PostgreSQL driver, and a postgresql:// store without it
names the extra to install."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli
from tests.runs_helpers import record

FLOW = """apiVersion: reconciler/v1
kind: Flow
name: Orders
mappings:
  - workflowName: la-orders
resubmit:
  url: https://orders.example.com/resubmit
"""
REQUEST = """apiVersion: reconciler/v1
kind: ResubmitRequest
name: replay-orders
reason: receiver was down, INC-1
action: resubmit
flows: [Orders]
select:
  status: [Error]
limits:
  allowEmpty: true  # these stores hold no runs: preview exits 0 for it all the same
"""
READ_ONLY_COMMANDS = [
    ["plan"],
    ["status"],
    ["history"],
    ["runs", "list"],
    ["requests", "preview"],
    ["requests", "status"],
]
# Root writes any file whatever its mode: the tests of what may not be written run the CLI
# as another user then.
OTHER_USER = 65534 if os.geteuid() == 0 else None
SENTINEL = "S3ntinel-pw%2Fx"


@pytest.fixture
def repo() -> Iterator[Path]:
    """A repository another user can read (pytest's own temporary folders are private)."""
    root = Path(tempfile.mkdtemp(prefix="reconciler-access-"))
    (root / "flows.d").mkdir()
    (root / "flows.d" / "orders.yaml").write_text(FLOW)
    (root / "requests.d").mkdir()
    (root / "requests.d" / "replay-orders.yaml").write_text(REQUEST)
    root.chmod(0o755)
    yield root
    for directory, _, _ in os.walk(root):
        Path(directory).chmod(0o755)
    shutil.rmtree(root)


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _only_cache(created: set[str]) -> set[str]:
    """What a command created besides the validation cache (a cache of results of unchanged
    files, never needed: see reconciler/load/cache.py) and the .gitignore of its folder."""
    cache = {".reconciler", ".reconciler/.gitignore"}
    return {p for p in created if p not in cache and not p.startswith(".reconciler/cache")}


@pytest.mark.parametrize("configured", [False, True])
def test_read_only_commands_create_no_store(repo: Path, configured: bool) -> None:
    if configured:  # a store: path in reconciler.yaml, in a folder that does not exist
        (repo / "reconciler.yaml").write_text(
            "apiVersion: reconciler/v1\nkind: Config\nstore: sqlite:///state/flows/store.db\n"
        )
    before = _tree(repo)
    for command in [*READ_ONLY_COMMANDS, ["validate", "--no-cache"]]:
        result = run_cli(*command, cwd=repo)
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        created = _only_cache(_tree(repo) - before)
        assert created == set(), (command, created)
    assert not (repo / ".reconciler" / "store.db").exists()
    # What plan showed against "no store" is what apply then does to the new, empty store.
    assert "Plan: 1 to create, 0 to update" in run_cli("plan", cwd=repo).stdout
    applied = run_cli("apply", cwd=repo)
    assert applied.returncode == 0, applied.stderr
    store = repo / ("state/flows/store.db" if configured else ".reconciler/store.db")
    assert store.is_file()


@pytest.mark.parametrize("command", READ_ONLY_COMMANDS)
def test_read_only_commands_run_in_a_read_only_repository(repo: Path, command: list[str]) -> None:
    for directory, _, _ in os.walk(repo):
        Path(directory).chmod(0o555)
    result = run_cli(*command, cwd=repo, user=OTHER_USER)
    assert result.returncode == 0, result.stderr
    assert "internal error" not in result.stderr
    assert not (repo / ".reconciler").exists()


def test_apply_in_a_read_only_repository_names_the_folder(repo: Path) -> None:
    for directory, _, _ in os.walk(repo):
        Path(directory).chmod(0o555)
    for command in (["apply"], ["runs", "import", "-"]):
        result = run_cli(*command, cwd=repo, user=OTHER_USER, input=record("r1") + "\n")
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [
            "error: cannot create the store folder .reconciler: Permission denied",
            "hint: run where the repository is writable, or give a store elsewhere: "
            "--store sqlite:////absolute/path/store.db or RECONCILER_STORE",
        ], command
    assert not (repo / ".reconciler").exists()


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_a_read_only_store_is_refused_with_a_hint_and_keeps_its_data(
    repo: Path, read_only: str
) -> None:
    assert run_cli("apply", cwd=repo).returncode == 0
    runs = repo / "runs.ndjson"
    runs.write_text(record("r1", workflowName="la-orders") + "\n")
    assert run_cli("runs", "import", "runs.ndjson", cwd=repo).returncode == 0
    store = repo / ".reconciler" / "store.db"
    for path in repo.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    if read_only == "file":
        store.chmod(0o444)
    else:
        store.parent.chmod(0o555)
    (repo / "flows.d" / "more.yaml").write_text(FLOW.replace("Orders", "More"))
    runs.write_text(record("r2", workflowName="la-orders") + "\n")
    for command in (["apply"], ["runs", "import", "runs.ndjson"], ["runs", "list"]):
        result = run_cli(*command, cwd=repo, user=OTHER_USER)
        assert result.returncode == 1, (command, result.stderr)
        lines = result.stderr.splitlines()
        assert lines[0].startswith(
            "error: the SQLite store .reconciler/store.db is read-only for this user ("
        ), lines
        assert lines[1] == (
            "hint: make the store's file and its folder writable for this user (SQLite keeps "
            "a -wal and a -shm file beside the store), or give another store: --store URL or "
            "RECONCILER_STORE"
        )
    store.parent.chmod(0o755)
    store.chmod(0o644)
    listed = run_cli("runs", "list", "--format", "json", cwd=repo)
    assert [run["id"] for run in json.loads(listed.stdout)["runs"]] == ["r1"]


def test_a_bad_postgresql_url_is_a_usage_error() -> None:
    result = run_cli("--store", "postgresql://[bad", "runs", "list")
    assert result.returncode == 64, result.stderr
    assert result.stderr.splitlines() == [
        "error: bad PostgreSQL store URL postgresql://[bad: end of string reached when looking "
        'for matching "]" in IPv6 host address in URI: "postgresql://[bad"',
        "hint: write it as postgresql://user:password@host:port/database "
        "(percent-encode special characters)",
    ]


def test_a_dsn_password_appears_in_no_output(pg_server: str, tmp_path: Path) -> None:
    base = pg_server.rpartition("/")[0]  # postgresql://user@127.0.0.1:port
    user_host = base.removeprefix("postgresql://")
    user, _, host = user_host.partition("@")
    decoded = SENTINEL.replace("%2F", "/")
    urls = [
        f"postgresql://{user}:{SENTINEL}@[bad",  # the driver repeats the URL it cannot parse
        f"postgresql://{user}:{SENTINEL}@127.0.0.1:1/db",  # nothing listens
        f"postgresql://{user}:{SENTINEL}@{host}/no_such_database",  # the server says no
        f"postgresql://{host}/db?user={user}&password={SENTINEL}&sslmode=bogus",
        f"host=127.0.0.1 port=1 user={user} password={decoded} dbname=db",
    ]
    for url in urls:
        for debug in ([], ["--debug"]):
            for command in (["runs", "list"], ["store", "migrate"], ["status"]):
                result = run_cli(*debug, "--store", url, *command, cwd=tmp_path)
                shown = result.stdout + result.stderr
                assert result.returncode in (1, 64), (url, shown)
                assert "S3ntinel" not in shown, (url, debug, command, shown)
                assert "***" in shown, shown


def _without_psycopg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with the PostgreSQL driver made unimportable, as when the extra is not
    installed."""
    code = (
        "import sys; sys.modules['psycopg'] = None; "
        "from reconciler.cli import main; main(sys.argv[1:])"
    )
    # Run as on a laptop: in automation (CI=true) apply refuses the default store.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(PYTHONPATH=str(REPO), RECONCILER_ENDPOINT_CHECK="0")
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sqlite_needs_no_postgresql_driver(repo: Path) -> None:
    (repo / "runs.ndjson").write_text(record("r1", workflowName="la-orders") + "\n")
    for command in (["apply"], ["runs", "import", "runs.ndjson"], ["runs", "list"], ["status"]):
        result = _without_psycopg(*command, cwd=repo)
        assert result.returncode == 0, (command, result.stderr)
    result = _without_psycopg("--store", "postgresql://u@127.0.0.1:1/db", "runs", "list", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "error: the store postgresql://u@127.0.0.1:1/db is a PostgreSQL store, and the "
        "PostgreSQL driver is not installed",
        "hint: install the postgres extra: pip install '.[postgres]' in a checkout of "
        "flow-reconciler (it adds psycopg)",
    ]
