"""Results of unchanged files, kept in `.reconciler/cache/validate.db` (SQLite).

An entry is keyed by sha256 over: the tool version, a fingerprint of the installed package
(models, schemas and rules are code), the settings the rules depend on (network.allow),
the file's kind and its bytes. Correctness never depends on the cache: any problem with
it (corrupt, read-only, locked) means "no cache", and `--no-cache` bypasses it."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import reconciler
from reconciler.localstate import STATE_DIR, make_parents

CACHE_DIR = Path(STATE_DIR) / "cache"
CACHE_FILE = "validate.db"
FORMAT = 2  # 2: a flow's data is its canonical spec


@functools.cache
def package_fingerprint() -> str:
    """Changes whenever any module of the installed tool changes (mtime and size). Walked
    with os.walk on strings: half the time of Path.rglob, on every command's start."""
    package = os.path.realpath(os.path.dirname(reconciler.__file__))
    found: list[tuple[tuple[str, ...], os.stat_result]] = []
    for directory, subdirs, names in os.walk(package):
        subdirs[:] = [d for d in subdirs if d != "__pycache__"]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(directory, name)
                found.append((tuple(os.path.relpath(path, package).split(os.sep)), os.stat(path)))
    digest = hashlib.sha256(f"{reconciler.__version__}|{FORMAT}".encode())
    for parts, stat in sorted(found, key=lambda item: item[0]):  # Path order: by parts
        digest.update(f"{'/'.join(parts)}|{stat.st_mtime_ns}|{stat.st_size}\n".encode())
    return digest.hexdigest()


def entry_key(environment: str, kind: str | None, raw: bytes) -> str:
    digest = hashlib.sha256(environment.encode())
    digest.update(b"\0" + (kind or "-").encode() + b"\0")
    digest.update(raw)
    return digest.hexdigest()


class ResultCache:
    """A small key -> (findings, facts, data) store; every failure degrades to a miss."""

    def __init__(self, root: Path) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        try:
            make_parents(self.path)
            db = sqlite3.connect(self.path, timeout=2, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, findings TEXT NOT NULL,"
                " facts TEXT, data TEXT)"
            )
            self._db = db
        except (sqlite3.Error, OSError):
            self._reset()

    def _reset(self) -> None:
        """A corrupt cache file is removed; the run continues without a cache."""
        if self._db is not None:
            self._db.close()
        self._db = None
        try:
            if self.path.exists():
                self.path.unlink()
        except OSError:
            pass

    def get_many(self, keys: Iterable[str], with_data: bool) -> dict[str, tuple[Any, ...]]:
        if self._db is None:
            return {}
        wanted = list(keys)
        columns = "key, findings, facts" + (", data" if with_data else "")
        found: dict[str, tuple[Any, ...]] = {}
        try:
            for start in range(0, len(wanted), 900):
                chunk = wanted[start : start + 900]
                marks = ",".join("?" * len(chunk))
                for row in self._db.execute(
                    f"SELECT {columns} FROM entries WHERE key IN ({marks})", chunk
                ):
                    found[row[0]] = row[1:]
        except sqlite3.Error:
            self._reset()
            return {}
        return found

    def put_many(self, rows: Sequence[tuple[str, str, str | None, str | None]]) -> None:
        if self._db is None or not rows:
            return
        try:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
        except sqlite3.Error:
            self._reset()

    def keep_only(self, keys: set[str]) -> None:
        """After a run over the whole tree: drop entries of files that no longer exist."""
        if self._db is None:
            return
        try:
            stored = {row[0] for row in self._db.execute("SELECT key FROM entries")}
            stale = [(k,) for k in stored - keys]
            if stale:
                self._db.execute("BEGIN")
                self._db.executemany("DELETE FROM entries WHERE key = ?", stale)
                self._db.execute("COMMIT")
        except sqlite3.Error:
            self._reset()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
