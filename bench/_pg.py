"""A throw-away PostgreSQL server for benchmarks (RECONCILER_TEST_PG wins when set).

The same recipe as tests/conftest.py: initdb into a temp dir, run as the postgres user
when we are root, listen on 127.0.0.1 only, fsync off, removed on exit."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_ROOT = Path("/usr/lib/postgresql")


def _pg_bin() -> Path | None:
    if not PG_BIN_ROOT.exists():
        return None
    versions = sorted(
        (p for p in PG_BIN_ROOT.iterdir() if (p / "bin" / "initdb").exists()),
        key=lambda p: int(p.name) if p.name.isdigit() else 0,
    )
    return versions[-1] / "bin" if versions else None


def _as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A DSN of a fresh database, or None when no server can be had."""
    external = os.environ.get("RECONCILER_TEST_PG")
    if external:
        with _database(external) as url:
            yield url
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        yield None
        return
    tmp = Path(tempfile.mkdtemp(prefix="reconciler-bench-pg-"))
    sock = tmp / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    data = tmp / "data"
    try:
        subprocess.run(
            _as_pg_user([str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust"]),
            check=True,
            capture_output=True,
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sock} -c fsync=off "
            "-c shared_buffers=256MB -c synchronous_commit=off"
        )
        subprocess.run(
            _as_pg_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "-l",
                    str(tmp / "log"),
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        with _database(f"postgresql://{user}@127.0.0.1:{port}/postgres") as url:
            yield url
    finally:
        subprocess.run(
            _as_pg_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _database(server: str) -> Iterator[str]:
    import psycopg

    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rpartition("/")[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
