"""A fresh PostgreSQL database for a benchmark: on RECONCILER_TEST_PG when set, else on a
throw-away cluster (tests/pgserver.py, the same one the test suite starts)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from tests.pgserver import pg_bin, throwaway_postgres


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A DSN of a fresh database (dropped on exit), or None when no server can be had."""
    external = os.environ.get("RECONCILER_TEST_PG")
    if external:
        with _database(external) as url:
            yield url
        return
    bin_dir = pg_bin()
    if bin_dir is None:
        yield None
        return
    with throwaway_postgres(bin_dir) as server, _database(server) as url:
        yield url


@contextmanager
def postgres_databases(count: int) -> Iterator[list[str] | None]:
    """`count` fresh databases on one server (see postgres_database), or None."""
    external = os.environ.get("RECONCILER_TEST_PG")
    if external:
        with ExitStack() as stack:
            yield [stack.enter_context(_database(external)) for _ in range(count)]
        return
    bin_dir = pg_bin()
    if bin_dir is None:
        yield None
        return
    with throwaway_postgres(bin_dir) as server, ExitStack() as stack:
        yield [stack.enter_context(_database(server)) for _ in range(count)]


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
