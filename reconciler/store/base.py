"""A thin layer over sqlite3 and psycopg: one SQL text (with `?` placeholders) for both,
explicit transactions, and migrations. Repositories (flows, runs, ledger...) build on it."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote

import re2  # RE2 runs in linear time: no pattern stalls a selection by backtracking

from reconciler.core.regex import re2_pattern
from reconciler.core.secrets import MASKER, mask
from reconciler.errors import ConfigError, StoreError, StoreVersionError, UsageError
from reconciler.localstate import make_parents
from reconciler.store.migrations import LATEST_VERSION, MIGRATIONS

Dialect = Literal["sqlite", "postgresql"]
MIGRATION_LOCK_KEY = 0x7265636F  # pg_advisory_lock key held while migrating
Params = Sequence[Any]
IN_CHUNK = 500  # values per IN (...) list
SQLITE_BUSY_TIMEOUT = 30.0  # seconds a statement waits for another connection's write lock


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@lru_cache(maxsize=1024)
def _to_pyformat(sql: str) -> str:
    # psycopg wants %s; literal % must be doubled. SQL here never has '?' inside literals.
    return sql.replace("%", "%%").replace("?", "%s")


class Store:
    """An open store. Use `transaction()` for writes; reads may run outside one."""

    def __init__(self, url: str, dialect: Dialect, conn: Any, root: Path = Path(".")) -> None:
        self.url = url
        self.dialect: Dialect = dialect
        self.conn = conn
        self.root = root  # what a relative sqlite path is relative to (for reopen)
        self._in_tx = False
        self.prepared: set[str] = set()  # per-connection settings already made (by name)

    def reopen(self) -> Store:
        """A second connection to the same store (e.g. for a lock heartbeat)."""
        return open_store(self.url, root=self.root, migrate=False)

    # -- statements -------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        return _to_pyformat(sql) if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Params = ()) -> Any:
        return self.conn.execute(self._sql(sql), params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        if self.dialect == "sqlite":
            self.conn.executemany(sql, rows)
        else:
            with self.conn.cursor() as cur:
                cur.executemany(self._sql(sql), rows)

    def insert_many(self, table: str, columns: Sequence[str], rows: Sequence[Params]) -> None:
        """Bulk append: one COPY stream on PostgreSQL, executemany on SQLite. Rows must not
        conflict with existing keys (COPY has no ON CONFLICT)."""
        if not rows:
            return
        cols = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
            return
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def query(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def query_in(self, sql: str, values: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
        """Rows of `sql`, whose one `{marks}` is an IN list, over `values` in chunks."""
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            yield from self.query(sql.format(marks=", ".join("?" * len(chunk))), chunk)

    def execute_in(self, sql: str, values: Sequence[Any]) -> None:
        """`sql`, whose one `{marks}` is an IN list, over `values` in chunks."""
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            self.execute(sql.format(marks=", ".join("?" * len(chunk))), chunk)

    def query_one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        row = self.execute(sql, params).fetchone()
        return tuple(row) if row is not None else None

    # -- transactions -----------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._in_tx

    @contextmanager
    def transaction(self, *, immediate: bool = True) -> Iterator[Store]:
        """All or nothing. On SQLite `immediate` takes the write lock up front
        (BEGIN IMMEDIATE) so two writers serialize instead of failing at commit."""
        if self._in_tx:
            yield self
            return
        if self.dialect == "sqlite":
            self._in_tx = True
            try:
                self.conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                yield self
            except BaseException as exc:
                if self.conn.in_transaction:  # BEGIN itself may have failed
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error) and _is_readonly(exc):
                    raise _sqlite_error(sqlite_path(self.url, self.root), exc) from exc
                raise
            else:
                self.conn.execute("COMMIT")
            finally:
                self._in_tx = False
        else:
            with self.conn.transaction():
                self._in_tx = True
                try:
                    yield self
                finally:
                    self._in_tx = False

    # -- meta -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def revision(self) -> int:
        """Bumped by every change to flows; a saved plan records the one it saw."""
        value = self.get_meta("revision")
        return int(value) if value else 0

    def flows_state(self) -> tuple[int, int]:
        """(revision, writes to flows made outside apply): both only grow, and together
        they change whenever the stored flows do (migration V4's triggers)."""
        values = dict(
            self.query("SELECT key, value FROM meta WHERE key IN ('revision', 'flows_outside')")
        )
        return int(values.get("revision") or 0), int(values.get("flows_outside") or 0)

    def bump_revision(self) -> int:
        new = self.revision() + 1
        self.set_meta("revision", str(new))
        return new

    # -- schema -----------------------------------------------------------------------
    def schema_version(self) -> int:
        if self.dialect == "sqlite":
            exists = self.query_one(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            )
        else:
            # A plain MVCC read of the catalog: to_regclass() answers from a catalog cache
            # that taking the migration advisory lock does not refresh, so a second process
            # would not see the table the first one just committed (DuplicateTable).
            exists = self.query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relname = 'meta' AND n.nspname = current_schema())"
            )
            exists = exists if exists and exists[0] else None
        if not exists:
            return 0
        value = self.get_meta("schema_version")
        return int(value) if value else 0

    def migrate(self) -> list[int]:
        """Create or upgrade the schema; returns the versions applied. Two processes may
        open a new store at once: they serialize (a session advisory lock on PostgreSQL,
        taken before the transactions so that their catalog snapshots are fresh; BEGIN
        IMMEDIATE on SQLite) and look at the version again."""
        if self.dialect == "postgresql":
            self.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK_KEY,))
        try:
            applied = []
            for migration in MIGRATIONS:
                with self.transaction():
                    current = self.schema_version()
                    self._refuse_newer(current)
                    if migration.version <= current:
                        continue
                    for statement in migration.statements(self.dialect):
                        self.execute(statement)
                    self.set_meta("schema_version", str(migration.version))
                applied.append(migration.version)
            return applied
        finally:
            if self.dialect == "postgresql":
                self.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK_KEY,))

    def ensure_current(self) -> None:
        """Commands call this: migrate an empty or older store, refuse a newer one.
        One round trip for a current store; an empty one takes the careful path."""
        current = self._quick_schema_version()
        if current is None:
            current = self.schema_version()
        self._refuse_newer(current)
        if current < LATEST_VERSION:
            self.migrate()

    def _quick_schema_version(self) -> int | None:
        """The recorded version, read directly; None when there is no meta table (yet)."""
        if self.dialect == "sqlite":
            missing: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
        else:
            from psycopg.errors import UndefinedTable

            missing = (UndefinedTable,)
        try:
            row = self.query_one("SELECT value FROM meta WHERE key = 'schema_version'")
        except missing:
            return None
        return int(row[0]) if row and row[0] else 0

    def _refuse_newer(self, current: int) -> None:
        if current > LATEST_VERSION:
            raise StoreVersionError(
                f"the store at {redact_url(self.url)} has schema version {current}, "
                f"newer than this tool knows ({LATEST_VERSION})",
                hint="upgrade flow-reconciler; it will not touch a store it does not understand",
            )

    def close(self) -> None:
        self.conn.close()


def enable_wal(conn: Any, timeout: float) -> None:
    """Put the database in WAL mode (it stays so: later opens only read the mode). Two
    processes converting a new file at once can each hold the lock the other needs;
    SQLite then answers one of them "database is locked" at once instead of waiting (its
    deadlock rule), so that one tries again, within the busy timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


@lru_cache(maxsize=128)
def _compiled_regex(pattern: str) -> Any:
    options = re2.Options()
    options.dot_nl = True  # `.` matches a newline, as in PostgreSQL
    return re2.compile(re2_pattern(pattern), options)


def _sqlite_regexp(pattern: str | None, value: object) -> bool | None:
    """`value REGEXP pattern` (SQLite has the operator but no function behind it): the
    selection's portable regex subset (reconciler.core.regex), read by RE2."""
    if pattern is None or value is None:
        return None
    return _compiled_regex(pattern).search(str(value)) is not None


def _dsn_passwords(url: str) -> list[str]:
    """The passwords a store URL carries (in its user info or as `password=`), read without
    a full parse: this must also work on a URL too broken to parse."""
    found: list[str] = []
    _, sep, rest = url.partition("://")
    if sep:
        netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
        userinfo = netloc.rpartition("@")[0]
        if ":" in userinfo:
            found.append(userinfo.partition(":")[2])
        query = rest.partition("?")[2].partition("#")[0]
        found += [v for k, v in parse_qsl(query, keep_blank_values=True) if k == "password"]
    found += [m.group(1).strip("'") for m in _KEYWORD_PASSWORD.finditer(url)]
    return list(dict.fromkeys(p for form in found for p in (form, unquote(form)) if p))


_KEYWORD_PASSWORD = re.compile(r"(?:^|[\s&?])password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)")


def redact_url(url: str) -> str:
    """A store URL as it may be shown: every password it carries masked. The passwords are
    registered with the masker too, so that a driver's error or a --debug traceback that
    repeats the URL hides them as well."""
    for password in _dsn_passwords(url):
        MASKER.add(password)
    return mask(url)


def sqlite_path(url: str, root: Path) -> str:
    """sqlite:///relative/to/repo.db, sqlite:////absolute.db, sqlite:///:memory:"""
    rest = url[len("sqlite://") :]
    if not rest.startswith("/"):
        raise ConfigError(
            f"bad SQLite store URL {url!r}",
            hint="use sqlite:///relative/path.db or sqlite:////absolute/path.db",
        )
    path = unquote(rest[1:])
    if path == ":memory:":
        return path
    if not path:
        raise ConfigError(f"bad SQLite store URL {url!r}: no path")
    return str(Path(path) if Path(path).is_absolute() else root / path)


def open_store(
    url: str, *, root: Path = Path("."), migrate: bool = True, readonly: bool = False
) -> Store:
    """The store at `url`, created or upgraded unless migrate=False. `readonly`: for commands
    that only read; they create nothing -- a SQLite store that does not exist yet is read
    as the empty store it would be (in memory), not created."""
    if url.startswith("sqlite:"):
        store = _open_sqlite(url, root, readonly)
    elif url.startswith(("postgresql:", "postgres:")):
        store = Store(url, "postgresql", _connect_postgresql(url), root)
    else:
        raise ConfigError(
            f"unsupported store URL {redact_url(url)!r}",
            hint="use sqlite:///path.db (default) or postgresql://user@host/db",
        )
    if migrate:
        store.ensure_current()
    return store


_WRITABLE_HINT = (
    "make the store's file and its folder writable for this user (SQLite keeps a -wal and a "
    "-shm file beside the store), or give another store: --store URL or RECONCILER_STORE"
)


def _open_sqlite(url: str, root: Path, readonly: bool) -> Store:
    path = sqlite_path(url, root)
    if path != ":memory:" and not Path(path).exists():
        if readonly:  # the empty store it would be, created nowhere
            empty = Store(url, "sqlite", _sqlite_connection(":memory:", path), root)
            empty.migrate()
            return empty
        folder = Path(path).parent
        try:
            make_parents(Path(path))
        except OSError as exc:
            raise StoreError(
                f"cannot create the store folder {folder}: {exc.strerror}",
                hint="run where the repository is writable, or give a store elsewhere: "
                "--store sqlite:////absolute/path/store.db or RECONCILER_STORE",
            ) from exc
    return Store(url, "sqlite", _sqlite_connection(path, path), root)


def _sqlite_connection(target: str, path: str) -> Any:
    """A configured connection to `target` (`path`: the store file, for messages)."""
    try:
        # Not tied to the opening thread: dispatch freezes a selection on a helper
        # thread while this one sets up HTTP (never two threads at once).
        conn = sqlite3.connect(
            target, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT, check_same_thread=False
        )
        enable_wal(conn, SQLITE_BUSY_TIMEOUT)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: a 10,000-flow apply stays in memory
        # Every connection may evaluate a selection (preview, runs list, the freeze).
        conn.create_function("regexp", 2, _sqlite_regexp, deterministic=True)
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from exc
    return conn


def _is_readonly(exc: sqlite3.Error) -> bool:
    return str(getattr(exc, "sqlite_errorname", "")).startswith("SQLITE_READONLY")


def _sqlite_error(path: str, exc: sqlite3.Error) -> StoreError:
    if _is_readonly(exc):
        return StoreError(
            f"the SQLite store {path} is read-only for this user ({exc})", hint=_WRITABLE_HINT
        )
    return StoreError(f"cannot open SQLite store {path}: {exc}")


def _connect_postgresql(url: str) -> Any:
    shown = redact_url(url)  # registers the URL's passwords with the masker first
    try:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict
    except ImportError as exc:
        raise ConfigError(
            f"the store {shown} is a PostgreSQL store, and the PostgreSQL driver is not installed",
            hint="install the postgres extra: pip install '.[postgres]' in a checkout of "
            "flow-reconciler (it adds psycopg)",
        ) from exc
    try:
        conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise UsageError(
            f"bad PostgreSQL store URL {shown}: {_first_line(exc)}",
            hint="write it as postgresql://user:password@host:port/database "
            "(percent-encode special characters)",
        ) from exc
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot connect to PostgreSQL store {shown}: {_first_line(exc)}",
            hint="check the DSN (--store / RECONCILER_STORE) and that the server is up",
        ) from exc


def _first_line(exc: Exception) -> str:
    text = mask(str(exc)).strip()
    return text.splitlines()[0] if text else type(exc).__name__
